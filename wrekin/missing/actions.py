"""Every change to missing episodes goes through these functions.

Each one checks the actor may act, fetches the record through the access policy (so an id the
actor cannot see is a 404, never a change), validates, changes and writes its audit event inside
one transaction. Views and the API call these; they never write the models themselves.

Validation failures raise `django.core.exceptions.ValidationError` with a dict keyed by the
argument name (or "__all__"), so a page can put each message beside its field and an API can
return them as they are. `now` exists so tests can freeze time; callers leave it out.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.utils import formats, timezone

from wrekin.access.missing import (
    can_record_missing,
    can_see_pattern_alerts,
    get_episode_for_user,
    get_interview_for_user,
    get_pattern_alert_for_user,
)
from wrekin.access.policy import get_person_for_user
from wrekin.accounts.models import Agency
from wrekin.audit.actions import record_event
from wrekin.intelligence.linking import record_mentions
from wrekin.missing import rules
from wrekin.missing.models import (
    FINAL_OUTCOMES,
    NOT_HELD_OUTCOMES,
    AlertStatus,
    InterviewOutcome,
    MissingEpisode,
    MissingPatternAlert,
    MissingPatternDecision,
    PatternDecision,
    PoliceRiskGrade,
    ReturnInterview,
    TravelMode,
)
from wrekin.people.models import Involvement, InvolvementKind, Person, PersonKind


def _require_recorder(actor) -> None:
    if not can_record_missing(actor) or actor.agency is None:
        raise PermissionDenied("Your role cannot record missing episodes")


def _pk(value) -> int:
    return value if isinstance(value, int) else value.pk


def _aware(value: datetime | None, name: str) -> datetime | None:
    if value is not None and timezone.is_naive(value):
        # A naive datetime is a programming error: which clock it was read from is unknowable.
        raise ValueError(f"{name} must be timezone-aware")
    return value


def when(value: datetime) -> str:
    """'4 October 2025 at 21:00' in local time, for messages."""
    local = timezone.localtime(value)
    return f"{formats.date_format(local, 'j F Y')} at {local:%H:%M}"


class Errors:
    """Collects messages per field, then raises them together so a form shows every problem at once."""

    def __init__(self) -> None:
        self.by_field: dict[str, list[str]] = {}

    def add(self, field: str, message: str) -> None:
        self.by_field.setdefault(field, []).append(message)

    def has(self, field: str) -> bool:
        return field in self.by_field

    def raise_if_any(self) -> None:
        if self.by_field:
            raise ValidationError(self.by_field)


def _check_max_lengths(errors: Errors, model, values: dict) -> None:
    for name, value in values.items():
        limit = model._meta.get_field(name).max_length
        if isinstance(value, str) and limit and len(value) > limit:
            errors.add(name, f"Use {limit} characters or fewer (you used {len(value)})")


def _check_travel_modes(errors: Errors, travel_modes: Iterable[str]) -> list[str]:
    modes = list(dict.fromkeys(travel_modes))  # keep the order given, drop repeats
    unknown = [mode for mode in modes if mode not in TravelMode.values]
    if unknown:
        errors.add("travel_modes", f"Unknown way of travelling: {', '.join(unknown)}")
    return modes


def _overlapping_episode(child: Person, start: datetime, end: datetime | None,
                         exclude_pk: int | None = None) -> MissingEpisode | None:
    """Another episode of this child whose period overlaps [start, end] (an open episode never ends).

    A child cannot be missing twice at once: an overlap means one of the two records is wrong.
    """
    others = MissingEpisode.objects.filter(child=child).exclude(pk=exclude_pk).order_by("reported_at")
    for other in others:
        other_end = other.returned_at
        starts_before_other_ends = other_end is None or start <= other_end
        other_starts_before_end = end is None or other.reported_at <= end
        if starts_before_other_ends and other_starts_before_end:
            return other
    return None


def _ensure_working_with(*, actor, child: Person, agency: Agency, summary: str, source: str) -> None:
    """An agency doing work about a child becomes involved with them, so its practitioners can see it."""
    if Involvement.objects.filter(person=child, agency=agency, ended_on__isnull=True).exists():
        return
    involvement = Involvement.objects.create(
        person=child, agency=agency, kind=InvolvementKind.WORKING_WITH, started_on=timezone.localdate(),
        worker=actor if actor.agency == agency else None, summary=summary,
    )
    record_event("person.involvement_added", actor=actor, person=child, target=involvement,
                 details={"kind": InvolvementKind.WORKING_WITH, "agency_id": agency.pk, "source": source})


# --- Episodes -------------------------------------------------------------------------------------


def check_episode_times(errors: Errors, *, reported_at: datetime | None, returned_at: datetime | None,
                        found_where: str, now: datetime) -> None:
    """The rules for an episode's times; forms call this too, to show every problem at once."""
    if reported_at is not None and reported_at > now:
        errors.add("reported_at", "The date and time reported missing cannot be in the future")
    if returned_at is None:
        return
    if not found_where:
        errors.add("found_where", "Enter where they were found or returned to")
    if returned_at > now:
        errors.add("returned_at", "The date and time they returned cannot be in the future")
    elif reported_at is not None and returned_at <= reported_at:
        errors.add("returned_at", "The date and time they returned must be after they were reported missing "
                                  f"({when(reported_at)})")


