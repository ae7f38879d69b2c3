"""The Wrekin API (v1): partner systems push referrals and read what their users may see.

Every operation authenticates a bearer token (wrekin.api.auth), acts as the token's
user through the same access policy and actions as the web pages, and writes the
same audit events. The OpenAPI 3 document is served at /api/v1/openapi.json; there
is no interactive docs page (it would need scripts from a CDN, which our CSP refuses).
"""

from __future__ import annotations

from ninja import NinjaAPI

from wrekin.api import errors
from wrekin.api.routers import alerts, chronology, missing, people, referrals, screenings

DESCRIPTION = """\
Send `Authorization: Bearer <token>` with every request. A token is issued by an operator with
`wrekin token create USERNAME` and acts as that user: it sees exactly what the user sees, can do
exactly what the user can do, and everything it does is in the audit trail under the user's name.
Each operation also needs its scope on the token (see each operation's description).

Refusals are JSON `{"detail", "code", "errors"}`: 401 for a missing, malformed, unknown, expired or
revoked token; 403 for a missing scope or a role that may not do this; 404 for a record that does
not exist or that the user may not see (the two are never told apart); 422 for invalid input, with
one entry in `errors` per field at fault.
"""

api = NinjaAPI(
    title="Wrekin API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    docs_url=None,
)
errors.install(api)
api.add_router("", people.router)
api.add_router("", referrals.router)
api.add_router("", missing.router)
api.add_router("", screenings.router)
api.add_router("", chronology.router)
api.add_router("", alerts.router)
