"""Operators' changes to partnerships, agencies and accounts, each audited."""

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
    hash_enrolment_token,
    new_enrolment_token,
)
from wrekin.audit.actions import record_event


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


def disable_user(*, actor, user: User) -> User:
    """Stop an account signing in and end all its sessions at once. Nothing is deleted.

    Its set-up links stop working too: re-enabling an account does not bring an old link back.
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
        record_event("user.updated", actor=actor, target=user,
                     details={"is_active": False, "was_active": was_active, "sessions_ended": ended,
                              "set_up_links_ended": links_ended})
    return user


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
    """Whether the account has set up its second factor (a confirmed authenticator app)."""
    return TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).exists()


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
        user=user, token_hash=hash_enrolment_token(token), created_at=now,
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
    link = EnrolmentLink.objects.select_related("user").filter(token_hash=hash_enrolment_token(token)).first()
    reason = _usable_link(link, timezone.now())
    if reason:
        raise EnrolmentLinkRefused(reason)
    return link


def use_enrolment_link(*, token: str) -> EnrolmentLink:
    """Use a set-up link, once. The caller gives the session that used it the right to set up the account."""
    with transaction.atomic():
        link = (EnrolmentLink.objects.select_for_update().select_related("user")
                .filter(token_hash=hash_enrolment_token(token)).first())
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
        record_event("user.mfa_enrolled", actor=actor, details={"set_up_link": link.pk})
    return device


def add_passkey(*, actor, name: str, credential_id: str, public_key: bytes, sign_count: int, rp_id: str,
                transports: list[str], aaguid: str = "", backed_up: bool = False) -> Passkey:
    """Store a verified WebAuthn credential for the actor (registration is checked in passkeys.py)."""
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied("Sign in to add a passkey")
    with transaction.atomic():
        passkey = Passkey.objects.create(
            user=actor, name=name, confirmed=True, credential_id=credential_id, public_key=public_key,
            sign_count=sign_count, rp_id=rp_id, transports=transports, aaguid=aaguid, backed_up=backed_up,
        )
        record_event("user.passkey_added", actor=actor, target=passkey,
                     details={"transports": transports, "backed_up": backed_up})
    return passkey


def remove_passkey(*, actor, passkey_id: int) -> Passkey:
    """Remove one of the actor's own passkeys. Another person's passkey answers as absent."""
    with transaction.atomic():
        passkey = Passkey.objects.select_for_update().filter(pk=passkey_id, user_id=actor.pk).first()
        if passkey is None:
            raise Http404("No passkey found")
        record_event("user.passkey_removed", actor=actor, target=passkey)
        passkey.delete()
    return passkey
