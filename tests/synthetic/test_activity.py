"""`wrekin seed_activity` plays out months of casework through the real actions, and leaves work for everyone."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from wrekin.access.models import BreakGlassGrant, Notification, NotificationKind
from wrekin.accounts.models import Role, User
from wrekin.audit.models import AuditEvent
from wrekin.audit.verify import verify_chain
from wrekin.casework.models import Case, CaseState, PlanAction, StrategyClock
from wrekin.core.timeline import worklist_for
from wrekin.intelligence.models import DisruptionAction
from wrekin.mace.models import MaceMeeting
from wrekin.missing.models import MissingEpisode, MissingPatternAlert, ReturnInterview
from wrekin.people.models import Involvement
from wrekin.referrals.models import Referral, Screening, ScreeningStatus, TriageDecision
from wrekin.synthetic import activity
from wrekin.synthetic.activity import ActivityError, Planner, World, partnership_for, seed_activity
from wrekin.synthetic.staff import DEFAULT_PARTNERSHIP_CODE, DEMO_USERNAMES

CHILDREN = 15
GRAPHIC = re.compile(
    r"\b(rape[ds]?|raping|naked|nude|penetrat\w*|semen|genital\w*|intercourse|porn\w*|orgy|oral sex|"
    r"masturbat\w*|sodom\w*|blood\w*|stabb\w*|gore|torture\w*|explicit)\b",
    re.IGNORECASE,
)
# Roles with no case content: no work-list source serves them (see docs/guide/demo.md).
NO_CASE_CONTENT = {"mark", "ioana"}


def _seed_partnership(path) -> None:
    """A small seeded partnership: enough children, staff and persons of concern for every kind of work."""
    call_command("seed", children=120, seed=5, ground_truth=str(path / "truth.json"), stdout=StringIO())


@pytest.fixture
def partnership(db, tmp_path):
    _seed_partnership(tmp_path)
    return partnership_for(DEFAULT_PARTNERSHIP_CODE)


@pytest.fixture(scope="module")
def _seeded_module(django_db_setup, django_db_blocker, tmp_path_factory):
    """One seeded history shared by the read-only tests below, rolled back when the module ends.

    Each test still runs in its own savepoint (pytest-django's `db`), so what a test writes is undone.
    The tests that need an empty partnership come first in this file and never ask for this fixture.
    """
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            _seed_partnership(tmp_path_factory.mktemp("activity"))
            result = seed_activity(code=DEFAULT_PARTNERSHIP_CODE, children=CHILDREN, seed=1)
        except BaseException:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            raise
    yield result
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        atomic.__exit__(None, None, None)


@pytest.fixture
def seeded(_seeded_module, db):
    return _seeded_module


def _planned(seed: int, now) -> list[tuple]:
    planner = Planner(World(partnership_for(DEFAULT_PARTNERSHIP_CODE)), rng=activity.random.Random(seed), now=now)
    planner.plan_children(CHILDREN)
    planner.plan_mace()
    planner.plan_disruption()
    planner.plan_break_glass()
    return [(step.at, step.seq, step.label) for step in planner.steps]


# --- On an empty (freshly seeded) partnership -----------------------------------------------------


def test_the_same_seed_gives_the_same_history(partnership):
    now = timezone.now()
    assert _planned(1, now) == _planned(1, now)
    assert _planned(1, now) != _planned(2, now)
    counts = []
    for _ in range(2):
        with transaction.atomic():
            counts.append(seed_activity(code=DEFAULT_PARTNERSHIP_CODE, children=CHILDREN, seed=1, now=now).counts)
            transaction.set_rollback(True)
    first, again = ({k: v for k, v in c.items() if k != "audit_events"} for c in counts)
    assert first == again


def test_the_command_refuses_to_add_twice_and_if_empty_does_nothing(partnership):
    out = StringIO()
    call_command("seed_activity", children=CHILDREN, seed=1, stdout=out)
    assert "Seeded activity for 15 children" in out.getvalue()
    assert "amir" in out.getvalue() and "items" in out.getvalue()
    referrals = Referral.objects.count()
    out = StringIO()
    call_command("seed_activity", children=CHILDREN, if_empty=True, stdout=out)
    assert "nothing was added" in out.getvalue()
    with pytest.raises(CommandError, match="Referrals already exist"):
        call_command("seed_activity", children=CHILDREN, stdout=StringIO())
    assert Referral.objects.count() == referrals


def test_without_a_seeded_partnership_nothing_happens(db):
    with pytest.raises(CommandError, match="run `wrekin seed` first"):
        call_command("seed_activity", children=CHILDREN, stdout=StringIO())
    with pytest.raises(ActivityError):
        seed_activity(code="nowhere", children=CHILDREN)
    assert not Referral.objects.exists()


# --- On one seeded history ------------------------------------------------------------------------


def test_every_app_gets_records_made_by_the_real_actions(seeded):
    counts = seeded.counts
    for key in ("referrals", "triage_decisions", "screenings", "cases", "plan_actions", "case_reviews",
                "strategy_discussions", "missing_episodes", "return_interviews", "missing_pattern_alerts",
                "mace_meetings", "mace_agenda_items", "mace_actions", "disruption_actions"):
        assert counts[key] > 0, key
    assert counts["referrals"] == Referral.objects.count() >= CHILDREN
    assert Referral.objects.values("child").distinct().count() == CHILDREN
    assert seeded.first_day >= timezone.localdate() - timezone.timedelta(days=activity.HISTORY_DAYS + 7)
    assert seeded.last_day <= timezone.localdate()
    # Every change wrote its audit event: one per referral, triage, screening and so on.
    for event_type, model in (("referral.recorded", Referral), ("referral.triaged", TriageDecision),
                              ("screening.submitted", Screening), ("case.opened", Case),
                              ("case.plan_action_added", PlanAction), ("missing.episode_recorded", MissingEpisode),
                              ("missing.interview_recorded", ReturnInterview),
                              ("mace.meeting_created", MaceMeeting), ("disruption.recorded", DisruptionAction)):
        assert AuditEvent.objects.filter(event_type=event_type).count() == model.objects.count(), event_type


def test_the_audit_chain_verifies_and_the_history_is_in_time_order(seeded):
    partnership = partnership_for(DEFAULT_PARTNERSHIP_CODE)
    result = verify_chain()
    assert result.ok, result.problem
    summary = AuditEvent.objects.get(event_type="synthetic.activity_seeded")
    assert summary.object_id == str(partnership.pk) and summary.details["children"] == CHILDREN
    assert summary.details["referrals"] == Referral.objects.count()
    start = AuditEvent.objects.get(event_type="synthetic.seeded").seq
    times = list(AuditEvent.objects.filter(seq__gt=start).order_by("seq").values_list("occurred_at", flat=True))
    assert times == sorted(times)  # steps ran in time order, so sequence and time agree
    assert times[0] < timezone.now() - timezone.timedelta(days=60)  # backdated history...
    assert times[-1] > timezone.now() - timezone.timedelta(minutes=5)  # ...closed by a real-time summary


def test_the_clock_is_put_back(seeded):
    assert timezone.now.__module__ == "django.utils.timezone"
    assert Case._meta.get_field("opened_at").default is timezone.now
    assert abs((timezone.now() - AuditEvent.objects.order_by("-seq").first().occurred_at).total_seconds()) < 300


def test_each_demo_user_has_work_suited_to_their_role(seeded):
    work = {name: worklist_for(User.objects.get(username=name)) for name in DEMO_USERNAMES}
    for name, items in work.items():
        if name not in NO_CASE_CONTENT:
            assert items, f"{name} has nothing on their home page"
    headings = {name: {item.heading for item in items} for name, items in work.items()}
    assert "Referrals awaiting triage" in headings["rachel"] and "Referrals awaiting triage" in headings["priya"]
    assert "Screenings awaiting approval" in headings["rachel"]
    assert "Minutes awaiting approval" in headings["helen"]
    assert "MACE actions due" in headings["liam"]
    assert "Missing-pattern alerts" in headings["priya"]
    assert "Return interviews due" in headings["priya"]
    for practitioner in ("amir", "sarah", "zofia", "gemma", "tom", "joy"):
        assert "Plan actions due and overdue" in headings[practitioner], practitioner
        assert "My cases" in headings[practitioner], practitioner
    assert "Strategy discussion clocks" in headings["amir"]
    assert "Screenings returned to you" in headings["amir"]
    # The auditor's work is the break-glass review queue, announced by notifications.
    mark = User.objects.get(username="mark")
    assert BreakGlassGrant.objects.filter(reviewed_at__isnull=True, ended_at__isnull=False).exists()
    assert Notification.objects.filter(recipient=mark, kind=NotificationKind.BREAK_GLASS).count() >= 2


def test_demo_users_can_see_the_children_they_work_on(seeded):
    """Every agency that did something about a child is involved with them, so its staff can see them."""
    for user in User.objects.filter(username__in=DEMO_USERNAMES, membership__role=Role.PRACTITIONER):
        for action in PlanAction.objects.filter(owner=user).select_related("case"):
            assert Involvement.objects.filter(person_id=action.case.person_id, agency=user.agency).exists()
    for referral in Referral.objects.all():
        assert Involvement.objects.filter(person_id=referral.child_id, agency_id=referral.referring_agency_id).exists()


def test_home_pages_render_with_work(seeded, client):
    for name in ("amir", "rachel", "priya", "helen", "liam", "joy"):
        user = User.objects.get(username=name)
        device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
        client.logout()
        client.force_login(user)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
        response = client.get("/")
        assert response.status_code == 200, name
        assert "Your work" in response.content.decode(), name


def test_the_history_has_the_clocks_a_demo_needs(seeded):
    today = timezone.localdate()
    assert MissingEpisode.objects.filter(returned_at__isnull=True).exists()  # someone is missing now
    assert MissingPatternAlert.objects.exists()
    assert ReturnInterview.objects.exclude(late_reason="").exists() or ReturnInterview.objects.count() < 10
    assert MissingEpisode.objects.filter(returned_at__isnull=False, interviews__isnull=True).exists()  # due now
    assert StrategyClock.objects.filter(met_on__isnull=True, due_on__lt=today).exists()  # one overdue
    assert StrategyClock.objects.filter(met_on__isnull=False).exists()
    assert Case.objects.filter(state=CaseState.CLOSURE_REQUESTED).exists()
    assert PlanAction.objects.filter(status="open", due_on__lt=today).exists()
    assert Screening.objects.filter(status=ScreeningStatus.AWAITING_APPROVAL).exists()
    assert Screening.objects.filter(status=ScreeningStatus.RETURNED).exists()
    meetings = list(MaceMeeting.objects.order_by("held_on"))
    assert len(meetings) == 3
    assert meetings[0].is_approved and meetings[0].addenda.exists()
    assert not meetings[1].is_approved and meetings[1].minutes
    assert meetings[2].held_on > today and meetings[2].items.exists()
    assert {item.kind for m in meetings for item in m.items.all()} == {"child", "person_of_concern", "location"}
    for disruption in DisruptionAction.objects.select_related("person_of_concern"):
        person = disruption.person_of_concern
        assert person.ethnicity and person.ethnicity_observed and person.nationality and person.sex
        assert person.disability and (person.date_of_birth or person.approximate_age is not None)


def test_narratives_are_factual_and_never_graphic(seeded):
    texts = list(Referral.objects.values_list("narrative", flat=True))
    texts += list(Screening.objects.values_list("rationale", flat=True))
    texts += list(ReturnInterview.objects.values_list("summary", flat=True))
    texts += list(MissingEpisode.objects.values_list("circumstances", flat=True))
    texts += list(Case.objects.values_list("reason", flat=True))
    assert texts
    assert not [text for text in texts if GRAPHIC.search(text)]
    assert not [text for text in texts if "{" in text]  # every placeholder was filled


def test_vehicle_registrations_can_never_be_real_plates(seeded):
    from wrekin.referrals.models import ReferralMention

    plates = list(ReferralMention.objects.filter(kind="vehicle").values_list("normalised", flat=True))
    plates += [p.replace(" ", "") for p in MissingEpisode.objects.exclude(vehicle_registration="")
               .values_list("vehicle_registration", flat=True)]
    assert plates
    for plate in plates:
        assert "Q" in plate[4:] or len(plate) < 7, plate  # DVLA never issues Q in the random letters

