"""WebAuthn ceremonies: registering a passkey (or security key) and using one as the second factor.

Built on the `webauthn` library (py_webauthn); nothing cryptographic is written here. A passkey is
registered either by a signed-in person (`register`) or on the set-up journey as the account's first
second factor (`enrol`, through the one-time set-up link). Each
ceremony's challenge is kept in the session, bound to its purpose and relying party, and taken
out before the browser's answer is checked, so an answer can be used once at most and only for
what it was asked for. Challenges older than CEREMONY_SECONDS are refused.

The relying party is the host the person is using, as Django has already checked it against
ALLOWED_HOSTS; `WREKIN_WEBAUTHN_RP_ID` fixes it (for example to a parent domain shared by several
host names) and `WREKIN_WEBAUTHN_ORIGINS` lists the accepted origins when they differ from the
request's own. Browsers refuse an IP address as a relying party, so on http://127.0.0.1 passkeys
are not offered; http://localhost works (it counts as a secure context).
"""

from __future__ import annotations

import ipaddress
import json
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.http.request import split_domain_port
from django.utils import timezone
from django.utils.crypto import salted_hmac
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url
from webauthn.helpers.cose import COSEAlgorithmIdentifier
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AttestationConveyancePreference,
    AuthenticatorSelectionCriteria,
    AuthenticatorTransport,
    CredentialDeviceType,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from wrekin.accounts import actions
from wrekin.accounts.models import Passkey, User
from wrekin.audit.actions import record_event

CEREMONY_SESSION_KEY = "wrekin_webauthn_ceremony"
CEREMONY_SECONDS = 5 * 60
# "enrol": a passkey made on the set-up journey, as the account's first second factor.
PURPOSES = frozenset({"register", "enrol", "sign_in", "step_up"})
REGISTRATION_PURPOSES = frozenset({"register", "enrol"})
SUPPORTED_ALGORITHMS = [
    COSEAlgorithmIdentifier.ECDSA_SHA_256,
    COSEAlgorithmIdentifier.EDDSA,
    COSEAlgorithmIdentifier.RSASSA_PKCS1_v1_5_SHA_256,
]
_KNOWN_TRANSPORTS = {t.value for t in AuthenticatorTransport}

TRY_AGAIN = "Your passkey could not be checked. Try again, or use the code from your authenticator app."
MESSAGES = {
    "no_challenge": "That passkey request has already been used or has expired. Try again.",
    "expired_challenge": "That passkey request has expired. Try again.",
    "unknown_credential": "That passkey is not registered to your account on this site. "
                          "Use another passkey or the code from your authenticator app.",
    "sign_count": "That passkey reported an unexpected use count, which can mean it has been copied. "
                  "Use the code from your authenticator app, and tell your system administrator.",
    "already_registered": "That passkey is already registered.",
    "not_available": "Passkeys cannot be used at this address. Use the code from your authenticator app.",
}


class PasskeyError(Exception):
    """A refused ceremony: `reason` is a code for the audit trail, `message` is for the person."""

    def __init__(self, reason: str, message: str | None = None):
        super().__init__(reason)
        self.reason = reason
        self.message = message or MESSAGES.get(reason, TRY_AGAIN)


@dataclass(frozen=True)
class RelyingParty:
    id: str
    name: str
    origins: tuple[str, ...]


def _is_ip_address(hostname: str) -> bool:
    try:
        ipaddress.ip_address(hostname.strip("[]"))
    except ValueError:
        return False
    return True


def relying_party(request: HttpRequest) -> RelyingParty | None:
    """The relying party for this request, or None where passkeys cannot work (an IP address)."""
    host = request.get_host()  # already checked against ALLOWED_HOSTS
    hostname, _ = split_domain_port(host)
    configured = getattr(settings, "WREKIN_WEBAUTHN_RP_ID", "")
    if configured:
        if hostname != configured and not hostname.endswith("." + configured):
            return None
        rp_id = configured
    else:
        rp_id = hostname
    if not rp_id or _is_ip_address(rp_id):
        return None
    origins = tuple(getattr(settings, "WREKIN_WEBAUTHN_ORIGINS", ()) or (f"{request.scheme}://{host}",))
    return RelyingParty(id=rp_id, name=settings.WREKIN_SERVICE_NAME, origins=origins)


