"""Intelligence reports, graded by the UK 3x5x2 scheme.

Source evaluation (1 reliable, 2 untested, 3 not reliable), intelligence assessment (A known
directly ... E suspected false) and handling code (P: may be shared lawfully; C: conditions
apply, written out in `handling_conditions` with the users who may receive it). Who sees a
report is decided in wrekin/access/intelligence.py from the handling code.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class SourceEvaluation(models.TextChoices):
    RELIABLE = "1", "1 – Reliable"
    UNTESTED = "2", "2 – Untested"
    NOT_RELIABLE = "3", "3 – Not reliable"


class IntelligenceAssessment(models.TextChoices):
    KNOWN_DIRECTLY = "A", "A – Known directly to the source"
    KNOWN_INDIRECTLY_CORROBORATED = "B", "B – Known indirectly to the source but corroborated"
    KNOWN_INDIRECTLY = "C", "C – Known indirectly to the source"
    NOT_KNOWN = "D", "D – Not known"
    SUSPECTED_FALSE = "E", "E – Suspected to be false"


class HandlingCode(models.TextChoices):
    LAWFUL_SHARING = "P", "P – May be shared lawfully"
    CONDITIONS = "C", "C – Conditions apply"


class IntelligenceReport(models.Model):
    partnership = models.ForeignKey("accounts.Partnership", on_delete=models.PROTECT, related_name="+")
    title = models.CharField(max_length=200, help_text="A short factual heading")
    narrative = models.TextField()
    information_date = models.DateField(help_text="When the information was obtained")
    source_evaluation = models.CharField(max_length=1, choices=SourceEvaluation.choices)
    intelligence_assessment = models.CharField(max_length=1, choices=IntelligenceAssessment.choices)
    handling_code = models.CharField(max_length=1, choices=HandlingCode.choices)
    handling_conditions = models.TextField(blank=True, help_text="Required for handling code C")
    # Handling code C: the only users, beyond coordinators, analysts and the author, who may read it.
    recipients = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    subject_children = models.ManyToManyField("people.Person", blank=True, related_name="intelligence_reports")
    subject_persons = models.ManyToManyField("people.Person", blank=True,
                                             related_name="intelligence_reports_as_subject")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_by_agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["-recorded_at", "-pk"]
        indexes = [models.Index(fields=["partnership", "handling_code", "recorded_at"], name="intel_report_list")]

    def __str__(self) -> str:
        return f"Intelligence report {self.pk}"

    @property
    def grading(self) -> str:
        """The 3x5x2 grading in its usual short form, e.g. "2/B/P"."""
        return f"{self.source_evaluation}/{self.intelligence_assessment}/{self.handling_code}"
