"""Referrals (concerns), screening instruments and screenings.

A referral is what any agency tells the partnership about a child: what happened, the
indicators seen (codes from the screening instrument version current at the time), the
people, vehicles, phones, places and online handles mentioned, and the lawful basis for
sharing. Triage decides what happens next. A screening grades the concern against a
versioned instrument; the grade is a professional judgement with a written rationale, and
the advisory score beside it only informs that judgement.
"""

from __future__ import annotations

from functools import cached_property

from django.conf import settings
from django.db import models


class ScreeningInstrument(models.Model):
    """One version of a screening instrument, loaded from a YAML file.

    The definition is stored whole, so a screening always shows the indicators, grades and
    weights of the version it used, even after the file has moved on to a later version.
    A version that has been used can never be replaced (see `actions.load_instruments`).
    """

    code = models.SlugField(max_length=60)
    version = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    definition = models.JSONField()
    sha256 = models.CharField(max_length=64)
    source_name = models.CharField(max_length=300, help_text="The file it was loaded from")
    loaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="referrals_instrument_code_version"),
        ]

    def __str__(self) -> str:
        return f"{self.title}, version {self.version}"

    # The definition is validated when the file is loaded (instrument_files.validate_definition),
    # so these accessors can trust its shape.
    @property
    def indicators(self) -> list[dict]:
        return self.definition["indicators"]

    @cached_property
    def indicator_map(self) -> dict[str, dict]:
        return {indicator["code"]: indicator for indicator in self.indicators}

    @property
    def grades(self) -> list[dict]:
        """Grades from the lowest to the highest."""
        return self.definition["grades"]

    def grade_choices(self) -> list[tuple[str, str]]:
        return [(grade["code"], grade["label"]) for grade in self.grades]

    def grade_label(self, code: str) -> str:
        return dict(self.grade_choices()).get(code, code)

    def grade_rank(self, code: str) -> int:
        return [grade["code"] for grade in self.grades].index(code)

    @property
    def override_floor(self) -> str:
        return self.definition["override_floor"]

    def grades_below_floor(self) -> list[dict]:
        return self.grades[: self.grade_rank(self.override_floor)]

    @property
    def review_months(self) -> int:
        return self.definition["review_months"]

    def indicators_by_category(self) -> list[tuple[str, str, list[dict]]]:
        """(category code, heading, indicators) in the CSA Centre order, skipping empty categories."""
        groups = []
        for code, heading in INDICATOR_CATEGORIES:
            items = [i for i in self.indicators if i["category"] == code]
            if items:
                groups.append((code, heading, items))
        return groups

    def is_used(self) -> bool:
        return self.screenings.exists() or self.referrals.exists()


# Categories after the Centre of expertise on child sexual abuse (2017): what makes a child
# more vulnerable, what signals a risk, and what shows harm has already happened.
INDICATOR_CATEGORIES = (
    ("vulnerability", "Vulnerabilities"),
    ("risk_indicator", "Risk indicators"),
    ("evidence_of_harm", "Evidence of harm"),
)
INDICATOR_TYPES = (
    ("cse", "CSE"),
    ("cce", "CCE"),
    ("both", "CSE and CCE"),
)


class LawfulBasis(models.TextChoices):
    PUBLIC_TASK = "public_task", "Public task — UK GDPR Article 6(1)(e)"
    LEGAL_OBLIGATION = "legal_obligation", "Legal obligation — UK GDPR Article 6(1)(c)"
    VITAL_INTERESTS = "vital_interests", "Vital interests — UK GDPR Article 6(1)(d)"


class SpecialCategoryCondition(models.TextChoices):
    SAFEGUARDING = "safeguarding", (
        "Safeguarding of children and individuals at risk — UK GDPR Article 9(2)(g) with "
        "Data Protection Act 2018 Schedule 1 paragraph 18"
    )
    NONE = "none", "No special category information is shared"


