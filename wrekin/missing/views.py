"""Missing episodes, return home interviews and missing-pattern alerts, page by page.

Pages about one record answer 404 when the user cannot see it; pages that record something answer
403 first when the user's role cannot record at all. Every page that shows records writes its
read event before rendering, and every change goes through wrekin.missing.actions.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from wrekin.access.missing import (
    can_record_missing,
    can_see_missing,
    can_see_pattern_alerts,
    get_episode_for_user,
    get_interview_for_user,
    get_pattern_alert_for_user,
    pattern_alerts_visible_to,
)
from wrekin.access.policy import get_person_for_user
from wrekin.audit.actions import record_event
from wrekin.missing import actions, queries, rules
from wrekin.missing.forms import DecisionForm, EpisodeForm, InterviewForm, OutcomeForm, ReturnForm
from wrekin.missing.models import AlertStatus, InterviewOutcome
from wrekin.people.models import PersonKind


def _require_case_content(request: HttpRequest) -> None:
    if not can_see_missing(request.user):
        raise PermissionDenied


def _require_recorder(request: HttpRequest) -> None:
    if not can_record_missing(request.user):
        raise PermissionDenied


def _require_pattern_alerts(request: HttpRequest) -> None:
    if not can_see_pattern_alerts(request.user):
        raise PermissionDenied


def child_episodes(request: HttpRequest, pk: int) -> HttpResponse:
    now = timezone.now()
    with transaction.atomic():
        child = get_person_for_user(request.user, pk)
        episodes = queries.child_episodes(request.user, child, now=now)
        record_event("missing.episodes_listed", actor=request.user, person=child, target=child,
                     details={"count": len(episodes)})
    rule = rules.missing_trigger()
    open_episode = next((item.episode for item in episodes if item.episode.is_open), None)
    return render(request, "missing/child_episodes.html", {
        "child": child, "episodes": episodes, "open_episode": open_episode, "rule": rule,
        "recent_count": queries.episodes_in_last(episodes, rule.days, now=now),
        "can_record": can_record_missing(request.user) and child.kind == PersonKind.CHILD and not open_episode,
        "page_title": f"Missing episodes: {child.full_name}",
    })


@require_http_methods(["GET", "POST"])
def record_episode(request: HttpRequest, pk: int) -> HttpResponse:
    _require_recorder(request)
    child = get_person_for_user(request.user, pk)
    if child.kind != PersonKind.CHILD:
        raise Http404("Missing episodes are recorded for children")
    form = EpisodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            episode = actions.record_missing_episode(actor=request.user, child=child, **form.action_kwargs())
        except ValidationError as error:
            form.apply_action_errors(error)
        else:
            message = "Missing episode recorded"
            alert = episode.pattern_alert
            if alert is not None:
                message += (f". {child.full_name} has gone missing {alert.episode_count} times within "
                            f"{alert.rule_days} days: the exploitation coordinators have been alerted")
            messages.success(request, message)
            return redirect("missing:episode_detail", pk=episode.pk)
    return render(request, "missing/episode_form.html", {
        "form": form, "child": child, "page_title": f"Record a missing episode: {child.full_name}",
    })


def episode_detail(request: HttpRequest, pk: int) -> HttpResponse:
    with transaction.atomic():
        episode = get_episode_for_user(request.user, pk)
        # Written before anything is rendered: if the audit write fails, nothing is shown.
        record_event("missing.episode_viewed", actor=request.user, person=episode.child_id, target=episode)
    interviews = list(episode.interviews.select_related("offered_by_agency", "recorded_by_agency",
                                                        "recorded_by", "outcome_recorded_by"))
    pending = next((i for i in interviews if i.awaiting_outcome), None)
    can_record = can_record_missing(request.user)
    return render(request, "missing/episode_detail.html", {
        "episode": episode, "child": episode.child, "clock": episode.interview_clock(),
        "interviews": interviews, "pending": pending, "can_record": can_record,
        "alerts": pattern_alerts_visible_to(request.user).filter(episodes=episode),
        "page_title": f"Missing episode: {episode.child.full_name}",
    })


@require_http_methods(["GET", "POST"])
def record_return(request: HttpRequest, pk: int) -> HttpResponse:
    _require_recorder(request)
    episode = get_episode_for_user(request.user, pk)
    if not episode.is_open:  # already recorded (a second tab, or the back button): show it
        return redirect("missing:episode_detail", pk=episode.pk)
    form = ReturnForm(request.POST or None, reported_at=episode.reported_at)
    if request.method == "POST" and form.is_valid():
        try:
            actions.record_return(actor=request.user, episode=episode, **form.action_kwargs())
        except ValidationError as error:
            form.apply_action_errors(error)
        else:
            due = rules.interview_due_at(form.cleaned_data["returned_at"])
            messages.success(request, f"Return recorded. A return home interview must be offered by "
                                      f"{actions.when(due)}")
            return redirect("missing:episode_detail", pk=episode.pk)
    return render(request, "missing/return_form.html", {
        "form": form, "episode": episode, "child": episode.child, "hours": rules.rhi_hours(),
        "page_title": f"Record a return: {episode.child.full_name}",
    })


@require_http_methods(["GET", "POST"])
def record_interview(request: HttpRequest, pk: int) -> HttpResponse:
    _require_recorder(request)
    episode = get_episode_for_user(request.user, pk)
    if episode.is_open:  # the clock starts at the return: the episode page offers to record it
        return redirect("missing:episode_detail", pk=episode.pk)
    pending = episode.interviews.filter(outcome=InterviewOutcome.OFFERED).first()
    if pending is not None:
        return redirect("missing:record_interview_outcome", pk=pending.pk)
    form = InterviewForm(request.POST or None, actor=request.user, episode=episode)
    if request.method == "POST" and form.is_valid():
        try:
            actions.record_return_interview(actor=request.user, episode=episode, **form.action_kwargs())
        except ValidationError as error:
            form.apply_action_errors(error)
        else:
            messages.success(request, "Return home interview recorded")
            return redirect("missing:episode_detail", pk=episode.pk)
    return render(request, "missing/interview_form.html", {
        "form": form, "episode": episode, "child": episode.child, "clock": episode.interview_clock(),
        "page_title": f"Record a return home interview: {episode.child.full_name}",
    })


@require_http_methods(["GET", "POST"])
def record_interview_outcome(request: HttpRequest, pk: int) -> HttpResponse:
    _require_recorder(request)
    interview = get_interview_for_user(request.user, pk)
    episode = interview.episode
    if not interview.awaiting_outcome:  # already recorded: the episode page shows it
        return redirect("missing:episode_detail", pk=episode.pk)
    form = OutcomeForm(request.POST or None, interview=interview)
    if request.method == "POST" and form.is_valid():
        try:
            actions.record_interview_outcome(actor=request.user, interview=interview, **form.action_kwargs())
        except ValidationError as error:
            form.apply_action_errors(error)
        else:
            messages.success(request, "Interview outcome recorded")
            return redirect("missing:episode_detail", pk=episode.pk)
    return render(request, "missing/outcome_form.html", {
        "form": form, "interview": interview, "episode": episode, "child": episode.child,
        "page_title": f"Record the interview outcome: {episode.child.full_name}",
    })


def interviews_due(request: HttpRequest) -> HttpResponse:
    _require_case_content(request)
    now = timezone.now()
    with transaction.atomic():
        due = queries.interviews_due(request.user, now=now)
        overdue = sum(1 for item in due if item.clock.state == rules.ClockState.OVERDUE)
        record_event("missing.interviews_due_viewed", actor=request.user,
                     details={"count": len(due), "overdue": overdue})
    return render(request, "missing/interviews_due.html", {
        "due": due, "overdue_count": overdue, "hours": rules.rhi_hours(), "now": now,
        "page_title": "Return home interviews due",
    })


def pattern_alerts(request: HttpRequest) -> HttpResponse:
    _require_pattern_alerts(request)
    with transaction.atomic():
        visible = pattern_alerts_visible_to(request.user).select_related("child")
        open_alerts = list(visible.filter(status=AlertStatus.OPEN).prefetch_related("decisions")
                           .order_by("updated_at", "pk"))
        decided = list(visible.filter(status=AlertStatus.DECIDED)
                       .prefetch_related("decisions").order_by("-updated_at", "-pk")[:50])
        record_event("missing.pattern_alerts_listed", actor=request.user,
                     details={"open": len(open_alerts), "decided_shown": len(decided)})
    return render(request, "missing/alerts.html", {
        "open_alerts": open_alerts, "decided": decided, "rule": rules.missing_trigger(),
        "page_title": "Missing-pattern alerts",
    })


@require_http_methods(["GET", "POST"])
def alert_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_pattern_alerts(request)
    alert = get_pattern_alert_for_user(request.user, pk)
    form = DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.record_pattern_decision(actor=request.user, alert=alert, **form.action_kwargs())
        except ValidationError as error:
            form.apply_action_errors(error)
        else:
            messages.success(request, "Decision recorded")
            return redirect("missing:alert_detail", pk=alert.pk)
    # The page shows the episodes behind the alert, so it is a read, with or without a form error.
    record_event("missing.pattern_alert_viewed", actor=request.user, person=alert.child_id, target=alert)
    return render(request, "missing/alert_detail.html", {
        "alert": alert, "child": alert.child, "form": form,
        "episodes": alert.episodes.select_related("recorded_by_agency").order_by("reported_at", "pk"),
        "decisions": alert.decisions.select_related("decided_by", "decided_by_agency"),
        "page_title": f"Missing-pattern alert: {alert.child.full_name}",
    })