def user_handle(user: User) -> bytes:
    """A stable, opaque id for the user inside their passkeys: no username, name or number."""
    return salted_hmac("wrekin.accounts.passkeys.user_handle", str(user.pk), algorithm="sha256").digest()


def passkeys_for(request: HttpRequest):
    """The signed-in user's passkeys that can be used at this address."""
    rp = relying_party(request)
    if rp is None:
        return Passkey.objects.none()
    return Passkey.objects.filter(user_id=request.user.pk, rp_id=rp.id, confirmed=True)


def _descriptor(passkey: Passkey) -> PublicKeyCredentialDescriptor:
    transports = [AuthenticatorTransport(t) for t in passkey.transports if t in _KNOWN_TRANSPORTS]
    return PublicKeyCredentialDescriptor(id=base64url_to_bytes(passkey.credential_id), transports=transports or None)


def _start(request: HttpRequest, purpose: str, challenge: bytes, rp: RelyingParty) -> None:
    request.session[CEREMONY_SESSION_KEY] = {
        "purpose": purpose, "challenge": bytes_to_base64url(challenge), "rp_id": rp.id,
        "issued_at": int(timezone.now().timestamp()),
    }


def _refuse(request: HttpRequest, purpose: str, reason: str, passkey: Passkey | None = None) -> PasskeyError:
    """Record the refusal (its own transaction, so it stays on the trail) and build the error to raise."""
    details = {"purpose": purpose, "reason": reason}
    if passkey is not None:
        details["passkey"] = passkey.pk
    record_event("user.passkey_failed", actor=request.user, details=details)
    return PasskeyError(reason)


def _take(request: HttpRequest, purpose: str) -> tuple[bytes, RelyingParty]:
    """Remove the session's challenge for `purpose`, whatever happens next: one answer per challenge."""
    ceremony = request.session.pop(CEREMONY_SESSION_KEY, None)
    if not isinstance(ceremony, dict) or ceremony.get("purpose") != purpose:
        raise _refuse(request, purpose, "no_challenge")
    if timezone.now().timestamp() - ceremony.get("issued_at", 0) > CEREMONY_SECONDS:
        raise _refuse(request, purpose, "expired_challenge")
    rp = relying_party(request)
    if rp is None or rp.id != ceremony.get("rp_id"):
        raise _refuse(request, purpose, "wrong_rp_id")
    return base64url_to_bytes(ceremony["challenge"]), rp


def _reason(exc: Exception) -> str:
    """A short code for what the library refused, for the audit trail."""
    text = str(exc).lower()
    for needle, reason in (("origin", "wrong_origin"), ("rp id", "wrong_rp_id"), ("sign count", "sign_count"),
                           ("challenge", "wrong_challenge"), ("signature", "bad_signature"),
                           ("user was not present", "no_user_presence")):
        if needle in text:
            return reason
    return "invalid_response"


def _parse(credential_json: str) -> dict:
    try:
        data = json.loads(credential_json)
    except (TypeError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


# --- registration ------------------------------------------------------------------------------

def begin_registration(request: HttpRequest, *, purpose: str = "register") -> str:
    """Options for navigator.credentials.create(), as JSON; the challenge is kept in the session.

    `purpose` is "register" (adding a passkey when signed in) or "enrol" (the set-up journey).
    """
    if purpose not in REGISTRATION_PURPOSES:
        raise ValueError(f"Unknown passkey registration purpose {purpose!r}")
    rp = relying_party(request)
    if rp is None:
        raise PasskeyError("not_available")
    user = request.user
    options = generate_registration_options(
        rp_id=rp.id, rp_name=rp.name, user_name=user.username, user_id=user_handle(user),
        user_display_name=user.display_name(), timeout=CEREMONY_SECONDS * 1000,
        attestation=AttestationConveyancePreference.NONE,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.PREFERRED,
            user_verification=UserVerificationRequirement.PREFERRED),
        exclude_credentials=[_descriptor(p) for p in Passkey.objects.filter(user=user, rp_id=rp.id)],
        supported_pub_key_algs=SUPPORTED_ALGORITHMS,
    )
    _start(request, purpose, options.challenge, rp)
    return options_to_json(options)