def record_missing_episode(
    *,
    actor,
    child: Person | int,
    reported_at: datetime,
    last_seen_where: str,
    circumstances: str,
    missing_from_care_placement: bool = False,
    reported_by: str = "",
    police_reference: str = "",
    police_risk_grade: str = "",
    returned_at: datetime | None = None,
    found_where: str = "",
    with_whom: str = "",
    travel_modes: Iterable[str] = (),
    vehicle_registration: str = "",
    travel_details: str = "",
    now: datetime | None = None,
) -> MissingEpisode:
    """Record that a child was reported missing, and their return if they are already back.

    The actor's agency becomes involved with the child (working with) if it was not already, and
    the pattern rule is evaluated: the alert raised or updated, if any, is on `episode.pattern_alert`.
    """
    _require_recorder(actor)
    now = now or timezone.now()
    _aware(reported_at, "reported_at")
    _aware(returned_at, "returned_at")
    text = {
        "last_seen_where": last_seen_where.strip(), "circumstances": circumstances.strip(),
        "reported_by": reported_by.strip(), "police_reference": police_reference.strip(),
        "found_where": found_where.strip(), "with_whom": with_whom.strip(),
        "vehicle_registration": vehicle_registration.strip(), "travel_details": travel_details.strip(),
    }
    with transaction.atomic():
        person = get_person_for_user(actor, _pk(child))
        # One writer per child at a time, so two episodes recorded together cannot both miss
        # each other in the overlap check or raise two alerts for one pattern.
        Person.objects.select_for_update().filter(pk=person.pk).first()
        errors = Errors()
        if person.kind != PersonKind.CHILD:
            errors.add(NON_FIELD_ERRORS, "Missing episodes are recorded for children and young people only")
            errors.raise_if_any()
        if reported_at is None:
            errors.add("reported_at", "Enter when they were reported missing")
            errors.raise_if_any()
        if not text["last_seen_where"]:
            errors.add("last_seen_where", "Enter where they were last seen")
        if not text["circumstances"]:
            errors.add("circumstances", "Enter the circumstances of the episode")
        if police_risk_grade and police_risk_grade not in PoliceRiskGrade.values:
            errors.add("police_risk_grade", "Choose a police risk grade from the list")
        modes = _check_travel_modes(errors, travel_modes)
        _check_max_lengths(errors, MissingEpisode, text)
        check_episode_times(errors, reported_at=reported_at, returned_at=returned_at,
                            found_where=text["found_where"], now=now)
        if not errors.has("reported_at") and not errors.has("returned_at"):
            other = _overlapping_episode(person, reported_at, returned_at)
            if other is not None:
                errors.add(NON_FIELD_ERRORS, _overlap_message(person, other))
        errors.raise_if_any()

        episode = MissingEpisode.objects.create(
            child=person, reported_at=reported_at, police_risk_grade=police_risk_grade,
            missing_from_care_placement=missing_from_care_placement, returned_at=returned_at,
            travel_modes=modes, recorded_by_agency=actor.agency, recorded_by=actor,
            return_recorded_by=actor if returned_at else None,
            return_recorded_by_agency=actor.agency if returned_at else None,
            return_recorded_at=now if returned_at else None,
            **text,
        )
        record_event("missing.episode_recorded", actor=actor, person=person, target=episode, details={
            "police_risk_grade": police_risk_grade, "from_care_placement": missing_from_care_placement,
            "returned": returned_at is not None,
        })
        _ensure_working_with(actor=actor, child=person, agency=actor.agency,
                             summary="Recorded a missing episode", source="missing_episode")
        _record_episode_mentions(actor=actor, episode=episode, child=person, circumstances=text["circumstances"])
        episode.pattern_alert = _evaluate_pattern(actor=actor, episode=episode, now=now)
    return episode


