"""Operators' changes to partnerships, agencies and accounts, each audited."""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.db import transaction

from wrekin.accounts.models import Agency, AgencyType, Membership, Partnership, Role, User
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
