"""Operators' changes to partnerships, agencies and accounts, each audited."""

from __future__ import annotations

from importlib import import_module

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_slug
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from wrekin.accounts.models import Agency, AgencyType, Membership, Partnership, Passkey, Role, User
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
                check_password: bool = True) -> User:
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
    """Stop an account signing in and end all its sessions at once. Nothing is deleted."""
    if not _may_manage_account(actor, user):
        raise PermissionDenied("Only a system administrator of the partnership may disable an account")
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        was_active = user.is_active
        if was_active:
            user.is_active = False
            user.save(update_fields=["is_active"])
        ended = end_sessions(user)
        record_event("user.updated", actor=actor, target=user,
                     details={"is_active": False, "was_active": was_active, "sessions_ended": ended})
    return user


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