def _record_episode_mentions(*, actor, episode: MissingEpisode, child: Person, circumstances: str = "") -> None:
    """What the episode mentions, for the link check: the vehicle as typed (partial plates included), and
    whatever the circumstances, "with whom" and travel details name (found by the machine, unconfirmed)."""
    title = f"Missing episode recorded by {episode.recorded_by_agency.name}"
    structured = []
    if episode.vehicle_registration:
        structured.append({"type": "vehicle", "value": episode.vehicle_registration,
                           "relationship": "child travelled in while missing", "detail": episode.travel_details})
    for narrative in (circumstances, episode.with_whom, episode.travel_details):
        if structured or narrative:
            record_mentions(actor=actor, source=episode, child=child, structured=structured, narrative=narrative,
                            source_title=title, strict=False)
            structured = []


def _overlap_message(child: Person, other: MissingEpisode) -> str:
    if other.returned_at is None:
        return (f"{child.full_name} is already recorded as missing since {when(other.reported_at)}. "
                "Record their return on that episode before recording a new one.")
    return (f"These times overlap another missing episode, reported {when(other.reported_at)} "
            f"and returned {when(other.returned_at)}. Check the dates and times.")


def record_return(
    *,
    actor,
    episode: MissingEpisode | int,
    returned_at: datetime,
    found_where: str = "",
    with_whom: str = "",
    travel_modes: Iterable[str] = (),
    vehicle_registration: str = "",
    travel_details: str = "",
    now: datetime | None = None,
) -> MissingEpisode:
    """Record that the child returned or was found. This starts the return home interview clock."""
    _require_recorder(actor)
    now = now or timezone.now()
    _aware(returned_at, "returned_at")
    text = {
        "found_where": found_where.strip(), "with_whom": with_whom.strip(),
        "vehicle_registration": vehicle_registration.strip(), "travel_details": travel_details.strip(),
    }
    with transaction.atomic():
        visible = get_episode_for_user(actor, _pk(episode))
        episode = MissingEpisode.objects.select_for_update().get(pk=visible.pk)
        errors = Errors()
        if episode.returned_at is not None:
            errors.add(NON_FIELD_ERRORS, f"The return was already recorded: {when(episode.returned_at)}")
            errors.raise_if_any()
        if returned_at is None:
            errors.add("returned_at", "Enter when they returned or were found")
            errors.raise_if_any()
        modes = _check_travel_modes(errors, travel_modes)
        _check_max_lengths(errors, MissingEpisode, text)
        check_episode_times(errors, reported_at=episode.reported_at, returned_at=returned_at,
                            found_where=text["found_where"], now=now)
        if not errors.has("returned_at"):
            other = _overlapping_episode(visible.child, episode.reported_at, returned_at, exclude_pk=episode.pk)
            if other is not None:
                errors.add(NON_FIELD_ERRORS, _overlap_message(visible.child, other))
        errors.raise_if_any()

        episode.returned_at = returned_at
        episode.travel_modes = modes
        for name, value in text.items():
            setattr(episode, name, value)
        episode.return_recorded_by = actor
        episode.return_recorded_by_agency = actor.agency
        episode.return_recorded_at = now
        episode.save()
        record_event("missing.return_recorded", actor=actor, person=episode.child_id, target=episode,
                     details={"hours_missing": int((returned_at - episode.reported_at).total_seconds() // 3600)})
        _record_episode_mentions(actor=actor, episode=episode, child=visible.child)
    episode.child = visible.child
    return episode


# --- Return home interviews ----------------------------------------------------------------------


def late_reason_message(due_at: datetime) -> str:
    return (f"Enter why the interview was not offered within {rules.rhi_hours()} hours of the return "
            f"(it was due by {when(due_at)})")


NOT_HELD_MESSAGES = {
    InterviewOutcome.DECLINED: "Enter why the child declined, and what was done instead",
    InterviewOutcome.NOT_FOUND: "Enter what was tried to find or contact the child",
    InterviewOutcome.NOT_OFFERED: "Enter why no interview was offered",
}


def check_offer(errors: Errors, *, outcome: str, offered_at: datetime | None, returned_at: datetime,
                late_reason: str, now: datetime) -> None:
    """The rules for when an interview was offered, against the child's return and the deadline."""
    if outcome == InterviewOutcome.NOT_OFFERED:
        if offered_at is not None:
            errors.add("offered_at", "Leave the date offered blank when no interview was offered")
        return
    due_at = rules.interview_due_at(returned_at)
    if offered_at is None:
        errors.add("offered_at", "Enter when the interview was offered")
    elif offered_at > now:
        errors.add("offered_at", "The date and time offered cannot be in the future")
    elif offered_at < returned_at:
        errors.add("offered_at", f"The date and time offered must be after the child returned ({when(returned_at)})")
    elif offered_at > due_at and not late_reason:
        errors.add("late_reason", late_reason_message(due_at))


def check_outcome(errors: Errors, *, outcome: str, offered_at: datetime | None, completed_at: datetime | None,
                  conducted_by: str, summary: str, not_held_reason: str, now: datetime) -> None:
    """The rules for what came of an offer; forms call this too, to show every problem at once."""
    if completed_at is not None:
        if outcome == InterviewOutcome.OFFERED:
            errors.add("completed_at", "Leave the date held blank until the interview has happened")
        elif outcome == InterviewOutcome.NOT_OFFERED:
            errors.add("completed_at", "Leave the date held blank when no interview was offered")
        elif completed_at > now:
            errors.add("completed_at", "The date and time held cannot be in the future")
        elif offered_at is not None and completed_at < offered_at:
            errors.add("completed_at", f"The date and time held must be after it was offered ({when(offered_at)})")
    if outcome == InterviewOutcome.COMPLETED:
        if completed_at is None and not errors.has("completed_at"):
            errors.add("completed_at", "Enter when the interview was held")
        if not conducted_by:
            errors.add("conducted_by", "Enter who held the interview")
        if not summary:
            errors.add("summary", "Enter a summary of the interview")
    if outcome in NOT_HELD_OUTCOMES and not not_held_reason:
        errors.add("not_held_reason", NOT_HELD_MESSAGES[InterviewOutcome(outcome)])


def _agency_for(actor, agency: Agency | int | None) -> Agency | None:
    if agency is None:
        return None
    try:
        return Agency.objects.get(pk=_pk(agency), partnership_id=actor.agency.partnership_id, is_active=True)
    except Agency.DoesNotExist:
        return None


def record_return_interview(
    *,
    actor,
    episode: MissingEpisode | int,
    outcome: str,
    offered_at: datetime | None = None,
    offered_by_agency: Agency | int | None = None,
    completed_at: datetime | None = None,
    conducted_by: str = "",
    location: str = "",
    summary: str = "",
    late_reason: str = "",
    not_held_reason: str = "",
    now: datetime | None = None,
) -> ReturnInterview:
    """Record an offer of a return home interview and its outcome (or that none was offered).

    A reason is mandatory when the offer came after the deadline (`late_reason`) and when no
    interview was held (`not_held_reason`). The offering agency becomes involved with the child.
    """
    _require_recorder(actor)
    now = now or timezone.now()
    for name, value in (("offered_at", offered_at), ("completed_at", completed_at)):
        _aware(value, name)
    text = {"conducted_by": conducted_by.strip(), "location": location.strip(), "summary": summary.strip(),
            "late_reason": late_reason.strip(), "not_held_reason": not_held_reason.strip()}
    with transaction.atomic():
        visible = get_episode_for_user(actor, _pk(episode))
        episode = MissingEpisode.objects.select_for_update().get(pk=visible.pk)
        errors = Errors()
        if episode.returned_at is None:
            errors.add(NON_FIELD_ERRORS, "Record the child's return before recording a return home interview")
            errors.raise_if_any()
        pending = episode.interviews.filter(outcome=InterviewOutcome.OFFERED).first()
        if pending is not None:
            errors.add(NON_FIELD_ERRORS, f"The interview offered {when(pending.offered_at)} is waiting for its "
                                         "outcome: record that outcome instead")
            errors.raise_if_any()
        if outcome not in InterviewOutcome.values:
            errors.add("outcome", "Choose what happened")
            errors.raise_if_any()
        agency = _agency_for(actor, offered_by_agency)
        if outcome == InterviewOutcome.NOT_OFFERED:
            if offered_by_agency is not None:
                errors.add("offered_by_agency", "Leave the agency blank when no interview was offered")
        elif offered_by_agency is None:
            errors.add("offered_by_agency", "Choose the agency that offered the interview")
        elif agency is None:
            errors.add("offered_by_agency", "Choose an agency in your partnership")
        check_offer(errors, outcome=outcome, offered_at=offered_at, returned_at=episode.returned_at,
                    late_reason=text["late_reason"], now=now)
        check_outcome(errors, outcome=outcome, offered_at=offered_at, completed_at=completed_at,
                      conducted_by=text["conducted_by"], summary=text["summary"],
                      not_held_reason=text["not_held_reason"], now=now)
        _check_max_lengths(errors, ReturnInterview, text)
        errors.raise_if_any()

        interview = ReturnInterview.objects.create(
            episode=episode, outcome=outcome, offered_at=offered_at, offered_by_agency=agency,
            completed_at=completed_at, recorded_by=actor, recorded_by_agency=actor.agency,
            outcome_recorded_by=actor if outcome in FINAL_OUTCOMES else None,
            outcome_recorded_at=now if outcome in FINAL_OUTCOMES else None,
            **text,
        )
        clock = rules.interview_clock(returned_at=episode.returned_at, offered_at=offered_at,
                                      not_offered=outcome == InterviewOutcome.NOT_OFFERED, now=now)
        record_event("missing.interview_recorded", actor=actor, person=episode.child_id, target=interview,
                     details={"episode_id": episode.pk, "outcome": outcome, "clock": clock.state.value,
                              "offered_by_agency_id": agency.pk if agency else None})
        if agency is not None:
            _ensure_working_with(actor=actor, child=visible.child, agency=agency,
                                 summary="Offered a return home interview", source="return_interview")
        _record_interview_mentions(actor=actor, interview=interview, child=visible.child)
    return interview


def _record_interview_mentions(*, actor, interview: ReturnInterview, child: Person) -> None:
    """What a return home interview's summary names (found by the machine, unconfirmed), for the link check."""
    if interview.summary:
        record_mentions(actor=actor, source=interview, child=child, narrative=interview.summary,
                        source_title=f"Return home interview recorded by {interview.recorded_by_agency.name}")


def record_interview_outcome(
    *,
    actor,
    interview: ReturnInterview | int,
    outcome: str,
    completed_at: datetime | None = None,
    conducted_by: str = "",
    location: str = "",
    summary: str = "",
    not_held_reason: str = "",
    now: datetime | None = None,
) -> ReturnInterview:
    """Record what came of an interview that was offered: held, declined, or the child not found."""
    _require_recorder(actor)
    now = now or timezone.now()
    _aware(completed_at, "completed_at")
    text = {"conducted_by": conducted_by.strip(), "location": location.strip(), "summary": summary.strip(),
            "not_held_reason": not_held_reason.strip()}
    with transaction.atomic():
        visible = get_interview_for_user(actor, _pk(interview))
        interview = ReturnInterview.objects.select_for_update().get(pk=visible.pk)
        errors = Errors()
        if not interview.awaiting_outcome:
            errors.add(NON_FIELD_ERRORS, "The outcome of this interview was already recorded")
            errors.raise_if_any()
        allowed = {InterviewOutcome.COMPLETED, InterviewOutcome.DECLINED, InterviewOutcome.NOT_FOUND}
        if outcome not in allowed:
            errors.add("outcome", "Choose whether the interview was held, declined, or the child not found")
            errors.raise_if_any()
        check_outcome(errors, outcome=outcome, offered_at=interview.offered_at, completed_at=completed_at,
                      conducted_by=text["conducted_by"], summary=text["summary"],
                      not_held_reason=text["not_held_reason"], now=now)
        _check_max_lengths(errors, ReturnInterview, text)
        errors.raise_if_any()

        interview.outcome = outcome
        interview.completed_at = completed_at
        for name, value in text.items():
            setattr(interview, name, value)
        interview.outcome_recorded_by = actor
        interview.outcome_recorded_at = now
        interview.save()
        record_event("missing.interview_outcome_recorded", actor=actor, person=visible.episode.child_id,
                     target=interview, details={"episode_id": interview.episode_id, "outcome": outcome})
        _record_interview_mentions(actor=actor, interview=interview, child=visible.episode.child)
    interview.episode = visible.episode
    return interview


# --- Missing-pattern alerts ----------------------------------------------------------------------


def _evaluate_pattern(*, actor, episode: MissingEpisode, now: datetime) -> MissingPatternAlert | None:
    """Apply the trigger rule after an episode is recorded; raise or update the child's alert.

    One alert per child per run of episodes: if any episode in the window that now meets the
    rule already belongs to an alert, that alert grows (and re-opens if it had been decided,
    because a decision made on three episodes may not stand for four) instead of a second alert.
    """
    rule = rules.missing_trigger()
    child_episodes = list(MissingEpisode.objects.filter(child_id=episode.child_id).only("pk", "reported_at"))
    window = rules.triggering_window([e.reported_at for e in child_episodes], episode.reported_at, rule)
    if window is None:
        return None
    start, end = window[0], window[-1]
    in_window = [e for e in child_episodes if start <= e.reported_at.astimezone(UTC) <= end]
    alert = (MissingPatternAlert.objects.select_for_update()
             .filter(child_id=episode.child_id, episodes__in=[e.pk for e in in_window])
             .order_by("-updated_at", "-pk").first())
    if alert is None:
        alert = MissingPatternAlert.objects.create(
            child_id=episode.child_id, episode_count=len(in_window), window_start=start, window_end=end,
            rule_count=rule.count, rule_days=rule.days, raised_at=now, updated_at=now,
        )
        alert.episodes.add(*in_window)
        record_event("missing.pattern_alert_raised", actor=actor, person=episode.child_id, target=alert,
                     details={"episodes": alert.episode_count, "rule": str(rule), "episode_id": episode.pk})
        return alert
    alert.episodes.add(*in_window)
    reopened = alert.status == AlertStatus.DECIDED
    alert.episode_count = alert.episodes.count()
    alert.window_start = min(alert.window_start, start)
    alert.window_end = max(alert.window_end, end)
    alert.status = AlertStatus.OPEN
    alert.updated_at = now
    alert.save()
    record_event("missing.pattern_alert_updated", actor=actor, person=episode.child_id, target=alert,
                 details={"episodes": alert.episode_count, "rule": str(rule), "episode_id": episode.pk,
                          "reopened": reopened})
    return alert


def check_decision(errors: Errors, *, decision: str, reason: str) -> None:
    if decision not in PatternDecision.values:
        errors.add("decision", "Choose what was decided")
    elif decision == PatternDecision.NO_ACTION and not reason:
        errors.add("reason", "Enter why no strategy discussion is needed")


def record_pattern_decision(
    *,
    actor,
    alert: MissingPatternAlert | int,
    decision: str,
    reason: str = "",
    now: datetime | None = None,
) -> MissingPatternDecision:
    """Record what was decided about an alert: a strategy discussion requested, already planned,
    or none, with the reason. The strategy discussion itself is held and recorded in casework."""
    if not can_see_pattern_alerts(actor) or actor.agency is None:
        raise PermissionDenied("Only coordinators and team managers decide on missing-pattern alerts")
    now = now or timezone.now()
    reason = reason.strip()
    with transaction.atomic():
        visible = get_pattern_alert_for_user(actor, _pk(alert))
        alert = MissingPatternAlert.objects.select_for_update().get(pk=visible.pk)
        errors = Errors()
        if alert.status != AlertStatus.OPEN:
            errors.add(NON_FIELD_ERRORS, "A decision was already recorded on this alert. A new episode "
                                         "re-opens it for another decision.")
            errors.raise_if_any()
        check_decision(errors, decision=decision, reason=reason)
        errors.raise_if_any()
        record = MissingPatternDecision.objects.create(
            alert=alert, decision=decision, reason=reason, episode_count=alert.episode_count,
            decided_by=actor, decided_by_agency=actor.agency, decided_at=now,
        )
        alert.status = AlertStatus.DECIDED
        alert.save(update_fields=["status"])
        record_event("missing.pattern_decision_recorded", actor=actor, person=alert.child_id, target=alert,
                     details={"decision": decision, "episodes": alert.episode_count, "decision_id": record.pk})
    return record

