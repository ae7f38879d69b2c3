"""Changes to partnerships, agencies and accounts — by operators at the command line (actor None) and by
system administrators on the Accounts pages — and the set-up journey's enrolment, each audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from importlib import import_module

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_slug
from django.db import transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from wrekin.accounts.models import (
    Agency,
    AgencyType,
    EnrolmentLink,
    EnrolmentLinkEnd,
    Membership,
    Partnership,
    Passkey,
    Role,
    User,
    new_enrolment_token,
)
from wrekin.accounts.tokens import hash_token
from wrekin.audit.actions import record_event

# Roles a system administrator may give on the Accounts page. Administrators and auditors are made by
# an operator at the command line: an administrator must not be able to make another administrator, nor
# the auditor who watches what administrators do.
GRANTABLE_ROLES = (Role.PRACTITIONER, Role.MANAGER, Role.COORDINATOR, Role.ANALYST, Role.MACE_CHAIR)


def ensure_partnership(*, code: str, name: str, actor=None) -> Partnership:
    with transaction.atomic():
        partnership, created = Partnership.objects.get_or_create(code=code, defaults={"name": name})
        if created:
            record_event("partnership.created", actor=actor, target=partnership)
    return partnership


def create_agency(*, code: str, name: str, type: str, partnership: Partnership, actor=None,
                  contact_email: str = "", contact_phone: str = "") -> Agency:
    if type not in AgencyType.values:
        raise ValueError(f"Unknown agency type {type!r}; use one of: {', '.join(AgencyType.values)}")
    try:
        validate_slug(code)
    except ValidationError:
        raise ValueError(
            f"Agency code {code!r} may hold only letters, digits, hyphens and underscores"
        ) from None
    if Agency.objects.filter(code__iexact=code).exists():
        raise ValueError(f"An agency with code {code!r} already exists")
    with transaction.atomic():
        agency = Agency.objects.create(code=code, name=name, type=type, partnership=partnership,
                                       contact_email=contact_email, contact_phone=contact_phone)
        record_event("agency.created", actor=actor, target=agency, agency=agency, details={"type": type})
    return agency


def create_user(*, username: str, agency: Agency, role: str, password: str | None = None, actor=None,
                first_name: str = "", last_name: str = "", email: str = "", job_title: str = "",
                check_password: bool = True, enrolment_link: bool = True) -> User:
    """Create an account with its membership and, unless `enrolment_link=False`, its one-time set-up link.

    The new link (and its token, shown once) is on the returned user as `issued_enrolment_link`. Without a
    link nobody can enrol the account's second factor, so only accounts that will never sign in (the
    synthetic partnership's named staff) are created without one.
    """
    if role not in Role.values:
        raise ValueError(f"Unknown role {role!r}; use one of: {', '.join(Role.values)}")
    _check_may_create(actor, agency, role)
    # Usernames differing only in case would be two accounts people cannot tell apart.
    if User.objects.filter(username__iexact=username).exists():
        raise ValueError(f"A user called {username!r} already exists")
    with transaction.atomic():
        user = User(username=username, first_name=first_name, last_name=last_name, email=email,
                    job_title=job_title)
        if password:
            if check_password:
                validate_password(password, user)
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save()
        Membership.objects.create(user=user, agency=agency, role=role)
        record_event("user.created", actor=actor, target=user, agency=agency, details={"role": role})
        user.issued_enrolment_link = (
            _issue_enrolment_link(actor=actor, user=user, agency=agency) if enrolment_link else None
        )
    return user


def _check_may_create(actor, agency: Agency, role: str) -> None:
    """Operators (actor None) create any account; an administrator only in an active agency of their own
    partnership, with a role from GRANTABLE_ROLES."""
    if actor is None:
        return
    if not getattr(actor, "is_authenticated", False) or actor.role != Role.ADMINISTRATOR:
        raise PermissionDenied("Only a system administrator may create an account")
    if actor.partnership is None or agency.partnership_id != actor.partnership.pk or not agency.is_active:
        raise PermissionDenied("Administrators create accounts only in their own partnership's agencies")
    if role not in GRANTABLE_ROLES:
        raise PermissionDenied(f"Only an operator may create an account with the role {Role(role).label}")


def _may_manage_account(actor, user) -> bool:
    """Operators at the command line (actor None) and administrators of the user's partnership."""
    if actor is None:
        return True
    if not getattr(actor, "is_authenticated", False) or actor.pk == user.pk:
        return False
    if actor.role != Role.ADMINISTRATOR:
        return False
    # An account with no agency belongs to no partnership: only an operator may change it.
    return user.partnership is not None and user.partnership == actor.partnership


