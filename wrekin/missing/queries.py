"""Read-side helpers for missing episodes: every query starts from the access policy."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from wrekin.access.missing import episodes_visible_to, pattern_alerts_visible_to
from wrekin.missing import rules
from wrekin.missing.models import AlertStatus, MissingEpisode, MissingPatternAlert, ReturnInterview


@dataclass(frozen=True)
class EpisodeWithClock:
    episode: MissingEpisode
    clock: rules.InterviewClock


def _with_interviews(episodes: QuerySet[MissingEpisode]) -> QuerySet[MissingEpisode]:
    return episodes.prefetch_related(
        Prefetch("interviews", queryset=ReturnInterview.objects.select_related("offered_by_agency"))
    )


def child_episodes(user, child, *, now: datetime | None = None) -> list[EpisodeWithClock]:
    """The child's episodes, newest first, each with its interview clock."""
    now = now or timezone.now()
    episodes = _with_interviews(episodes_visible_to(user).filter(child=child)
                                .select_related("recorded_by_agency"))
    return [EpisodeWithClock(e, e.interview_clock(now=now)) for e in episodes]


def episodes_in_last(episodes: list[EpisodeWithClock], days: int, *, now: datetime | None = None) -> int:
    since = (now or timezone.now()) - timedelta(days=days)
    return sum(1 for item in episodes if item.episode.reported_at >= since)


def interviews_due(user, *, now: datetime | None = None) -> list[EpisodeWithClock]:
    """Returned episodes with no interview recorded yet (no offer and no decision not to offer),
    for children the user can see, soonest due first; overdue ones are therefore at the top."""
    now = now or timezone.now()
    episodes = (episodes_visible_to(user)
                .filter(returned_at__isnull=False, interviews__isnull=True)
                .select_related("child", "recorded_by_agency")
                .order_by("returned_at", "pk"))
    return [EpisodeWithClock(e, e.interview_clock(now=now)) for e in _with_interviews(episodes)]


def missing_now(user) -> QuerySet[MissingEpisode]:
    """Episodes with no return recorded, for children the user can see, longest missing first."""
    return (episodes_visible_to(user).filter(returned_at__isnull=True)
            .select_related("child", "recorded_by_agency").order_by("reported_at", "pk"))


def open_pattern_alerts(user) -> QuerySet[MissingPatternAlert]:
    return (pattern_alerts_visible_to(user).filter(status=AlertStatus.OPEN)
            .select_related("child").order_by("updated_at", "pk"))
