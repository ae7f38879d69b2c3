"""Every change to casework goes through these functions.

Each one: keyword-only `actor`, the permission check, the change and its audit event in
one transaction. A rule the change would break raises CaseworkError naming the form
field it belongs to, so a page can show it beside what the person typed.
"""

from __future__ import annotations

from datetime import date, datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from wrekin.access.casework import get_case_for_user, require_case_changer, require_closure_approver
from wrekin.access.policy import get_person_for_user
from wrekin.audit.actions import record_event
from wrekin.casework.clocks import CLOCK_WORKING_DAYS, due_dates
from wrekin.casework.models import (
    REVIEW_INTERVAL,
    Case,
    CaseReview,
    CaseState,
    CaseTeamMember,
    ClosureDecision,
    ClosureRequest,
    PlanAction,
    PlanActionStatus,
    RiskLevel,
    RiskLevelChoice,
    StrategyClock,
    StrategyDiscussion,
)
from wrekin.casework.queries import partnership_agencies, team_candidates
from wrekin.people.models import Involvement, InvolvementKind, Person, PersonKind

LEAD_ROLE = "Lead professional"


class CaseworkError(Exception):
    """A change refused by a casework rule. `field` is the form field the message belongs beside."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


# --- helpers ---------------------------------------------------------------------------------


def _today(today: date | None) -> date:
    return today or timezone.localdate()


def _case_for_change(actor, case_id: int, *, allow_closed: bool = False) -> Case:
    """The case, locked for this transaction; 404 if the actor cannot see it."""
    require_case_changer(actor)
    visible = get_case_for_user(actor, case_id)
    case = Case.objects.select_for_update().get(pk=visible.pk)
    case.person = visible.person
    if not allow_closed and not case.is_open:
        raise CaseworkError("This case is closed and cannot be changed")
    return case


def _move(case: Case, state: str) -> None:
    if not case.can_move_to(state):
        raise CaseworkError(
            f"A case in {CaseState(case.state).label.lower()} cannot move to {CaseState(state).label.lower()}"
        )
    case.state = state


def _candidate(actor, user_id: int, field: str):
    user = team_candidates(actor.partnership).filter(pk=user_id).first()
    if user is None:
        raise CaseworkError("Choose a professional in this partnership who can work on cases", field)
    return user


def _ensure_working_with(*, actor, person: Person, agency, worker, today: date, via: str) -> None:
    """Make `agency` part of the child's work so its practitioners can see the child."""
    if Involvement.objects.filter(person=person, agency=agency, kind=InvolvementKind.WORKING_WITH,
                                  ended_on__isnull=True).exists():
        return
    involvement = Involvement.objects.create(person=person, agency=agency, kind=InvolvementKind.WORKING_WITH,
                                             started_on=today, worker=worker)
    record_event("person.involvement_added", actor=actor, person=person, target=involvement,
                 details={"kind": InvolvementKind.WORKING_WITH, "agency_id": agency.pk, "via": via})


def _join_team(*, actor, case: Case, user, role_in_team: str, today: date) -> CaseTeamMember:
    member = CaseTeamMember.objects.create(case=case, user=user, agency=user.agency, role_in_team=role_in_team,
                                           added_on=today, added_by=actor)
    _ensure_working_with(actor=actor, person=case.person, agency=user.agency, worker=user, today=today,
                         via="case_team")
    return member


def _current_member(case: Case, user) -> CaseTeamMember | None:
    return case.team.filter(user=user, removed_on__isnull=True).first()


# --- opening and the team --------------------------------------------------------------------


def open_case(*, actor, person_id: int, reason: str, lead_professional_id: int,
              today: date | None = None) -> Case:
    require_case_changer(actor)
    today = _today(today)
    with transaction.atomic():
        person = get_person_for_user(actor, person_id)
        if person.kind != PersonKind.CHILD:
            raise CaseworkError("Cases are opened for children and young people only")
        if Case.objects.filter(person=person).exclude(state=CaseState.CLOSED).exists():
            raise CaseworkError("This child already has an open case: work on it there")
        lead = _candidate(actor, lead_professional_id, "lead_professional")
        try:
            with transaction.atomic():
                case = Case.objects.create(
                    person=person, reason=reason, lead_professional=lead, opened_on=today,
                    opened_by=actor, opened_by_agency=actor.agency, next_review_due=today + REVIEW_INTERVAL,
                )
        except IntegrityError:  # another case opened for the child a moment ago
            raise CaseworkError("This child already has an open case: work on it there") from None
        _join_team(actor=actor, case=case, user=lead, role_in_team=LEAD_ROLE, today=today)
        record_event("case.opened", actor=actor, person=person, target=case,
                     details={"lead_professional_id": lead.pk})
    return case


