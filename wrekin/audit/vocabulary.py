"""The registered vocabulary of audit events.

An event type that is not registered here cannot be written: the trail stays
searchable and every new kind of access is a deliberate decision.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class EventType:
    code: str
    description: str
    is_read: bool = False


_REGISTRY: dict[str, EventType] = {}


def register(code: str, description: str, *, is_read: bool = False) -> EventType:
    if code in _REGISTRY and _REGISTRY[code].description != description:
        raise ValueError(f"Audit event type {code!r} registered twice with different meanings")
    event_type = EventType(code, description, is_read)
    _REGISTRY[code] = event_type
    return event_type


def get(code: str) -> EventType:
    try:
        return _REGISTRY[code]
    except KeyError:
        raise ValueError(f"Unregistered audit event type {code!r}") from None


def all_event_types() -> list[EventType]:
    return sorted(_REGISTRY.values(), key=lambda e: e.code)


# Accounts and sign-in
register("user.signed_in", "Signed in")
register("user.signed_out", "Signed out")
register("user.sign_in_failed", "Sign-in failed")
register("user.mfa_enrolled", "Enrolled an authenticator")
register("user.mfa_verified", "Verified a second factor")
register("user.mfa_failed", "Second factor refused")
register("user.created", "Account created")
register("user.updated", "Account changed")
register("agency.created", "Agency created")
register("partnership.created", "Partnership created")
# People
register("person.viewed", "Opened a person's record", is_read=True)
register("person.searched", "Searched for people", is_read=True)
register("person.created", "Recorded a person")
register("person.updated", "Changed a person's details")
register("person.name_added", "Added a name or alias")
register("person.address_added", "Added an address")
register("person.phone_added", "Added a phone number")
register("person.involvement_added", "Recorded an agency's involvement")
# Audit itself
register("audit.viewed", "Viewed the audit trail", is_read=True)
register("audit.verified", "Verified the audit chain")
register("audit.checkpoint_exported", "Exported an audit checkpoint")
# Bulk work
register("synthetic.seeded", "Seeded a synthetic partnership")
register("synthetic.activity_seeded", "Seeded synthetic casework activity")
