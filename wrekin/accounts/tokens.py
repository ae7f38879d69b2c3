"""Bearer secrets Wrekin stores only as a hash: one-time set-up links and API tokens.

Both carry 256 bits from the operating system's generator, so a fast hash (SHA-256) is enough to store
them: nobody can guess a token from its hash, and a copy of the database yields no usable secret.
"""

from __future__ import annotations

import hashlib


def hash_token(raw: str) -> str:
    """SHA-256 (hex) of a bearer token: what is stored and looked up, never the token itself."""
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()