def change_lead_professional(*, actor, case_id: int, lead_professional_id: int,
                             today: date | None = None) -> Case:
    today = _today(today)
    with transaction.atomic():
        case = _case_for_change(actor, case_id)
        lead = _candidate(actor, lead_professional_id, "lead_professional")
        if lead.pk == case.lead_professional_id:
            raise CaseworkError("This professional is already the lead", "lead_professional")
        previous = case.lead_professional_id
        case.lead_professional = lead
        case.save(update_fields=["lead_professional"])
        if _current_member(case, lead) is None:
            _join_team(actor=actor, case=case, user=lead, role_in_team=LEAD_ROLE, today=today)
        record_event("case.lead_changed", actor=actor, person=case.person, target=case,
                     details={"from_user_id": previous, "to_user_id": lead.pk})
    return case


def add_team_member(*, actor, case_id: int, user_id: int, role_in_team: str,
                    today: date | None = None) -> CaseTeamMember:
    today = _today(today)
    with transaction.atomic():
        case = _case_for_change(actor, case_id)
        user = _candidate(actor, user_id, "user")
        if _current_member(case, user) is not None:
            raise CaseworkError("This professional is already on the team", "user")
        member = _join_team(actor=actor, case=case, user=user, role_in_team=role_in_team, today=today)
        record_event("case.team_member_added", actor=actor, person=case.person, target=member,
                     details={"case_id": case.pk, "user_id": user.pk, "agency_id": member.agency_id})
    return member


def remove_team_member(*, actor, case_id: int, member_id: int, today: date | None = None) -> CaseTeamMember:
    today = _today(today)
    with transaction.atomic():
        case = _case_for_change(actor, case_id)
        member = case.team.filter(pk=member_id, removed_on__isnull=True).first()
        if member is None:
            raise CaseworkError("This professional is not on the team")
        if member.user_id == case.lead_professional_id:
            raise CaseworkError("The lead professional cannot leave the team: choose a new lead first")
        if case.actions.filter(owner_id=member.user_id, status=PlanActionStatus.OPEN).exists():
            raise CaseworkError("This professional owns open plan actions: complete, cancel or pass them on first")
        member.removed_on = today
        member.removed_by = actor
        member.save(update_fields=["removed_on", "removed_by"])
        record_event("case.team_member_removed", actor=actor, person=case.person, target=member,
                     details={"case_id": case.pk, "user_id": member.user_id})
    return member


# --- risk, plan and reviews ------------------------------------------------------------------


def record_risk_level(*, actor, case_id: int, level: str, rationale: str, basis: str = "",
                      screening_id: int | None = None, now: datetime | None = None) -> RiskLevel:
    now = now or timezone.now()
    with transaction.atomic():
        case = _case_for_change(actor, case_id)
        age = case.person.age_on(timezone.localdate(now))
        # An override rule of screening practice: a child under 13 is never graded low.
        if level == RiskLevelChoice.LOW and age is not None and age < 13:
            raise CaseworkError("A child under 13 cannot be graded low risk", "level")
        risk = RiskLevel.objects.create(case=case, level=level, rationale=rationale, basis=basis,
                                        screening_id=screening_id, recorded_by=actor,
                                        recorded_by_agency=actor.agency, recorded_at=now)
        previous = case.risk_level
        case.risk_level = level
        case.save(update_fields=["risk_level"])
        record_event("case.risk_level_recorded", actor=actor, person=case.person, target=risk,
                     details={"case_id": case.pk, "level": level, "previous": previous,
                              "screening_id": screening_id})
    return risk


def agree_plan(*, actor, case_id: int, agreed_on: date, today: date | None = None) -> Case:
    today = _today(today)
    with transaction.atomic():
        case = _case_for_change(actor, case_id)
        if agreed_on > today:
            raise CaseworkError("The date the plan was agreed cannot be in the future", "agreed_on")
        if agreed_on < case.opened_on:
            raise CaseworkError("The plan cannot be agreed before the case was opened", "agreed_on")
        if not case.actions.filter(status=PlanActionStatus.OPEN).exists():
            raise CaseworkError("Add at least one plan action before agreeing the plan", "agreed_on")
        _move(case, CaseState.PLAN)
        case.plan_agreed_on = agreed_on
        case.save(update_fields=["state", "plan_agreed_on"])
        record_event("case.plan_agreed", actor=actor, person=case.person, target=case,
                     details={"agreed_on": agreed_on.isoformat()})
    return case


