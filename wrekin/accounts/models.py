"""Partnerships, agencies and the people who use Wrekin.

A user belongs to one agency with one role (their Membership). Roles grant
capabilities; what records a user may see is decided only in `wrekin.access`.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django_otp.models import Device, TimestampMixin


class AgencyType(models.TextChoices):
    CHILDRENS_SOCIAL_CARE = "childrens_social_care", "Children's social care"
    POLICE = "police", "Police"
    HEALTH = "health", "Health"
    EDUCATION = "education", "Education"
    YOUTH_SERVICE = "youth_service", "Youth service"
    VOLUNTARY = "voluntary", "Voluntary sector"
    LICENSING = "licensing", "Licensing"
    OTHER = "other", "Other"


class Role(models.TextChoices):
    PRACTITIONER = "practitioner", "Practitioner"
    MANAGER = "manager", "Team manager"
    COORDINATOR = "coordinator", "Exploitation coordinator"
    ANALYST = "analyst", "Intelligence analyst"
    MACE_CHAIR = "mace_chair", "MACE chair"
    AUDITOR = "auditor", "Auditor"
    ADMINISTRATOR = "administrator", "System administrator"


class Partnership(models.Model):
    """A local safeguarding partnership: the boundary of data sharing in Wrekin."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=200)

    def __str__(self) -> str:
        return self.name


class Agency(models.Model):
    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="agencies")
    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=200)
    type = models.CharField(max_length=32, choices=AgencyType.choices)
    # Contact for "known to" signposting: a duty desk, never a person's mobile.
    contact_email = models.EmailField(blank=True)
    contact_phone = models.CharField(max_length=40, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        verbose_name_plural = "agencies"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A person who signs in. Their agency and role live in `membership`."""

    job_title = models.CharField(max_length=120, blank=True)
    phone = models.CharField(max_length=40, blank=True)

    @property
    def agency(self) -> Agency | None:
        membership = self.active_membership
        return membership.agency if membership else None

    @property
    def role(self) -> str | None:
        membership = self.active_membership
        return membership.role if membership else None

    @property
    def active_membership(self) -> Membership | None:
        # Cached per instance: a request asks for it many times.
        if not hasattr(self, "_active_membership"):
            self._active_membership = (
                Membership.objects.select_related("agency__partnership")
                .filter(user_id=self.pk, is_active=True, agency__is_active=True)
                .first()
                if self.pk
                else None
            )
        return self._active_membership

    @property
    def partnership(self) -> Partnership | None:
        membership = self.active_membership
        return membership.agency.partnership if membership else None

    def display_name(self) -> str:
        return self.get_full_name() or self.username


def role_of(user) -> str | None:
    """The role of whoever is asking: `User.role` for a signed-in user (or an API token's user); None for
    an anonymous visitor. The one way the access policy reads a role: an inactive membership or agency
    gives none, and a superuser has no role unless they have a membership."""
    return user.role if getattr(user, "is_authenticated", False) else None


def membership_of(user) -> Membership | None:
    """`User.active_membership` for a signed-in user; None for an anonymous visitor. See `role_of`."""
    return user.active_membership if getattr(user, "is_authenticated", False) else None


class Membership(models.Model):
    """A user's place in the partnership: one agency, one role."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="membership")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(max_length=32, choices=Role.choices)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()}, {self.agency}"


class Passkey(TimestampMixin, Device):
    """A WebAuthn credential — a passkey or a hardware security key — usable as the second factor.

    An account enrols an authenticator app or a passkey through its set-up link, and may add passkeys
    afterwards. Being a django-otp Device, a sign-in completed with a passkey is "verified" exactly as one completed
    with an authenticator app, and removing the passkey ends that verification at once.
    Only public material is stored: the credential id, its public key and the signature counter.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="passkeys")
    # base64url of the raw credential id, as browsers report it: the lookup key at sign-in.
    credential_id = models.CharField(max_length=1400, unique=True)
    public_key = models.BinaryField(help_text="COSE-encoded public key")
    sign_count = models.BigIntegerField(default=0)
    transports = models.JSONField(default=list, blank=True)
    # The relying party (host name) the credential was made for: it can only be used there.
    rp_id = models.CharField(max_length=253)
    aaguid = models.CharField(max_length=36, blank=True)
    backed_up = models.BooleanField(default=False, help_text="Synced by its provider (a passkey), not device-bound")

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = "passkey or security key"

    def __str__(self) -> str:
        return self.name


class EnrolmentLinkEnd(models.TextChoices):
    """Why a set-up link stopped working before it was used to enrol."""

    SUPERSEDED = "superseded", "A newer link was issued"
    DISABLED = "disabled", "The account was disabled"


def new_enrolment_token() -> str:
    # 256 bits from the OS's generator: unguessable, so a fast hash is enough to store it.
    return secrets.token_urlsafe(32)


class EnrolmentLink(models.Model):
    """A one-time set-up link for a new account: the only way to enrol a second factor at first sign-in.

    Knowing an account's password is not enough to enrol an authenticator: whoever enrols must also hold
    the link the administrator passed on. Only the SHA-256 of the token is stored, as for API tokens: it
    carries 256 bits, so a fast hash is enough and a copy of the database yields no usable link. The link
    works once (`used_at`), until `expires_at`, and stops working when a newer one is issued or the
    account is disabled (`ended_at`, `end_reason`). Using it gives only the session that used it the right
    to set a first password (if the account has none) and enrol, for ENROLMENT_SESSION_SECONDS.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="enrolment_links")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text="Empty when issued at the command line by an operator",
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True, help_text="When the link was opened and used: once only")
    enrolled_at = models.DateTimeField(null=True, blank=True,
                                       help_text="When the account's second factor was set up through it")
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=16, choices=EnrolmentLinkEnd.choices, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Set-up link {self.pk} for {self.user}"

    def status_at(self, now: datetime) -> str:
        """`enrolled`, `superseded`, `disabled`, `used`, `expired` or `active` (may still be used)."""
        if self.enrolled_at is not None:
            return "enrolled"
        if self.ended_at is not None:
            return self.end_reason or "superseded"
        if self.used_at is not None:
            return "used"
        if self.expires_at <= now:
            return "expired"
        return "active"
