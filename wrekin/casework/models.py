"""Casework: a child's case from opening to an approved closure, its team, plan, reviews,
risk history and strategy discussions with their working-day clocks.

Every change goes through wrekin.casework.actions; these models only guard the rules that
must hold whatever the caller does (one open case per child; a case is closed only by an
approved closure decision — enforced by a database constraint as well as in save()).
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

REVIEW_INTERVAL = timedelta(weeks=12)


class CaseState(models.TextChoices):
    ASSESSMENT = "assessment", "Assessment"
    PLAN = "plan", "Safeguarding plan"
    CLOSURE_REQUESTED = "closure_requested", "Closure requested"
    CLOSED = "closed", "Closed"


# The lifecycle. Closing is only reached from a closure request, and only by a manager's approval;
# a returned request goes back to the state the case was in when closure was asked for.
TRANSITIONS: dict[str, frozenset[str]] = {
    CaseState.ASSESSMENT: frozenset({CaseState.PLAN, CaseState.CLOSURE_REQUESTED}),
    CaseState.PLAN: frozenset({CaseState.CLOSURE_REQUESTED}),
    CaseState.CLOSURE_REQUESTED: frozenset({CaseState.CLOSED, CaseState.ASSESSMENT, CaseState.PLAN}),
    CaseState.CLOSED: frozenset(),
}


class RiskLevelChoice(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


class ClosureDecision(models.TextChoices):
    PENDING = "pending", "Awaiting a manager's decision"
    APPROVED = "approved", "Approved"
    RETURNED = "returned", "Returned"


class Case(models.Model):
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="cases")
    state = models.CharField(max_length=20, choices=CaseState.choices, default=CaseState.ASSESSMENT,
                             db_index=True)
    reason = models.TextField("why the case was opened")
    lead_professional = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                          related_name="cases_led")
    opened_on = models.DateField()
    opened_at = models.DateTimeField(default=timezone.now)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    opened_by_agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="+")
    plan_agreed_on = models.DateField(null=True, blank=True)
    # The latest RiskLevel's level, kept here so lists can filter on it without a subquery.
    risk_level = models.CharField(max_length=10, choices=RiskLevelChoice.choices, blank=True)
    next_review_due = models.DateField(null=True, blank=True, db_index=True)
    # The approved decision that closed the case: without one a case cannot be closed.
    closure = models.OneToOneField("ClosureRequest", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="closed_case")
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-opened_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["person"], condition=~Q(state="closed"),
                                    name="casework_one_open_case_per_child"),
            models.CheckConstraint(
                condition=~Q(state="closed") | Q(closure__isnull=False, closed_at__isnull=False),
                name="casework_closed_only_by_decision",
            ),
            models.CheckConstraint(condition=Q(state__in=[s.value for s in CaseState]),
                                   name="casework_case_state_valid"),
        ]

    def __str__(self) -> str:
        return f"Case {self.pk}"

    @property
    def is_open(self) -> bool:
        return self.state != CaseState.CLOSED

    def can_move_to(self, state: str) -> bool:
        return state in TRANSITIONS[self.state]

    def save(self, *args, **kwargs):
        # The database refuses a closed case with no decision; this also refuses one whose
        # decision was not an approval, which a constraint across two tables cannot express.
        if self.state == CaseState.CLOSED:
            closure = self.closure
            if closure is None or closure.decision != ClosureDecision.APPROVED or closure.case_id != self.pk:
                raise ValueError("A case is closed only by an approved closure decision")
        super().save(*args, **kwargs)


class CaseTeamMember(models.Model):
    """A professional on the child's multi-agency team. Removal ends membership; the row stays."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="team")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="case_teams")
    agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="+")
    role_in_team = models.CharField(max_length=120)
    added_on = models.DateField()
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    removed_on = models.DateField(null=True, blank=True)
    removed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")

    class Meta:
        ordering = ["added_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["case", "user"], condition=Q(removed_on__isnull=True),
                                    name="casework_one_current_membership"),
        ]

    def __str__(self) -> str:
        return f"{self.user} on case {self.case_id}"

    @property
    def is_current(self) -> bool:
        return self.removed_on is None