class ConsentStatus(models.TextChoices):
    GIVEN = "given", "Consent given"
    REFUSED = "refused", "Consent refused — shared without consent"
    NOT_SOUGHT = "not_sought", "Consent not sought — shared without consent"


class ReferralStatus(models.TextChoices):
    AWAITING_TRIAGE = "awaiting_triage", "Awaiting triage"
    SCREENING = "screening", "Passed for screening"
    NO_FURTHER_ACTION = "no_further_action", "No further action"
    PASSED_ON = "passed_on", "Passed to another agency"


class Referral(models.Model):
    """A concern about a child raised by any agency in the partnership."""

    partnership = models.ForeignKey("accounts.Partnership", on_delete=models.PROTECT, related_name="referrals")
    child = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="referrals")
    referring_agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="referrals_made")
    referred_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    occurred_on = models.DateField(help_text="When what is described happened (or was first seen)")
    narrative = models.TextField()
    # The indicators ticked, as codes of this instrument version: the version travels with them.
    instrument = models.ForeignKey(ScreeningInstrument, on_delete=models.PROTECT, related_name="referrals")
    indicators = models.JSONField(default=list, blank=True)
    lawful_basis = models.CharField(max_length=20, choices=LawfulBasis.choices)
    special_category_condition = models.CharField(
        max_length=20, choices=SpecialCategoryCondition.choices, default=SpecialCategoryCondition.SAFEGUARDING
    )
    consent_status = models.CharField(max_length=12, choices=ConsentStatus.choices)
    consent_reason = models.TextField(
        blank=True, help_text="Why the information is shared without consent (required unless consent was given)"
    )
    status = models.CharField(max_length=20, choices=ReferralStatus.choices, default=ReferralStatus.AWAITING_TRIAGE)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["partnership", "status", "created_at"]),
            models.Index(fields=["child", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"Referral {self.pk} from {self.referring_agency}"

    @property
    def shared_without_consent(self) -> bool:
        return self.consent_status != ConsentStatus.GIVEN


class MentionKind(models.TextChoices):
    PERSON = "person", "Person"
    VEHICLE = "vehicle", "Vehicle"
    PHONE = "phone", "Phone number"
    PLACE = "place", "Place or address"
    BUSINESS = "business", "Business"
    ONLINE = "online", "Online account or handle"


class ReferralMention(models.Model):
    """Something named in a referral — a person, vehicle, phone, place, business or online handle.

    Kept as typed (partial plates and half-remembered numbers are intelligence too) with a
    simple normalised form for matching; entity resolution is the intelligence app's work.
    """

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="mentions")
    kind = models.CharField(max_length=10, choices=MentionKind.choices)
    value = models.CharField(max_length=200, help_text="As typed")
    normalised = models.CharField(max_length=200, blank=True, db_index=True)
    relationship = models.CharField(
        max_length=200, blank=True, help_text='As stated, for example "child was picked up in"'
    )
    detail = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.value}"


class TriageOutcome(models.TextChoices):
    SCREEN = "screen", "Screen for exploitation"
    NO_FURTHER_ACTION = "no_further_action", "No further action"
    PASS_ON = "pass_on", "Pass to another agency"


class TriageDecision(models.Model):
    """The recorded decision on a referral: nobody leaves the queue without one."""

    referral = models.OneToOneField(Referral, on_delete=models.PROTECT, related_name="triage")
    outcome = models.CharField(max_length=20, choices=TriageOutcome.choices)
    reason = models.TextField(blank=True)
    passed_to_agency = models.ForeignKey(
        "accounts.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="referrals_passed_to"
    )
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} ({self.referral_id})"


class IndicatorAnswerValue(models.TextChoices):
    PRESENT = "present", "Present"
    POSSIBLE = "possible", "Possible"
    NOT_PRESENT = "not_present", "Not present"
    NOT_KNOWN = "not_known", "Not known"


