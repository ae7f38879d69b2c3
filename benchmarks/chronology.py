"""Benchmark: one child's chronology, case page and record page, with ~2,000 events, among N children.

Seeds a fresh benchmark database (created and destroyed by this script, never the demo one):
N children known to five agencies, an open case for one child in ten, and a focus child whose
story spans ten cases (nine closed by approved decisions) with risk levels, plan actions,
reviews, strategy discussions and their clocks, closure decisions, involvements and addresses.
Then it requests the focus child's chronology page, open case page and record page (people:detail)
through the Django test client as a signed-in coordinator and prints p50/p95 latency over R
requests and the number of queries each page sends (transaction control such as BEGIN and COMMIT
not counted; each page's audit write is counted). On PostgreSQL the tables are ANALYZEd after
seeding, as autovacuum would have done on a live database. The focus child has no referrals, missing
episodes or MACE items here: those apps' sources still send their one query each, empty.
tests/casework/test_query_budget.py holds the query budget with something from every app.

    .venv/bin/python benchmarks/chronology.py --children 10000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/wrekin_bench .venv/bin/python benchmarks/chronology.py

On PostgreSQL the database it creates and drops is test_<name> (here test_wrekin_bench), or the
name in WREKIN_TEST_DATABASE_NAME.

Targets (issue "Casework"): p95 < 150 ms and <= 20 queries per page.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wrekin.settings")
os.environ.setdefault("WREKIN_DEBUG", "0")
if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
    # A file, as in real use (WAL, synchronous=FULL), not an in-memory database.
    os.environ.setdefault("WREKIN_TEST_DATABASE_NAME", str(ROOT / "var" / "bench_chronology.sqlite3"))

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402


def seed(children: int, events: int, rng):
    from django.contrib.auth.hashers import make_password
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from wrekin.accounts.models import Agency, Membership, Partnership, Role, User
    from wrekin.casework.clocks import due_dates
    from wrekin.casework.models import (
        Case,
        CaseReview,
        CaseState,
        CaseTeamMember,
        ClosureDecision,
        ClosureRequest,
        PlanAction,
        RiskLevel,
        StrategyClock,
        StrategyDiscussion,
    )
    from wrekin.people.models import Involvement, Person, PersonAddress

    partnership = Partnership.objects.create(code="bench", name="Benchmark Partnership")
    agencies = [Agency.objects.create(partnership=partnership, code=f"BENCH-{i}", name=name, type=kind)
                for i, (name, kind) in enumerate([
                    ("Bench Constabulary", "police"), ("Bench Academy", "education"), ("Bench Health", "health"),
                    ("Bench Children's Services", "childrens_social_care"), ("Bench Youth Service", "youth_service")])]
    password = make_password("a-long-benchmark-passphrase-1")
    users = []
    for i, (agency, role) in enumerate([(agencies[3], Role.COORDINATOR), (agencies[3], Role.MANAGER),
                                        (agencies[0], Role.PRACTITIONER), (agencies[1], Role.PRACTITIONER)]):
        user = User.objects.create(username=f"bench{i}", password=password, first_name=f"Bench{i}")
        Membership.objects.create(user=user, agency=agency, role=role)
        TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
        users.append(user)
    coordinator, manager = users[0], users[1]

    given = ["Kayleigh", "Jayden", "Tia", "Daniel", "Amira", "Callum", "Chloe", "Riley", "Mason", "Leah"]
    family = ["Smith", "Jones", "Khan", "Evans", "Clarke", "Morgan", "Davies", "Patel", "Hughes", "Price"]
    people = []
    for i in range(children):
        person = Person(partnership=partnership, recorded_by_agency=agencies[i % 5], given_name=rng.choice(given),
                        family_name=rng.choice(family), date_of_birth=date(2008 + i % 8, 1 + i % 12, 1 + i % 28))
        person.refresh_search_keys()
        people.append(person)
    Person.objects.bulk_create(people, batch_size=2000)
    people = list(Person.objects.filter(partnership=partnership).order_by("pk"))
    Involvement.objects.bulk_create([
        Involvement(person=p, agency=agencies[i % 5], kind="recorded", started_on=date(2025, 1, 1))
        for i, p in enumerate(people)], batch_size=2000)
    Involvement.objects.bulk_create([
        Involvement(person=p, agency=agencies[3], kind="working_with", started_on=date(2025, 2, 1))
        for i, p in enumerate(people) if i % 5 != 3], batch_size=2000)
    # An open case for one child in ten (not the focus child): realistic table sizes.
    background = [Case(person=p, reason="Concerns about missing episodes.", lead_professional=manager,
                       opened_on=date(2026, 1, 5), opened_by=coordinator, opened_by_agency=agencies[3],
                       next_review_due=date(2026, 3, 30)) for p in people[1::10]]
    Case.objects.bulk_create(background, batch_size=2000)

    focus = people[0]
    # People's own records: involvements and addresses.
    Involvement.objects.bulk_create([
        Involvement(person=focus, agency=agencies[i % 5], kind="working_with", started_on=date(2018, 1, 1)
                    + timedelta(days=30 * i), summary="Worked with the family.") for i in range(40)])
    PersonAddress.objects.bulk_create([
        PersonAddress(person=focus, line1=f"{i + 1} Ercall Close", town="Wellington", postcode="TF1 2AB",
                      valid_from=date(2018, 1, 1) + timedelta(days=60 * i), recorded_by_agency=agencies[i % 5])
        for i in range(40)])
    made = 80
    cases = 10
    per_case = max(1, (events - made) // cases)
    # Per case: opened (1) + closure asked and approved (2) + r risk + 2a actions + v reviews + 3s strategy.
    s = max(1, per_case // 30)
    v = max(1, per_case // 12)
    a = max(1, per_case // 5)
    r = max(1, per_case - 3 - 2 * a - v - 3 * s)
    start = date(2019, 1, 7)
    open_case = None
    for n in range(cases):
        opened = start + timedelta(days=200 * n)
        case = Case.objects.create(person=focus, reason=f"Case {n + 1}: missing episodes and older associates.",
                                   lead_professional=manager, opened_on=opened, opened_by=coordinator,
                                   opened_by_agency=agencies[3], next_review_due=opened + timedelta(weeks=12))
        CaseTeamMember.objects.bulk_create([
            CaseTeamMember(case=case, user=u, agency=u.membership.agency, role_in_team="Team member",
                           added_on=opened, added_by=coordinator) for u in users[1:]])
        at = timezone.make_aware(timezone.datetime.combine(opened, timezone.datetime.min.time()))
        RiskLevel.objects.bulk_create([
            RiskLevel(case=case, level=rng.choice(["low", "medium", "high"]), rationale="Professional judgement.",
                      basis="Screening", recorded_by=manager, recorded_by_agency=agencies[3],
                      recorded_at=at + timedelta(hours=6 * i)) for i in range(r)])
        last = n == cases - 1
        PlanAction.objects.bulk_create([
            PlanAction(case=case, description=f"Action {i + 1}", owner=users[1 + i % 3],
                       agency=users[1 + i % 3].membership.agency, due_on=opened + timedelta(days=14 + i),
                       created_by=coordinator, created_at=at + timedelta(hours=i),
                       status="open" if last and i % 10 == 0 else "done",
                       completed_on=None if last and i % 10 == 0 else opened + timedelta(days=10 + i))
            for i in range(a)])
        CaseReview.objects.bulk_create([
            CaseReview(case=case, held_on=opened + timedelta(days=7 * (i + 1)), summary="Progress against plan.",
                       next_review_due=opened + timedelta(days=7 * (i + 1) + 84), recorded_by=manager,
                       recorded_by_agency=agencies[3]) for i in range(v)])
        for i in range(s):
            held = opened + timedelta(days=3 + i)
            discussion = StrategyDiscussion.objects.create(
                person=focus, case=case, held_on=held, decision="section_47", rationale="Significant harm suspected.",
                recorded_by=coordinator, recorded_by_agency=agencies[3])
            discussion.attendee_agencies.set(agencies[:4])
            StrategyClock.objects.bulk_create([
                StrategyClock(discussion=discussion, kind=kind, working_days=5, due_on=due,
                              met_on=due if kind != "assessment" else None)
                for kind, due in due_dates(held, "section_47").items()])
        if last:
            open_case = case
            case.state = CaseState.PLAN
            case.save(update_fields=["state"])
            continue
        request = ClosureRequest.objects.create(
            case=case, reason="Risk reduced.", previous_state=CaseState.PLAN, requested_by=coordinator,
            requested_by_agency=agencies[3], requested_at=at + timedelta(days=150), decision=ClosureDecision.APPROVED,
            decided_by=manager, decided_by_agency=agencies[3], decided_at=at + timedelta(days=151))
        case.state, case.closure, case.closed_at = CaseState.CLOSED, request, request.decided_at
        case.save()
    return focus, open_case, coordinator


def _sign_in(client, user) -> None:
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from wrekin.accounts.middleware import record_sign_in_time

    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.get(user=user).persistent_id
    record_sign_in_time(session)
    session.save()


# Transaction control is not a query: SQLite logs its BEGIN IMMEDIATE and COMMIT, PostgreSQL does not.
_CONTROL = ("SAVEPOINT", "RELEASE SAVEPOINT", "BEGIN", "COMMIT", "ROLLBACK")


def _statements(captured) -> int:
    return sum(1 for q in captured.captured_queries if not q["sql"].startswith(_CONTROL))


def measure(client, url: str, requests: int) -> dict:
    for _ in range(3):  # warm-up
        assert client.get(url).status_code == 200, url
    timings = []
    for _ in range(requests):
        began = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - began) * 1000)
        assert response.status_code == 200
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    timings.sort()
    return {"p50": statistics.median(timings), "p95": timings[max(0, int(round(0.95 * len(timings))) - 1)],
            "max": timings[-1], "queries": _statements(captured)}


def main() -> int:
    import random

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--children", type=int, default=10000)
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    # No setup_test_environment(): it instruments template rendering, which would slow every page.
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        began = time.perf_counter()
        focus, open_case, coordinator = seed(args.children, args.events, random.Random(args.seed))
        seeded = time.perf_counter() - began
        if connection.vendor == "postgresql":
            # A live database has planner statistics (autovacuum keeps them); a freshly bulk-loaded one
            # has none until autovacuum gets round to it, and PostgreSQL then plans for empty tables.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        from wrekin.core.timeline import chronology_for

        total = len(chronology_for(focus, coordinator))
        client = Client()
        _sign_in(client, coordinator)
        pages = {
            "chronology page": reverse("casework:chronology", args=[focus.pk]),
            "case page": reverse("casework:detail", args=[open_case.pk]),
            "child record page": reverse("people:detail", args=[focus.pk]),
        }
        print(f"$ {' '.join([Path(sys.executable).name, *sys.argv])}")
        print(f"database: {connection.vendor}; children: {args.children}; focus child's chronology events: "
              f"{total} (all registered sources); seeded in {seeded:.1f} s; {args.requests} requests per page")
        print(f"{'page':<19}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}{'queries':>9}  target p95 < 150 ms, <= 20")
        failed = False
        for name, url in pages.items():
            result = measure(client, url, args.requests)
            ok = result["p95"] < 150 and result["queries"] <= 20
            failed |= not ok
            print(f"{name:<19}{result['p50']:>9.1f}{result['p95']:>9.1f}{result['max']:>9.1f}"
                  f"{result['queries']:>9}  {'ok' if ok else 'MISSED'}")
        # Where the chronology's time goes: each registered source on its own, median of 10 runs.
        from wrekin.core import timeline

        print("chronology sources (median of 10 calls):")
        ours = {"casework.cases", "people.records"}
        other_queries = 0
        for source_name, source in sorted(timeline._chronology_sources.items()):
            runs = []
            for _ in range(10):
                began = time.perf_counter()
                with CaptureQueriesContext(connection) as captured:
                    produced = len(list(source(focus, coordinator)))
                runs.append((time.perf_counter() - began) * 1000)
            print(f"  {source_name:<32}{statistics.median(runs):>8.1f} ms{_statements(captured):>4} queries"
                  f"{produced:>6} events")
            if source_name not in ours:
                other_queries += _statements(captured)
        print(f"  other apps' sources send {other_queries} of the chronology page's queries")
        for fmt in ("csv", "pdf"):
            url = reverse(f"casework:chronology_{fmt}", args=[focus.pk])
            began = time.perf_counter()
            response = client.get(url)
            print(f"{fmt.upper()} export: {(time.perf_counter() - began) * 1000:.0f} ms, "
                  f"{len(response.content) / 1024:.0f} KiB (one request, for information)")
        return 1 if failed else 0
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    sys.exit(main())