def end_sessions(user) -> int:
    """Delete every stored session signed in as `user`; returns how many ended.

    Works with the database-backed session engines (db, cached_db). With any other engine
    SessionLimitMiddleware still ends a disabled account's session on its next request.
    """
    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    if not hasattr(store_class, "get_model_class"):
        return 0
    ended = 0
    live = store_class.get_model_class().objects.filter(expire_date__gt=timezone.now())
    for row in live.only("session_key", "session_data").iterator():
        if store_class().decode(row.session_data).get(SESSION_KEY) == str(user.pk):
            store_class(row.session_key).delete()
            ended += 1
    return ended


def disable_user(*, actor, user: User, reason: str = "") -> User:
    """Stop an account signing in and end all its sessions at once. Nothing is deleted.

    Its set-up links stop working too: re-enabling an account does not bring an old link back.
    `reason` is free text for the trail (the web page requires one; the command line asks for one).
    """
    if not _may_manage_account(actor, user):
        raise PermissionDenied("Only a system administrator of the partnership may disable an account")
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        was_active = user.is_active
        if was_active:
            user.is_active = False
            user.save(update_fields=["is_active"])
        ended = end_sessions(user)
        links_ended = _end_open_links(user, EnrolmentLinkEnd.DISABLED)
        record_event("user.disabled", actor=actor, target=user, agency=user.agency, reason=reason.strip(),
                     details={"was_active": was_active, "sessions_ended": ended, "set_up_links_ended": links_ended})
    return user


def _remove_second_factors(user: User) -> dict[str, int]:
    """Delete every authenticator app and passkey of the account (inside the caller's transaction).

    Deleting the django-otp devices also un-verifies any session that used them; the caller ends the
    sessions too. Returns how many of each were removed, for the trail (never a key or a secret).
    """
    totp = TOTPDevice.objects.filter(user_id=user.pk)
    confirmed = totp.filter(confirmed=True).count()
    unconfirmed = totp.filter(confirmed=False).count()
    totp.delete()
    passkeys_removed, _ = Passkey.objects.filter(user_id=user.pk).delete()
    return {"authenticator_apps_removed": confirmed, "unfinished_apps_removed": unconfirmed,
            "passkeys_removed": passkeys_removed}


def _required_reason(reason: str) -> str:
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValueError("Give the reason")
    return reason


def reset_authenticator(*, actor, user: User, reason: str) -> IssuedEnrolmentLink:
    """For someone who has lost their phone or key: remove all their second factors, end all their
    sessions, supersede their open set-up links and issue a new one, so they enrol again.

    Operators at the command line (actor None) and administrators of the account's partnership, never for
    their own account. The password is kept: the new link still needs it (or lets them choose one if the
    account has none). Audited as `user.second_factors_reset` with the reason and the counts.
    """
    if not _may_manage_account(actor, user):
        raise PermissionDenied("Only a system administrator of the partnership may reset another "
                               "person's sign-in")
    reason = _required_reason(reason)
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        if not user.is_active:
            raise EnrolmentRefused(f"{user.username}’s account is disabled: enable it instead (enabling "
                                   "also makes them set up their sign-in again)")
        removed = _remove_second_factors(user)
        ended = end_sessions(user)
        issued = _issue_enrolment_link(actor=actor, user=user)
        record_event("user.second_factors_reset", actor=actor, target=user, agency=user.agency, reason=reason,
                     details={**removed, "sessions_ended": ended, "link": issued.link.pk})
    return issued


