"""Missing episodes: a child's episodes with their return home interview clock, and recording a new one.

Recording goes through wrekin.missing.actions.record_missing_episode, which checks overlaps,
involves the user's agency and evaluates the missing-pattern rule, exactly as the web page does.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from ninja import Router, Schema
from ninja.responses import Status
from pydantic import Field

from wrekin.access.api import get_child_for_user
from wrekin.api.auth import scoped
from wrekin.api.schemas import AUTH_RESPONSES, BODY_RESPONSES, Problem
from wrekin.api.types import AwareDateTime, PathId, RecordId, StrictBool, StrictIn
from wrekin.audit.actions import record_event
from wrekin.missing import actions as missing_actions
from wrekin.missing.models import MissingEpisode, PoliceRiskGrade, TravelMode
from wrekin.missing.queries import child_episodes

router = Router(tags=["missing"])


class InterviewOut(Schema):
    id: int
    outcome: str = Field(description="offered, completed, declined, not_found or not_offered")
    offered_at: datetime | None
    offered_by_agency: str | None
    completed_at: datetime | None


class InterviewClockOut(Schema):
    state: str = Field(description="awaiting_return, running, overdue, met or missed")
    hours: int = Field(description="The window for offering a return home interview, in hours")
    due_at: datetime | None
    offered_at: datetime | None


class EpisodeOut(Schema):
    id: int
    child_id: int
    reported_at: datetime
    reported_by: str
    police_reference: str
    police_risk_grade: str = Field(description="no_apparent_risk, low, medium, high, or empty if not graded")
    last_seen_where: str
    missing_from_care_placement: bool
    circumstances: str
    returned_at: datetime | None
    found_where: str
    with_whom: str
    travel_modes: list[str]
    vehicle_registration: str
    travel_details: str
    recorded_by_agency: str
    interview_clock: InterviewClockOut
    interviews: list[InterviewOut]


class EpisodeList(Schema):
    child_id: int
    count: int
    episodes: list[EpisodeOut]


class EpisodeIn(StrictIn):
    child_id: RecordId
    reported_at: AwareDateTime = Field(description="ISO 8601 with a time zone, e.g. 2026-03-04T21:30:00Z")
    last_seen_where: str = Field(min_length=1, max_length=300)
    circumstances: str = Field(min_length=1, max_length=20_000, description="Factual and non-graphic")
    missing_from_care_placement: StrictBool = False
    reported_by: str = Field("", max_length=200, description="e.g. foster carer, residential home staff")
    police_reference: str = Field("", max_length=40)
    police_risk_grade: PoliceRiskGrade | None = None
    returned_at: AwareDateTime | None = Field(None, description="If the child is already back")
    found_where: str = Field("", max_length=300)
    with_whom: str = Field("", max_length=5_000)
    travel_modes: list[TravelMode] = Field(default_factory=list, max_length=len(TravelMode.values))
    vehicle_registration: str = Field("", max_length=20, description="As given; partial plates are fine")
    travel_details: str = Field("", max_length=300)


class EpisodeCreated(EpisodeOut):
    pattern_alert_id: int | None = Field(
        description="The missing-pattern alert this episode raised or added to, if the trigger rule was met")


def _episode_out(episode: MissingEpisode, clock, cls=EpisodeOut, **extra):
    return cls(
        id=episode.pk, child_id=episode.child_id, reported_at=episode.reported_at,
        reported_by=episode.reported_by, police_reference=episode.police_reference,
        police_risk_grade=episode.police_risk_grade, last_seen_where=episode.last_seen_where,
        missing_from_care_placement=episode.missing_from_care_placement, circumstances=episode.circumstances,
        returned_at=episode.returned_at, found_where=episode.found_where, with_whom=episode.with_whom,
        travel_modes=episode.travel_modes, vehicle_registration=episode.vehicle_registration,
        travel_details=episode.travel_details, recorded_by_agency=episode.recorded_by_agency.name,
        interview_clock=InterviewClockOut(state=clock.state.value, hours=clock.hours, due_at=clock.due_at,
                                          offered_at=clock.offered_at),
        interviews=[
            InterviewOut(id=i.pk, outcome=i.outcome, offered_at=i.offered_at, completed_at=i.completed_at,
                         offered_by_agency=i.offered_by_agency.name if i.offered_by_agency else None)
            for i in episode.interviews.all()
        ],
        **extra,
    )


@router.get("/children/{int:child_id}/missing-episodes", **scoped("missing:read"),
            url_name="child_missing_episodes",
            response={200: EpisodeList, 404: Problem, 422: Problem, **AUTH_RESPONSES},
            summary="A child's missing episodes")
def child_missing_episodes(request, child_id: PathId):
    """Newest first, each with its return home interview clock.

    Scope `missing:read`; audited as `missing.episodes_listed`.
    """
    with transaction.atomic():
        child = get_child_for_user(request.user, child_id)
        items = child_episodes(request.user, child)
        record_event("missing.episodes_listed", actor=request.user, person=child, target=child,
                     details={"via": "api", "episodes": len(items)})
    return EpisodeList(child_id=child.pk, count=len(items),
                       episodes=[_episode_out(item.episode, item.clock) for item in items])


@router.post("/missing-episodes", **scoped("missing:write"), url_name="missing_episode_create",
             response={201: EpisodeCreated, 404: Problem, **BODY_RESPONSES, **AUTH_RESPONSES},
             summary="Record a missing episode")
def missing_episode_create(request, payload: EpisodeIn):
    """Record that a child was reported missing (and their return, if they are back).

    Scope `missing:write`. The child must be one the user can see (otherwise 404). Overlapping
    episodes, returns before the report and times in the future are refused with 422. Audited as
    `missing.episode_recorded`; a missing-pattern alert it raises is audited too.
    """
    with transaction.atomic():
        child = get_child_for_user(request.user, payload.child_id)
        fields = payload.model_dump(exclude={"child_id"})
        fields["police_risk_grade"] = fields["police_risk_grade"] or ""
        episode = missing_actions.record_missing_episode(actor=request.user, child=child, **fields)
    alert = getattr(episode, "pattern_alert", None)
    episode = MissingEpisode.objects.select_related("recorded_by_agency").prefetch_related(
        "interviews__offered_by_agency").get(pk=episode.pk)
    return Status(201, _episode_out(episode, episode.interview_clock(), cls=EpisodeCreated,
                                    pattern_alert_id=alert.pk if alert else None))