class RiskLevel(models.Model):
    """One recorded risk judgement. The history is kept; the case shows the latest."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="risk_levels")
    level = models.CharField(max_length=10, choices=RiskLevelChoice.choices)
    rationale = models.TextField()
    # What the judgement rests on, e.g. "screening of 3 March" or "MACE discussion".
    basis = models.CharField(max_length=200, blank=True)
    # The referrals app's screening, by id only: casework does not depend on that app.
    screening_id = models.PositiveIntegerField(null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_by_agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-recorded_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_level_display()} risk on case {self.case_id}"


class PlanActionStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"


class PlanAction(models.Model):
    """An action in the child's safeguarding plan, owned by one professional."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="actions")
    description = models.TextField()
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="plan_actions")
    # The owner's agency when the action was set: the agency answerable for it.
    agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField(db_index=True)
    status = models.CharField(max_length=10, choices=PlanActionStatus.choices, default=PlanActionStatus.OPEN)
    completion_note = models.TextField(blank=True)
    completed_on = models.DateField(null=True, blank=True)
    completed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["owner", "status", "due_on"])]

    def __str__(self) -> str:
        return f"Action {self.pk} on case {self.case_id}"

    @property
    def is_open(self) -> bool:
        return self.status == PlanActionStatus.OPEN


class CaseReview(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="reviews")
    held_on = models.DateField()
    summary = models.TextField()
    next_review_due = models.DateField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_by_agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-held_on", "-pk"]

    def __str__(self) -> str:
        return f"Review of case {self.case_id} on {self.held_on}"


class ClosureRequest(models.Model):
    """A request to close a case and the manager's recorded decision on it."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="closure_requests")
    reason = models.TextField()
    previous_state = models.CharField(max_length=20, choices=CaseState.choices)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_by_agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    decision = models.CharField(max_length=10, choices=ClosureDecision.choices, default=ClosureDecision.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_by_agency = models.ForeignKey("accounts.Agency", null=True, blank=True, on_delete=models.PROTECT,
                                          related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["case"], condition=Q(decision="pending"),
                                    name="casework_one_pending_closure"),
            models.CheckConstraint(
                condition=Q(decision="pending", decided_by__isnull=True, decided_at__isnull=True)
                | (~Q(decision="pending") & Q(decided_by__isnull=False, decided_at__isnull=False)),
                name="casework_decision_has_decider",
            ),
        ]

    def __str__(self) -> str:
        return f"Closure request {self.pk} on case {self.case_id}"


class StrategyDecision(models.TextChoices):
    SECTION_47 = "section_47", "Section 47 enquiry"
    NO_SECTION_47 = "no_section_47", "No section 47 enquiry — other support"


class StrategyDiscussion(models.Model):
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="strategy_discussions")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="strategy_discussions")
    held_on = models.DateField()
    attendee_agencies = models.ManyToManyField("accounts.Agency", related_name="+")
    decision = models.CharField(max_length=20, choices=StrategyDecision.choices)
    rationale = models.TextField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_by_agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-held_on", "-pk"]

    def __str__(self) -> str:
        return f"Strategy discussion {self.pk} on {self.held_on}"


class ClockKind(models.TextChoices):
    FOLLOW_UP_MEETING = "follow_up_meeting", "Follow-up strategy meeting"
    INITIAL_CONFERENCE = "initial_conference", "Initial child protection conference"
    ASSESSMENT = "assessment", "Assessment completed"


class StrategyClock(models.Model):
    """A deadline set by a strategy discussion, counted in working days from the day it was held.

    The due date is computed once, when the discussion is recorded, with the working-day
    calendar in force then; a closure declared later does not move a deadline already set.
    """

    discussion = models.ForeignKey(StrategyDiscussion, on_delete=models.CASCADE, related_name="clocks")
    kind = models.CharField(max_length=20, choices=ClockKind.choices)
    working_days = models.PositiveSmallIntegerField()
    due_on = models.DateField(db_index=True)
    met_on = models.DateField(null=True, blank=True)
    marked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    marked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["discussion", "kind"], name="casework_one_clock_per_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} due {self.due_on}"
