"""Partnerships, agencies and the people who use Wrekin.

A user belongs to one agency with one role (their Membership). Roles grant
capabilities; what records a user may see is decided only in `wrekin.access`.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
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

    TOTP stays every account's enrolled factor; a passkey is an option added afterwards. Being a
    django-otp Device, a sign-in completed with a passkey is "verified" exactly as one completed
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
