"""The address a request came from, for django-axes's lockouts (AXES_CLIENT_IP_CALLABLE).

Without a reverse proxy the address is REMOTE_ADDR and X-Forwarded-For is ignored: anyone can send
that header, and trusting it would let a password guesser pick a new "address" for every attempt.

Behind proxies, WREKIN_TRUSTED_PROXY_COUNT says how many there are in front of Wrekin, each appending
the address it saw to X-Forwarded-For (nginx: `proxy_set_header X-Forwarded-For
$proxy_add_x_forwarded_for`). The client is then the N-th entry from the right: the one the outermost
trusted proxy added. Entries further left came from the client itself and are never used.

django-axes can do this through django-ipware (AXES_IPWARE_PROXY_COUNT and friends), but ipware is not
installed here, and without it axes ignores those settings silently and uses REMOTE_ADDR. ipware's
count also means "proxies listed in the header", not "proxies in front of the server", which is easy to
get wrong by one. This keeps one plain rule that the tests pin down.
"""

from __future__ import annotations

import ipaddress
import logging

from django.conf import settings
from django.http import HttpRequest

logger = logging.getLogger("wrekin.accounts")


def _forwarded_for(request: HttpRequest) -> list[str]:
    header = request.META.get("HTTP_X_FORWARDED_FOR", "")
    return [entry.strip() for entry in header.split(",") if entry.strip()]


def client_ip_address(request: HttpRequest) -> str | None:
    remote = request.META.get("REMOTE_ADDR")
    proxies = int(getattr(settings, "WREKIN_TRUSTED_PROXY_COUNT", 0))
    if proxies <= 0:
        return remote
    entries = _forwarded_for(request)
    if len(entries) < proxies:
        # Fewer entries than proxies: the request did not come through all of them (or the proxy
        # overwrites rather than appends). Never guess from the header; log no address (personal data).
        logger.warning("X-Forwarded-For has fewer entries than WREKIN_TRUSTED_PROXY_COUNT; using the "
                       "connecting address for sign-in lockouts")
        return remote
    candidate = entries[-proxies]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        logger.warning("X-Forwarded-For entry added by the trusted proxy is not an IP address; using the "
                       "connecting address for sign-in lockouts")
        return remote