def _verified_registration(request: HttpRequest, credential_json: str, purpose: str) -> dict:
    """Check the browser's answer to begin_registration; the new credential's fields, ready to store."""
    challenge, rp = _take(request, purpose)
    try:
        verified = verify_registration_response(
            credential=credential_json, expected_challenge=challenge, expected_rp_id=rp.id,
            expected_origin=list(rp.origins), supported_pub_key_algs=SUPPORTED_ALGORITHMS,
        )
    except (WebAuthnException, ValueError, TypeError, KeyError) as exc:
        raise _refuse(request, purpose, _reason(exc)) from None
    credential_id = bytes_to_base64url(verified.credential_id)
    if Passkey.objects.filter(credential_id=credential_id).exists():
        raise _refuse(request, purpose, "already_registered")
    response = _parse(credential_json).get("response") or {}
    return {
        "credential_id": credential_id, "public_key": verified.credential_public_key,
        "sign_count": verified.sign_count, "rp_id": rp.id, "aaguid": verified.aaguid,
        "transports": [t for t in response.get("transports") or [] if t in _KNOWN_TRANSPORTS],
        "backed_up": (verified.credential_backed_up
                      or verified.credential_device_type == CredentialDeviceType.MULTI_DEVICE),
    }


def finish_registration(request: HttpRequest, credential_json: str, *, name: str) -> Passkey:
    """Check the browser's answer to begin_registration and store the new passkey."""
    fields = _verified_registration(request, credential_json, "register")
    try:
        return actions.add_passkey(actor=request.user, name=name, **fields)
    except IntegrityError:  # the same credential registered by a request racing this one
        raise _refuse(request, "register", "already_registered") from None


def finish_enrolment(request: HttpRequest, credential_json: str, *, name: str, link_id) -> Passkey:
    """Check the browser's answer on the set-up journey and enrol the passkey through the set-up link.

    Raises actions.EnrolmentLinkRefused if the session's link stopped working meanwhile.
    """
    fields = _verified_registration(request, credential_json, "enrol")
    try:
        return actions.enrol_passkey(actor=request.user, link_id=link_id, name=name, **fields)
    except IntegrityError:
        raise _refuse(request, "enrol", "already_registered") from None


# --- authentication (sign-in and step-up) --------------------------------------------------------

def begin_authentication(request: HttpRequest, *, purpose: str) -> str | None:
    """Options for navigator.credentials.get() as JSON, or None when the user has no passkey here."""
    if purpose not in PURPOSES - REGISTRATION_PURPOSES:
        raise ValueError(f"Unknown passkey purpose {purpose!r}")
    rp = relying_party(request)
    passkeys = list(passkeys_for(request))
    if rp is None or not passkeys:
        return None
    options = generate_authentication_options(
        rp_id=rp.id, timeout=CEREMONY_SECONDS * 1000, allow_credentials=[_descriptor(p) for p in passkeys],
        user_verification=UserVerificationRequirement.PREFERRED,
    )
    _start(request, purpose, options.challenge, rp)
    return options_to_json(options)


def finish_authentication(request: HttpRequest, credential_json: str, *, purpose: str) -> Passkey:
    """Check a passkey assertion for the signed-in user; returns the passkey used.

    The stored signature counter must go up (unless the authenticator keeps none, as synced
    passkeys do): a counter that goes back suggests a copied key, and is refused.
    """
    challenge, rp = _take(request, purpose)
    data = _parse(credential_json)
    credential_id = data.get("rawId") or data.get("id")
    if not isinstance(credential_id, str):
        raise _refuse(request, purpose, "invalid_response")
    with transaction.atomic():
        passkey = (Passkey.objects.select_for_update()
                   .filter(user_id=request.user.pk, credential_id=credential_id, rp_id=rp.id, confirmed=True).first())
        if passkey is None:
            reason = "unknown_credential"
        else:
            try:
                verified = verify_authentication_response(
                    credential=data, expected_challenge=challenge, expected_rp_id=rp.id,
                    expected_origin=list(rp.origins), credential_public_key=bytes(passkey.public_key),
                    credential_current_sign_count=passkey.sign_count,
                )
            except (WebAuthnException, ValueError, TypeError, KeyError) as exc:
                reason = _reason(exc)
            else:
                reason = ""
                passkey.sign_count = verified.new_sign_count
                passkey.last_used_at = timezone.now()
                passkey.save(update_fields=["sign_count", "last_used_at"])
                record_event("user.passkey_verified", actor=request.user, target=passkey,
                             details={"purpose": purpose})
    if reason:
        raise _refuse(request, purpose, reason, passkey)
    return passkey
