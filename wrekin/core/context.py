"""Per-request context available to actions without threading the request through."""

from __future__ import annotations

import contextvars

request_id: contextvars.ContextVar[str] = contextvars.ContextVar("wrekin_request_id", default="")