def add_plan_action(*, actor, case_id: int, description: str, owner_id: int, due_on: date,
                    today: date | None = None) -> PlanAction:
    today = _today(today)
    with transaction.atomic():
        case = _case_for_change(actor, case_id)
        member = case.team.filter(user_id=owner_id, removed_on__isnull=True).select_related("user").first()
        if member is None:
            raise CaseworkError("Choose someone on the case team to own the action", "owner")
        if due_on < today:
            raise CaseworkError("The due date must be today or in the future", "due_on")
        action = PlanAction.objects.create(case=case, description=description, owner=member.user,
                                           agency=member.agency, due_on=due_on, created_by=actor,
                                           created_at=timezone.now())
        record_event("case.plan_action_added", actor=actor, person=case.person, target=action,
                     details={"case_id": case.pk, "owner_id": member.user_id, "due_on": due_on.isoformat()})
    return action


def complete_plan_action(*, actor, case_id: int, action_id: int, status: str, note: str, completed_on: date,
                         today: date | None = None) -> PlanAction:
    today = _today(today)
    if status not in (PlanActionStatus.DONE, PlanActionStatus.CANCELLED):
        raise CaseworkError("Choose whether the action was done or cancelled", "status")
    with transaction.atomic():
        case = _case_for_change(actor, case_id, allow_closed=False)
        action = case.actions.select_for_update().filter(pk=action_id).first()
        if action is None:
            raise CaseworkError("No such action on this case")
        if not action.is_open:
            raise CaseworkError("This action has already been completed or cancelled")
        if status == PlanActionStatus.CANCELLED and not note.strip():
            raise CaseworkError("Say why the action was cancelled", "note")
        if completed_on > today:
            raise CaseworkError("The date cannot be in the future", "completed_on")
        if completed_on < timezone.localdate(action.created_at):
            raise CaseworkError("The date cannot be before the action was set", "completed_on")
        action.status = status
        action.completion_note = note
        action.completed_on = completed_on
        action.completed_by = actor
        action.save(update_fields=["status", "completion_note", "completed_on", "completed_by"])
        record_event("case.plan_action_completed", actor=actor, person=case.person, target=action,
                     details={"case_id": case.pk, "status": status})
    return action


def record_review(*, actor, case_id: int, held_on: date, summary: str, next_review_due: date | None = None,
                  today: date | None = None) -> CaseReview:
    today = _today(today)
    with transaction.atomic():
        case = _case_for_change(actor, case_id)
        if held_on > today:
            raise CaseworkError("The review date cannot be in the future", "held_on")
        if held_on < case.opened_on:
            raise CaseworkError("The review cannot be before the case was opened", "held_on")
        next_due = next_review_due or held_on + REVIEW_INTERVAL
        if next_due <= held_on:
            raise CaseworkError("The next review must be after this one", "next_review_due")
        review = CaseReview.objects.create(case=case, held_on=held_on, summary=summary, next_review_due=next_due,
                                           recorded_by=actor, recorded_by_agency=actor.agency)
        # The latest review held sets the next one; recording an older review late does not.
        latest = case.reviews.order_by("-held_on", "-pk").first()
        if latest.pk == review.pk:
            case.next_review_due = next_due
            case.save(update_fields=["next_review_due"])
        record_event("case.review_recorded", actor=actor, person=case.person, target=review,
                     details={"case_id": case.pk, "held_on": held_on.isoformat(),
                              "next_review_due": next_due.isoformat()})
    return review


# --- strategy discussions --------------------------------------------------------------------


def record_strategy_discussion(*, actor, case_id: int, held_on: date, agency_ids: list[int], decision: str,
                               rationale: str, today: date | None = None) -> StrategyDiscussion:
    today = _today(today)
    with transaction.atomic():
        case = _case_for_change(actor, case_id)
        if held_on > today:
            raise CaseworkError("The date of the discussion cannot be in the future", "held_on")
        agencies = list(partnership_agencies(actor.partnership).filter(pk__in=agency_ids))
        if not agencies or len(agencies) != len(set(agency_ids)):
            raise CaseworkError("Choose the agencies that took part", "agencies")
        discussion = StrategyDiscussion.objects.create(
            person=case.person, case=case, held_on=held_on, decision=decision, rationale=rationale,
            recorded_by=actor, recorded_by_agency=actor.agency,
        )
        discussion.attendee_agencies.set(agencies)
        StrategyClock.objects.bulk_create([
            StrategyClock(discussion=discussion, kind=kind, working_days=CLOCK_WORKING_DAYS[kind], due_on=due)
            for kind, due in due_dates(held_on, decision).items()
        ])
        # The agencies at the table are part of the child's work from now on.
        for agency in agencies:
            _ensure_working_with(actor=actor, person=case.person, agency=agency, worker=None, today=today,
                                 via="strategy_discussion")
        record_event("strategy_discussion.recorded", actor=actor, person=case.person, target=discussion,
                     details={"case_id": case.pk, "decision": decision, "held_on": held_on.isoformat(),
                              "agency_ids": sorted(a.pk for a in agencies)})
    return discussion


