"""Missing episodes, return home interviews and missing-pattern alerts.

A child's missing episode is reported (usually by police, sometimes by a carer through children's
social care), ends when the child returns or is found, and starts the return home interview clock.
Repeated episodes raise a MissingPatternAlert for the coordinators, whose decisions are kept as
MissingPatternDecision rows, so a re-opened alert keeps the history of what was decided before.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models

from wrekin.missing import rules


class PoliceRiskGrade(models.TextChoices):
    # College of Policing missing-persons risk categories (as of 2025).
    NO_APPARENT_RISK = "no_apparent_risk", "No apparent risk"
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


class TravelMode(models.TextChoices):
    CAR = "car", "Car"
    TAXI = "taxi", "Taxi or private hire"
    BUS = "bus", "Bus or coach"
    TRAIN = "train", "Train"
    ON_FOOT = "on_foot", "On foot"
    BICYCLE = "bicycle", "Bicycle or scooter"
    OTHER = "other", "Other"
    NOT_KNOWN = "not_known", "Not known"


class MissingEpisode(models.Model):
    child = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="missing_episodes")
    reported_at = models.DateTimeField("reported missing at")
    reported_by = models.CharField(
        "who reported them missing", max_length=200, blank=True,
        help_text="For example: foster carer, residential home staff, parent",
    )
    police_reference = models.CharField(max_length=40, blank=True)
    # Blank until police have graded the risk (an episode may be recorded first by social care).
    police_risk_grade = models.CharField(max_length=20, choices=PoliceRiskGrade.choices, blank=True)
    last_seen_where = models.CharField("last seen where", max_length=300)
    missing_from_care_placement = models.BooleanField(default=False)
    circumstances = models.TextField(help_text="Factual and non-graphic")

    # The return: blank until the child returns or is found.
    returned_at = models.DateTimeField("returned or found at", null=True, blank=True)
    found_where = models.CharField("where found", max_length=300, blank=True)
    with_whom = models.TextField("with whom", blank=True, help_text="People mentioned, as given")
    travel_modes = models.JSONField("how they travelled", default=list, blank=True)
    vehicle_registration = models.CharField(
        max_length=20, blank=True, help_text="As typed, partial plates included"
    )
    travel_details = models.CharField(max_length=300, blank=True)
    return_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    return_recorded_by_agency = models.ForeignKey(
        "accounts.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    return_recorded_at = models.DateTimeField(null=True, blank=True)

    recorded_by_agency = models.ForeignKey(
        "accounts.Agency", on_delete=models.PROTECT, related_name="missing_episodes_recorded"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-reported_at", "-pk"]
        indexes = [
            models.Index(fields=["child", "reported_at"]),
            models.Index(fields=["returned_at"]),
        ]

    def __str__(self) -> str:
        return f"Missing episode {self.pk} reported {self.reported_at:%Y-%m-%d %H:%M}"

    @property
    def is_open(self) -> bool:
        """Still missing: no return recorded."""
        return self.returned_at is None

    @property
    def interview_due_at(self) -> datetime | None:
        return rules.interview_due_at(self.returned_at) if self.returned_at else None

    def travel_mode_labels(self) -> list[str]:
        labels = dict(TravelMode.choices)
        return [labels.get(code, code) for code in self.travel_modes]

    def interview_clock(self, *, now: datetime | None = None) -> rules.InterviewClock:
        """The 72-hour clock; uses prefetched `interviews` when the caller prefetched them."""
        interviews = list(self.interviews.all())
        offers = [i.offered_at for i in interviews if i.offered_at is not None]
        return rules.interview_clock(
            returned_at=self.returned_at,
            offered_at=min(offers) if offers else None,
            not_offered=any(i.outcome == InterviewOutcome.NOT_OFFERED for i in interviews),
            now=now,
        )


class InterviewOutcome(models.TextChoices):
    OFFERED = "offered", "Offered, not yet held"
    COMPLETED = "completed", "Completed"
    DECLINED = "declined", "Declined by the child"
    NOT_FOUND = "not_found", "Child not found"
    NOT_OFFERED = "not_offered", "Not offered"


# Outcomes after which nothing more will happen on that offer.
FINAL_OUTCOMES = frozenset({InterviewOutcome.COMPLETED, InterviewOutcome.DECLINED,
                            InterviewOutcome.NOT_FOUND, InterviewOutcome.NOT_OFFERED})
# Outcomes where no interview took place: a reason is mandatory (not_held_reason).
NOT_HELD_OUTCOMES = frozenset({InterviewOutcome.DECLINED, InterviewOutcome.NOT_FOUND,
                               InterviewOutcome.NOT_OFFERED})


class ReturnInterview(models.Model):
    """One offer of a return home interview and what came of it.

    An episode can have more than one (a declined offer followed by a second one); the clock is
    met by the first offer. An offer recorded as "offered, not yet held" gets its outcome later,
    once; a final outcome is not changed afterwards.
    """

    episode = models.ForeignKey(MissingEpisode, on_delete=models.PROTECT, related_name="interviews")
    offered_at = models.DateTimeField(null=True, blank=True)
    offered_by_agency = models.ForeignKey(
        "accounts.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    outcome = models.CharField(max_length=20, choices=InterviewOutcome.choices)
    completed_at = models.DateTimeField(
        null=True, blank=True, help_text="When it was held, declined or the attempt ended"
    )
    conducted_by = models.CharField("by whom", max_length=200, blank=True)
    location = models.CharField(max_length=300, blank=True)
    summary = models.TextField(
        blank=True, help_text="Factual: push and pull factors, who they were with, concerns"
    )
    # Mandatory when the offer came after the deadline (72 hours by default).
    late_reason = models.TextField("why the offer was late", blank=True)
    # Mandatory when no interview was held: declined, child not found, or not offered.
    not_held_reason = models.TextField("why no interview was held", blank=True)

    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT,
                                    related_name="+")
    recorded_by_agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    outcome_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    outcome_recorded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["recorded_at", "pk"]

    def __str__(self) -> str:
        return f"Return interview {self.pk} ({self.get_outcome_display()})"

    @property
    def awaiting_outcome(self) -> bool:
        return self.outcome == InterviewOutcome.OFFERED


class AlertStatus(models.TextChoices):
    OPEN = "open", "Open"
    DECIDED = "decided", "Decision recorded"


class MissingPatternAlert(models.Model):
    """A child went missing often enough to meet the trigger rule: one row per child per window.

    A further episode inside (or continuing) the same run of episodes updates this row instead of
    raising another; if a decision had been recorded, the alert opens again for a fresh decision.
    """

    child = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="missing_pattern_alerts")
    episodes = models.ManyToManyField(MissingEpisode, related_name="pattern_alerts")
    episode_count = models.PositiveSmallIntegerField()
    window_start = models.DateTimeField(help_text="When the first episode in the pattern was reported")
    window_end = models.DateTimeField(help_text="When the latest episode in the pattern was reported")
    # The rule that raised it, so the alert explains itself even after the setting changes.
    rule_count = models.PositiveSmallIntegerField()
    rule_days = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=10, choices=AlertStatus.choices, default=AlertStatus.OPEN)
    raised_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["-updated_at", "-pk"]
        indexes = [models.Index(fields=["child", "window_start"]), models.Index(fields=["status"])]

    def __str__(self) -> str:
        return f"Missing-pattern alert {self.pk} ({self.episode_count} episodes)"

    @property
    def rule_description(self) -> str:
        return rules.PatternRule(self.rule_count, self.rule_days).describe()


class PatternDecision(models.TextChoices):
    STRATEGY_REQUESTED = "strategy_requested", "Strategy discussion requested"
    ALREADY_PLANNED = "already_planned", "Strategy discussion already planned"
    NO_ACTION = "no_action", "No strategy discussion"


class MissingPatternDecision(models.Model):
    """What a coordinator or manager decided about an alert, and why. Never edited."""

    alert = models.ForeignKey(MissingPatternAlert, on_delete=models.PROTECT, related_name="decisions")
    decision = models.CharField(max_length=20, choices=PatternDecision.choices)
    reason = models.TextField(blank=True)
    # How many episodes the decision was made on: a later episode re-opens the alert.
    episode_count = models.PositiveSmallIntegerField()
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_by_agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField()

    class Meta:
        ordering = ["-decided_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_decision_display()} on alert {self.alert_id}"