class TimeWindow(models.TextChoices):
    LAST_3_MONTHS = "last_3_months", "In the last 3 months"
    LAST_6_MONTHS = "last_6_months", "In the last 6 months"
    HISTORIC = "historic", "Historic (more than 6 months ago)"


class EvidenceBasis(models.TextChoices):
    EVIDENCE = "evidence", "Evidence"
    PROFESSIONAL_CONCERN = "professional_concern", "Professional concern"


class ScreeningStatus(models.TextChoices):
    AWAITING_APPROVAL = "awaiting_approval", "Awaiting approval"
    APPROVED = "approved", "Approved"
    RETURNED = "returned", "Returned for changes"


class OverrideRule(models.TextChoices):
    UNDER_13 = "under_13", "The child was under 13 on the screening date"
    LEARNING_DISABILITY = "learning_disability", "The child has a learning disability"
    DISCLOSURE = "disclosure", "The child has made a disclosure"


class Screening(models.Model):
    """A child screened against one instrument version, graded by professional judgement."""

    partnership = models.ForeignKey("accounts.Partnership", on_delete=models.PROTECT, related_name="screenings")
    child = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="screenings")
    referral = models.ForeignKey(Referral, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="screenings")
    # A returned screening is corrected by a new one that revises it; the returned one is kept.
    revises = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="revisions")
    instrument = models.ForeignKey(ScreeningInstrument, on_delete=models.PROTECT, related_name="screenings")
    agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="screenings")
    screened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    screened_on = models.DateField()
    learning_disability = models.BooleanField(default=False)
    grade = models.CharField(max_length=40, help_text="A grade code of the instrument version")
    rationale = models.TextField()
    # Kept as computed at submission; the parts are recomputed from the answers for display.
    advisory_score = models.DecimalField(max_digits=7, decimal_places=2)
    override_rules = models.JSONField(default=list, blank=True, help_text="Codes of the override rules that applied")
    review_on = models.DateField()
    status = models.CharField(max_length=20, choices=ScreeningStatus.choices,
                              default=ScreeningStatus.AWAITING_APPROVAL)
    submitted_at = models.DateTimeField()
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-screened_on", "-submitted_at", "-pk"]
        indexes = [
            models.Index(fields=["partnership", "status"]),
            models.Index(fields=["child", "status", "review_on"]),
        ]

    def __str__(self) -> str:
        return f"Screening {self.pk} of person {self.child_id}"

    @property
    def grade_label(self) -> str:
        return self.instrument.grade_label(self.grade)

    def override_rule_labels(self) -> list[str]:
        return [OverrideRule(code).label for code in self.override_rules if code in OverrideRule.values]


class ScreeningAnswer(models.Model):
    """The answer to one indicator of a screening."""

    screening = models.ForeignKey(Screening, on_delete=models.CASCADE, related_name="answers")
    indicator = models.CharField(max_length=60, help_text="An indicator code of the screening's instrument version")
    answer = models.CharField(max_length=12, choices=IndicatorAnswerValue.choices)
    window = models.CharField(max_length=14, choices=TimeWindow.choices, blank=True)
    source_agency = models.ForeignKey("accounts.Agency", null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="+")
    basis = models.CharField(max_length=20, choices=EvidenceBasis.choices, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["screening", "indicator"], name="referrals_one_answer_per_indicator"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator}: {self.answer}"


class RescreeningFlag(models.Model):
    """New information (a referral) about a child who already has a completed screening.

    Open until a new screening of the child is submitted.
    """

    child = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="rescreening_flags")
    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="rescreening_flags")
    raised_at = models.DateTimeField()
    resolved_by = models.ForeignKey(Screening, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="resolved_flags")
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-raised_at", "-pk"]

    def __str__(self) -> str:
        return f"Re-screening needed for person {self.child_id}"

    @property
    def is_open(self) -> bool:
        return self.resolved_by_id is None