def mark_clock_met(*, actor, case_id: int, clock_id: int, met_on: date, today: date | None = None) -> StrategyClock:
    today = _today(today)
    with transaction.atomic():
        case = _case_for_change(actor, case_id)
        clock = (StrategyClock.objects.select_for_update().select_related("discussion")
                 .filter(pk=clock_id, discussion__case=case).first())
        if clock is None:
            raise CaseworkError("No such deadline on this case")
        if clock.met_on is not None:
            raise CaseworkError("This deadline has already been recorded as met", "met_on")
        if met_on > today:
            raise CaseworkError("The date cannot be in the future", "met_on")
        if met_on < clock.discussion.held_on:
            raise CaseworkError("The date cannot be before the strategy discussion", "met_on")
        clock.met_on = met_on
        clock.marked_by = actor
        clock.marked_at = timezone.now()
        clock.save(update_fields=["met_on", "marked_by", "marked_at"])
        record_event("strategy_discussion.clock_met", actor=actor, person=case.person, target=clock,
                     details={"case_id": case.pk, "kind": clock.kind, "met_on": met_on.isoformat(),
                              "on_time": met_on <= clock.due_on})
    return clock


# --- closure: only by a recorded, approved decision ------------------------------------------


def request_closure(*, actor, case_id: int, reason: str) -> ClosureRequest:
    with transaction.atomic():
        case = _case_for_change(actor, case_id)
        if case.state == CaseState.CLOSURE_REQUESTED:
            raise CaseworkError("Closure has already been asked for: a manager is deciding")
        open_actions = case.actions.filter(status=PlanActionStatus.OPEN).count()
        if open_actions:
            raise CaseworkError(
                f"Complete or cancel the {open_actions} open plan action{'s' if open_actions != 1 else ''} first",
                "reason",
            )
        previous = case.state
        _move(case, CaseState.CLOSURE_REQUESTED)
        request = ClosureRequest.objects.create(case=case, reason=reason, previous_state=previous,
                                                requested_by=actor, requested_by_agency=actor.agency)
        case.save(update_fields=["state"])
        record_event("case.closure_requested", actor=actor, person=case.person, target=request,
                     details={"case_id": case.pk, "previous_state": previous})
    return request


def decide_closure(*, actor, case_id: int, approve: bool, note: str) -> ClosureRequest:
    """A manager's decision on the pending request: approve (the case closes) or return it."""
    with transaction.atomic():
        case = _case_for_change(actor, case_id)
        request = case.closure_requests.select_for_update().filter(decision=ClosureDecision.PENDING).first()
        if request is None or case.state != CaseState.CLOSURE_REQUESTED:
            raise CaseworkError("There is no closure request waiting for a decision")
        require_closure_approver(actor, request)
        if not approve and not note.strip():
            raise CaseworkError("Say why the case is not being closed, so the team knows what to do", "note")
        now = timezone.now()
        request.decision = ClosureDecision.APPROVED if approve else ClosureDecision.RETURNED
        request.decided_by = actor
        request.decided_by_agency = actor.agency
        request.decided_at = now
        request.decision_note = note
        request.save(update_fields=["decision", "decided_by", "decided_by_agency", "decided_at", "decision_note"])
        if approve:
            _move(case, CaseState.CLOSED)
            case.closure = request
            case.closed_at = now
            case.next_review_due = None
            case.save(update_fields=["state", "closure", "closed_at", "next_review_due"])
            record_event("case.closure_approved", actor=actor, person=case.person, target=request,
                         details={"case_id": case.pk})
        else:
            _move(case, request.previous_state)
            case.save(update_fields=["state"])
            record_event("case.closure_returned", actor=actor, person=case.person, target=request,
                         details={"case_id": case.pk, "returned_to": request.previous_state})
    return request
