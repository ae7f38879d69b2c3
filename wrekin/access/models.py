"""Records the access policy keeps: restricted-record lists, break-glass grants and notifications."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class RestrictedAccess(models.Model):
    """A named user allowed to open a restricted person's record (e.g. a staff member's relative)."""

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="restricted_access")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT,
                                   related_name="+")
    granted_at = models.DateTimeField(default=timezone.now)
    reason = models.TextField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["person", "user"], name="one_restricted_access_per_user")]


class BreakGlassGrant(models.Model):
    """Time-limited access beyond the policy, given by the user's own stated reason and always reviewed."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="break_glass_grants")
    reason = models.TextField()
    granted_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(db_index=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_outcome = models.CharField(max_length=20, blank=True,
                                      choices=[("justified", "Justified"), ("not_justified", "Not justified")])
    review_note = models.TextField(blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "expires_at"])]

    def is_active(self, now=None) -> bool:
        now = now or timezone.now()
        return self.ended_at is None and self.expires_at > now


class NotificationKind(models.TextChoices):
    KNOWN_TO_LOOKUP = "known_to_lookup", "A child you lead on was looked up"
    KNOWN_TO_REFERRAL = "known_to_referral", "A concern was raised about a child you lead on"
    BREAK_GLASS = "break_glass", "Break-glass access used"
    UNUSUAL_ACCESS = "unusual_access", "Unusual access"


class Notification(models.Model):
    """A message to one user. Carries ids and a short factual text, never case narrative."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                  related_name="notifications")
    kind = models.CharField(max_length=30, choices=NotificationKind.choices)
    person = models.ForeignKey("people.Person", null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    message = models.CharField(max_length=300)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["recipient", "read_at"])]


class LawfulBasis(models.TextChoices):
    """UK GDPR Article 6 basis with the Article 9 / DPA 2018 condition used for safeguarding."""

    PUBLIC_TASK_SAFEGUARDING = "public_task_safeguarding", (
        "Public task (Art 6(1)(e)) with safeguarding of children (DPA 2018 Sch 1 para 18)"
    )
    LEGAL_OBLIGATION = "legal_obligation", "Legal obligation (Art 6(1)(c)), e.g. a court order or statutory duty"
    VITAL_INTERESTS = "vital_interests", "Vital interests (Art 6(1)(d)): risk to life"
    CONSENT = "consent", "Consent of the person (Art 6(1)(a))"
    LAW_ENFORCEMENT = "law_enforcement", "Law enforcement purposes (DPA 2018 Part 3)"


class SharingDecision(models.TextChoices):
    SHARED = "shared", "Shared"
    NOT_SHARED = "not_shared", "Decided not to share"


class SharingMethod(models.TextChoices):
    EXPORT = "export", "Export from Wrekin"
    EMAIL = "email", "Secure email"
    LETTER = "letter", "Letter"
    REPORT = "report", "Report"
    MEETING = "meeting", "Meeting or call"
    OTHER = "other", "Other"


class SharingRecord(models.Model):
    """A disclosure outside the partnership — or a decision not to disclose — and the reasoning.

    "A record should be kept of what has been shared, with whom and for what purpose and the
    reasoning behind it": decisions not to share are recorded the same way.
    """

    partnership = models.ForeignKey("accounts.Partnership", on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey("people.Person", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="sharing_records")
    decision = models.CharField(max_length=12, choices=SharingDecision.choices)
    what = models.TextField(help_text="What was (or would have been) shared")
    recipient_organisation = models.CharField(max_length=200)
    recipient_name = models.CharField(max_length=200, blank=True)
    purpose = models.TextField()
    lawful_basis = models.CharField(max_length=40, choices=LawfulBasis.choices, blank=True)
    reasoning = models.TextField()
    method = models.CharField(max_length=10, choices=SharingMethod.choices, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(default=timezone.now, db_index=True)
    # Set when the record was made by an export, so the file can be traced to its disclosure.
    export_reference = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-decided_at", "-pk"]