def enable_user(*, actor, user: User, reason: str) -> IssuedEnrolmentLink:
    """Let a disabled account sign in again. It must set up its sign-in again, through a new link.

    An account is disabled when someone leaves, is suspended or may have been compromised: whatever second
    factors it had are not trusted to come back with it. Its authenticator apps and passkeys are removed and
    a new one-time set-up link is issued (shown once to whoever enables it); its password is kept.
    """
    if not _may_manage_account(actor, user):
        raise PermissionDenied("Only a system administrator of the partnership may enable an account")
    reason = _required_reason(reason)
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        if user.is_active:
            raise EnrolmentRefused(f"{user.username}’s account is already enabled")
        user.is_active = True
        user.save(update_fields=["is_active"])
        removed = _remove_second_factors(user)
        ended = end_sessions(user)  # none should be left; a leftover must not come back to life
        issued = _issue_enrolment_link(actor=actor, user=user)
        record_event("user.enabled", actor=actor, target=user, agency=user.agency, reason=reason,
                     details={**removed, "sessions_ended": ended, "link": issued.link.pk})
    return issued


# --- One-time set-up (enrolment) links ------------------------------------------------------------

class EnrolmentLinkRefused(Exception):
    """A set-up link that cannot be used. `reason` is a code for the trail; people see one message."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class EnrolmentRefused(ValueError):
    """Issuing a set-up link makes no sense for this account (disabled, or already set up)."""


@dataclass(frozen=True)
class IssuedEnrolmentLink:
    link: EnrolmentLink
    token: str  # shown once, to pass on; only its hash is stored

    @property
    def path(self) -> str:
        return reverse("accounts:set_up", kwargs={"token": self.token})

    def url(self, base_url: str) -> str:
        return base_url.rstrip("/") + self.path


def enrolment_link_lifetime() -> timedelta:
    return timedelta(hours=float(getattr(settings, "WREKIN_SETUP_LINK_HOURS", 72)))


def has_enrolled(user) -> bool:
    """Whether the account has set up a second factor: a confirmed authenticator app or a passkey."""
    return (TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).exists()
            or Passkey.objects.filter(user_id=user.pk, confirmed=True).exists())


def _end_open_links(user, reason: str) -> int:
    """End every link of the account not yet used to enrol (used or not): it can no longer enrol."""
    return EnrolmentLink.objects.filter(user_id=user.pk, ended_at__isnull=True, enrolled_at__isnull=True).update(
        ended_at=timezone.now(), end_reason=reason)


def _issue_enrolment_link(*, actor, user: User, agency=None) -> IssuedEnrolmentLink:
    """Inside the caller's transaction: end the account's older links, make a new one, audit it."""
    now = timezone.now()
    superseded = _end_open_links(user, EnrolmentLinkEnd.SUPERSEDED)
    token = new_enrolment_token()
    link = EnrolmentLink.objects.create(
        user=user, token_hash=hash_token(token), created_at=now,
        expires_at=now + enrolment_link_lifetime(),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    record_event("user.enrolment_link_issued", actor=actor, target=user, agency=agency or user.agency,
                 details={"link": link.pk, "expires_at": link.expires_at.isoformat(), "superseded": superseded})
    return IssuedEnrolmentLink(link, token)


def issue_enrolment_link(*, actor, user: User) -> IssuedEnrolmentLink:
    """A new one-time set-up link for an account that has not set up its sign-in; older links stop working.

    Operators at the command line (actor None) and administrators of the account's partnership may issue
    one; the web page also asks the administrator to confirm it is them (step-up): it changes who can
    get into an account.
    """
    if not _may_manage_account(actor, user):
        raise PermissionDenied("Only a system administrator of the partnership may issue a set-up link")
    with transaction.atomic():
        # One issuer at a time per account: two links issued at once would leave two valid.
        user = User.objects.select_for_update().get(pk=user.pk)
        if not user.is_active:
            raise EnrolmentRefused(f"{user.username}’s account is disabled: a set-up link would not work")
        if has_enrolled(user):
            raise EnrolmentRefused(f"{user.username} has already set up their sign-in: they do not need a "
                                   "set-up link")
        return _issue_enrolment_link(actor=actor, user=user)


def _usable_link(link: EnrolmentLink | None, now) -> str | None:
    """Why `link` cannot be used now, or None if it can."""
    if link is None:
        return "unknown"
    status = link.status_at(now)
    if status != "active":
        return status
    if not link.user.is_active:
        return "disabled"
    if has_enrolled(link.user):
        return "enrolled"
    return None


def check_enrolment_link(token: str) -> EnrolmentLink:
    """The link `token` opens, if it could be used now; EnrolmentLinkRefused otherwise. Changes nothing.

    Opening the address (GET) only shows a page with a button: mail scanners that fetch links must not
    use up a person's one-time link.
    """
    link = EnrolmentLink.objects.select_related("user").filter(token_hash=hash_token(token)).first()
    reason = _usable_link(link, timezone.now())
    if reason:
        raise EnrolmentLinkRefused(reason)
    return link


def use_enrolment_link(*, token: str) -> EnrolmentLink:
    """Use a set-up link, once. The caller gives the session that used it the right to set up the account."""
    with transaction.atomic():
        link = (EnrolmentLink.objects.select_for_update().select_related("user")
                .filter(token_hash=hash_token(token)).first())
        now = timezone.now()
        reason = _usable_link(link, now)
        if reason is None:
            link.used_at = now
            link.save(update_fields=["used_at"])
            record_event("user.enrolment_link_used", actor=link.user, target=link.user,
                         details={"link": link.pk})
            return link
        # The refusal is recorded (and committed) whatever happens next; the token never is.
        record_event("user.enrolment_link_refused", actor=link.user if link else None,
                     target=link.user if link else None,
                     details={"reason": reason, **({"link": link.pk} if link else {})})
    raise EnrolmentLinkRefused(reason)


def enrolment_right_seconds() -> int:
    return int(getattr(settings, "WREKIN_ENROLMENT_SESSION_SECONDS", 60 * 60))


def live_enrolment_link(link_id, user, *, lock: bool = False) -> EnrolmentLink | None:
    """The used link with id `link_id` if it still lets `user` set up their sign-in, else None.

    It must be the user's own, used, not ended (superseded, account disabled) nor already used to enrol,
    the account active and not enrolled, and used less than enrolment_right_seconds() ago.
    """
    if not isinstance(link_id, int) or user is None or not user.pk:
        return None
    rows = EnrolmentLink.objects.select_for_update() if lock else EnrolmentLink.objects
    link = rows.filter(pk=link_id, user_id=user.pk).first()
    now = timezone.now()
    if (
        link is None
        or link.used_at is None
        or link.ended_at is not None
        or link.enrolled_at is not None
        or (now - link.used_at).total_seconds() >= enrolment_right_seconds()
        or not User.objects.filter(pk=user.pk, is_active=True).exists()
        or has_enrolled(user)
    ):
        return None
    return link


def set_first_password(*, actor: User, link_id: int, password: str) -> User:
    """A new account with no password chooses one, through the set-up link it has just used."""
    with transaction.atomic():
        link = live_enrolment_link(link_id, actor, lock=True)
        if link is None:
            raise EnrolmentLinkRefused("no_link")
        user = User.objects.select_for_update().get(pk=actor.pk)
        if user.has_usable_password():
            raise EnrolmentLinkRefused("has_password")
        validate_password(password, user)
        user.set_password(password)
        user.save(update_fields=["password"])
        record_event("user.password_set", actor=user, target=user, details={"via": "set_up_link", "link": link.pk})
    return user


def enrol_authenticator(*, actor: User, device: TOTPDevice, link_id) -> TOTPDevice:
    """Confirm the authenticator app just proved by a code, through the session's set-up link.

    Called inside the caller's transaction, with the device row locked and its code verified. Refused
    (EnrolmentLinkRefused) if the link stopped working meanwhile: superseded, or the account disabled.
    """
    with transaction.atomic():
        link = live_enrolment_link(link_id, actor, lock=True)
        if link is None:
            raise EnrolmentLinkRefused("no_link")
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        link.enrolled_at = timezone.now()
        link.save(update_fields=["enrolled_at"])
        record_event("user.mfa_enrolled", actor=actor, details={"set_up_link": link.pk, "method": "totp"})
    return device


def enrol_passkey(*, actor: User, link_id, name: str, credential_id: str, public_key: bytes, sign_count: int,
                  rp_id: str, transports: list[str], aaguid: str = "", backed_up: bool = False) -> Passkey:
    """Enrol a verified passkey as the account's second factor, through the session's set-up link.

    The passkey option of the set-up journey: it uses the link up exactly as enrolling an authenticator
    app does. Refused (EnrolmentLinkRefused) if the link stopped working meanwhile. The unfinished app
    key shown earlier on the journey, if any, is deleted: it was never confirmed and must not linger.
    """
    with transaction.atomic():
        link = live_enrolment_link(link_id, actor, lock=True)
        if link is None:
            raise EnrolmentLinkRefused("no_link")
        TOTPDevice.objects.filter(user_id=actor.pk, confirmed=False).delete()
        passkey = _store_passkey(actor=actor, name=name, credential_id=credential_id, public_key=public_key,
                                 sign_count=sign_count, rp_id=rp_id, transports=transports, aaguid=aaguid,
                                 backed_up=backed_up)
        link.enrolled_at = timezone.now()
        link.save(update_fields=["enrolled_at"])
        record_event("user.mfa_enrolled", actor=actor, target=passkey,
                     details={"set_up_link": link.pk, "method": "passkey"})
    return passkey


def _store_passkey(*, actor, name: str, credential_id: str, public_key: bytes, sign_count: int, rp_id: str,
                   transports: list[str], aaguid: str, backed_up: bool) -> Passkey:
    passkey = Passkey.objects.create(
        user=actor, name=name, confirmed=True, credential_id=credential_id, public_key=public_key,
        sign_count=sign_count, rp_id=rp_id, transports=transports, aaguid=aaguid, backed_up=backed_up,
    )
    record_event("user.passkey_added", actor=actor, target=passkey,
                 details={"transports": transports, "backed_up": backed_up})
    return passkey


def add_passkey(*, actor, name: str, credential_id: str, public_key: bytes, sign_count: int, rp_id: str,
                transports: list[str], aaguid: str = "", backed_up: bool = False) -> Passkey:
    """Store a verified WebAuthn credential for the actor (registration is checked in passkeys.py)."""
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied("Sign in to add a passkey")
    with transaction.atomic():
        return _store_passkey(actor=actor, name=name, credential_id=credential_id, public_key=public_key,
                              sign_count=sign_count, rp_id=rp_id, transports=transports, aaguid=aaguid,
                              backed_up=backed_up)


def add_authenticator_app(*, actor, device: TOTPDevice) -> TOTPDevice:
    """Confirm an authenticator app for an account that has none (one set up with a passkey only).

    The view has checked the app's first code against `device` (an unconfirmed device of the actor's) and
    the actor's recent step-up: the app then becomes a second factor beside their passkeys.
    """
    if not getattr(actor, "is_authenticated", False) or device.user_id != actor.pk:
        raise PermissionDenied("Only the account's owner adds an authenticator app to it")
    with transaction.atomic():
        if TOTPDevice.objects.filter(user_id=actor.pk, confirmed=True).exists():
            raise EnrolmentRefused("Your account already has an authenticator app")
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        record_event("user.authenticator_added", actor=actor, target=device)
    return device


class LastSecondFactor(ValueError):
    """Removing this passkey would leave the account with no second factor at all."""


def remove_passkey(*, actor, passkey_id: int) -> Passkey:
    """Remove one of the actor's own passkeys. Another person's passkey answers as absent."""
    with transaction.atomic():
        passkey = Passkey.objects.select_for_update().filter(pk=passkey_id, user_id=actor.pk).first()
        if passkey is None:
            raise Http404("No passkey found")
        others = (Passkey.objects.filter(user_id=actor.pk, confirmed=True).exclude(pk=passkey.pk).exists()
                  or TOTPDevice.objects.filter(user_id=actor.pk, confirmed=True).exists())
        if not others:
            # A person who enrolled only this passkey would lock themselves out of their account.
            raise LastSecondFactor("This is your only way to confirm it’s you: add another passkey or security "
                                   "key before removing this one")
        record_event("user.passkey_removed", actor=actor, target=passkey)
        passkey.delete()
    return passkey
