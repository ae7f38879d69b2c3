"""Link check on save: the cost of recording what a new record mentions, with 1,000,000 mentions stored.

    .venv/bin/python benchmarks/link_check.py [--mentions 1000000] [--samples 300] [--warmup 200]
                                              [--persons 2000] [--database sqlite|postgres|both]
                                              [--pg-database wrekin_bench_link_check]

Each database is fresh (a temporary SQLite file, or a PostgreSQL database named by `--pg-database`,
default `wrekin_bench_link_check`, created and dropped: give your own name when others may be running
this; PostgreSQL must accept `postgres@127.0.0.1` with trust auth, or set
BENCH_POSTGRES_URL=postgres://USER:PASS@HOST:5432/postgres). `wrekin migrate` runs first, untimed.

The load (untimed): one partnership of 14 agencies, 20,000 children, `--persons` persons of concern (each
with a nickname, a third "known as" something, a quarter with an alias; each known to the police and one
other agency), and `--mentions` mentions of vehicles (45%), phones (25%), locations (15%; one in twenty a
named premises such as "Golden Grill, TF3 4AB", the rest postcodes), online handles (10%) and named people
(5%), with the skew real records have: each mention picks its entity as floor(N * u**3) for a uniform u, so
most entities are mentioned once or twice and a few hundred thousands of times (the town-centre takeaway,
the taxi firm everybody uses). 1% of vehicle mentions are partial marks ("AB12 ?"). Every vehicle, phone,
place and handle mentioned about two or more children already has its link alert, holding its mentions and
those of the partial marks that fit it, as the link check would have left it. Then `--warmup` saves
(untimed) bring person alerts and caches to the state of a running system.

Then `--samples` records are saved one after another, each through
wrekin.intelligence.linking.record_mentions in its own transaction, as a referral does: three typed
mentions (an existing entity picked the same skewed way, a new vehicle, and a phone that is existing or
new half the time), a person named with an age one time in ten, a partial mark one time in twenty, and
a short narrative for the extractor with a registration mark and a phone number — and, one time in ten
each, a person of concern's nickname and a named premises, which the gazetteer of known names finds (the
names the saving practitioner may see: wrekin.intelligence.gazetteer). Timed: the whole call (gazetteer,
entities, mentions, audit event and link check), and the link check alone (check_links). The first read of
the gazetteer (every name, compiled) is timed on its own, before the warm-up. The workers run with DEBUG
off, as production does. LINK_BENCH_QUERIES=1, LINK_BENCH_PROFILE=1 and LINK_BENCH_SLOWEST=1 print the
slowest queries, a profile, and the kinds of the slowest saves to stderr.

To compare two versions of the code on the same data, load a database once and run the worker on a copy of it
each time with LINK_BENCH_REUSE=1 (it then skips the load); docs/benchmarks.md, "Link check on save", shows how.
Those figures are for comparison only: publish the fresh runs.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import string
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PG_ADMIN = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
PG_DB = "wrekin_bench_link_check"
PREMISES_SHARE = 0.05  # of location entities: a named premises rather than a postcode
PREMISES_FIRST = ["Golden", "Royal", "Tasty", "Kwik", "Star", "Happy", "Lucky", "Sunrise", "Crown", "Station",
                  "Market", "Park", "Castle", "Bridge", "Central", "Corner", "Village", "Abbey", "Forge", "Wrekin"]
PREMISES_SECOND = ["Grill", "Kebab", "Chicken", "Pizza", "Cafe", "Hotel", "Lodge", "Inn", "Stores", "Barbers",
                   "Vapes", "Nails", "Car Wash", "Snooker Club", "Gym", "Chippy", "Balti", "Express", "Arcade",
                   "Taxis"]
SYLLABLES = ["ka", "zi", "ro", "ta", "mo", "ji", "dee", "bo", "la", "ve", "ny", "zo", "ri", "ga", "ty", "sa", "ko",
             "fi", "ru", "xa"]
TARGET_P95_MS = 50

MEMORY_TAG = "ABCDEFGHJKLMNOPRSTUVWXY"
RANDOM_LETTERS = "ABCDEFGHJKLMNOPRSTUVWXYZ"
AGE_IDS = [f"{n:02d}" for n in list(range(2, 26)) + list(range(51, 76))]
GIVEN = ["Mohammed", "Mo", "Daniel", "Danny", "Jay", "Jayden", "Liam", "Kyle", "Adam", "Ali", "Tariq", "Shaun",
         "Lee", "Dean", "Ryan", "Connor", "Aaron", "Imran", "Kamran", "Wayne", "Craig", "Jamie", "Karl", "Omar"]
FAMILY = ["Khan", "Smith", "Jones", "Hussain", "Ahmed", "Taylor", "Brown", "Williams", "Davies", "Evans", "Ali",
          "Wilson", "Walker", "Wright", "Robinson", "Thompson", "Hughes", "Edwards", "Green", "Hall", "Wood"]
POSTCODE_AREAS = ["TF", "SY", "WV", "ST", "B", "DY", "WS"]
PLATFORMS = ["snapchat", "instagram", "tiktok", "facebook", "telegram"]
TYPE_SHARES = [("vehicle", 0.45), ("phone", 0.25), ("location", 0.15), ("online", 0.10), ("person", 0.05)]


def _run_worker(database_url: str, mentions: int, samples: int, seed: int, warmup: int, persons: int) -> dict:
    # Production settings where it matters: DEBUG off (no query log kept in memory).
    env = {**os.environ, "DATABASE_URL": database_url, "WREKIN_LOG_LEVEL": "WARNING", "WREKIN_DEBUG": "0"}
    subprocess.run([sys.executable, "-m", "wrekin.cli", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    out = subprocess.run([sys.executable, __file__, "--worker", "--mentions", str(mentions), "--samples",
                          str(samples), "--seed", str(seed), "--warmup", str(warmup), "--persons", str(persons)],
                         cwd=ROOT, env=env, capture_output=True, text=True)
    sys.stderr.write(out.stderr)
    if out.returncode:
        raise SystemExit(f"the {database_url.split(':')[0]} worker failed")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(pct / 100 * (len(ordered) - 1))))]


# --- synthetic identities ---------------------------------------------------------------------

def _mark(rng: random.Random) -> str:
    return (rng.choice(MEMORY_TAG) + rng.choice(MEMORY_TAG) + rng.choice(AGE_IDS)
            + "".join(rng.choice(RANDOM_LETTERS) for _ in range(3)))


def _phone(rng: random.Random) -> str:
    return "+447" + "".join(rng.choice(string.digits) for _ in range(9))


def _postcode(rng: random.Random) -> str:
    return f"{rng.choice(POSTCODE_AREAS)}{rng.randint(1, 20)} {rng.randint(1, 9)}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}" \
           f"{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}"


def _handle(rng: random.Random) -> str:
    return "".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(5, 9))) + str(rng.randint(1, 999))


def _premises_name(rng: random.Random) -> str:
    """1,600 names in all, so some are chains: "Golden Grill" at several postcodes."""
    return f"{rng.choice(PREMISES_FIRST)} {rng.choice(PREMISES_SECOND)}" + (
        f" {rng.choice(PREMISES_FIRST)}" if rng.random() < 0.75 else "")


def _nickname(rng: random.Random, taken: set[str]) -> str:
    """A street name made of syllables ("Kazi", "Romoji"), never two the same."""
    while True:
        name = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).title()
        if name not in taken:
            taken.add(name)
            return name


class Pool:
    """The entities of one type, created on first use, each with its key, display and columns."""

    def __init__(self, type_: str, size: int, rng: random.Random):
        self.type, self.size, self.rng = type_, size, rng
        self.rows: dict[int, dict] = {}

    def pick(self) -> int:
        return int(self.size * self.rng.random() ** 3)

    def row(self, index: int) -> dict:
        if index not in self.rows:
            self.rows[index] = self._make()
        return self.rows[index]

    def _make(self) -> dict:
        from wrekin.intelligence.entities import family_initial
        from wrekin.people.names import name_key

        rng = self.rng
        if self.type == "vehicle":
            mark = _mark(rng)
            if rng.random() < 0.01:
                prefix = mark[:4]
                return {"key": f"{prefix}*", "display": f"starts {prefix}", "is_partial": True,
                        "partial_prefix": prefix, "pattern": f"{prefix}[A-Z0-9]*", "mark_format": "partial"}
            return {"key": mark, "display": f"{mark[:4]} {mark[4:]}", "mark_format": "current",
                    "reversed_key": mark[::-1]}
        if self.type == "phone":
            phone = _phone(rng)
            return {"key": phone, "display": phone}
        if self.type == "location":
            postcode = _postcode(rng)
            if rng.random() < PREMISES_SHARE:
                from wrekin.intelligence.entities import normalise_text

                name = _premises_name(rng)
                return {"key": f"premises:{normalise_text(name)}|{postcode}", "display": f"{name}, {postcode}",
                        "postcode": postcode, "premises_name": name, "premises_type": "takeaway"}
            return {"key": f"postcode:{postcode}", "display": postcode, "postcode": postcode}
        if self.type == "online":
            platform_, handle = rng.choice(PLATFORMS), _handle(rng)
            return {"key": f"{platform_}:{handle}", "display": f"@{handle} ({platform_.title()})",
                    "platform": platform_, "handle": handle}
        given, family = rng.choice(GIVEN), rng.choice(FAMILY)
        name = f"{given} {family}" if rng.random() < 0.7 else given
        return {"key": name.lower(), "display": name, "name": name, "name_key": name_key(given),
                "family_key": family_initial(name.lower())}


def worker(total: int, samples: int, seed: int, warmup: int, persons: int) -> None:
    """Runs inside a configured Django process."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wrekin.settings")
    django.setup()


    from wrekin.accounts.models import Partnership, User
    from wrekin.intelligence.models import LinkAlert
    from wrekin.people.models import Person

    rng = random.Random(seed)
    reuse = bool(os.environ.get("LINK_BENCH_REUSE")) and Partnership.objects.filter(code="bench").exists()
    if reuse:
        # Iterating on the link check: keep a loaded database (not for published figures).
        partnership = Partnership.objects.get(code="bench")
        users = list(User.objects.filter(username__startswith="bench").order_by("pk"))
        child_ids = list(Person.objects.filter(partnership=partnership).values_list("pk", flat=True))
        mention_seconds = alert_seconds = 0.0
        alert_of = dict(LinkAlert.objects.filter(partnership=partnership).values_list("anchor_entity_id", "pk"))
    else:
        partnership, users, child_ids, mention_seconds, alert_seconds, alert_of = _load(total, rng, persons)
    _timed(partnership, users, child_ids, mention_seconds, alert_seconds, alert_of, samples, rng, warmup)


def _load(total: int, rng: random.Random, persons: int):
    from datetime import timedelta

    from django.db import connection, transaction
    from django.db.models import Count, Max, Min
    from django.utils import timezone

    from wrekin.accounts.models import Agency, Membership, Partnership, Role, User
    from wrekin.intelligence.models import Entity, LinkAlert, LinkAlertMention, Mention
    from wrekin.people.models import Person

    load_start = time.perf_counter()
    partnership = Partnership.objects.create(code="bench", name="Bench Partnership")
    agencies = [Agency.objects.create(partnership=partnership, code=f"BENCH-{n}", name=f"Agency {n}",
                                      type="police" if n == 0 else "education") for n in range(14)]
    users = []
    for n, agency in enumerate(agencies):
        user = User.objects.create(username=f"bench{n}")
        Membership.objects.create(user=user, agency=agency, role=Role.PRACTITIONER)
        users.append(user)
    Person.objects.bulk_create(
        [Person(partnership=partnership, recorded_by_agency=agencies[n % 14], given_name=f"Child{n}",
                family_name="Bench") for n in range(20_000)], batch_size=5000)
    child_ids = list(Person.objects.filter(partnership=partnership).values_list("pk", flat=True))
    _load_persons_of_concern(partnership, agencies, persons, rng)

    pools = {type_: Pool(type_, max(1, int(total * share * 0.6)), rng) for type_, share in TYPE_SHARES}
    types, weights = zip(*TYPE_SHARES, strict=True)
    picks = [(t, pools[t].pick()) for t in rng.choices(types, weights, k=total)]
    entity_ids: dict[tuple[str, int], int] = {}
    batch = []
    unique = {(type_, pools[type_].row(index)["key"]): pools[type_].row(index) for type_, index in picks}
    for (type_, _key), row in unique.items():
        batch.append(Entity(partnership=partnership, type=type_, **row))
        if len(batch) == 20_000:
            created = Entity.objects.bulk_create(batch)
            batch = []
            del created
    if batch:
        Entity.objects.bulk_create(batch)
    for pk, type_, key in Entity.objects.filter(partnership=partnership).values_list("pk", "type", "key"):
        entity_ids[(type_, key)] = pk
    base = timezone.now() - timedelta(days=730)
    rows = []
    for n, (type_, index) in enumerate(picks):
        row = pools[type_].row(index)
        agency = rng.randrange(14)
        rows.append(Mention(
            partnership=partnership, entity_id=entity_ids[(type_, row["key"])], source_type="bench.record",
            source_id=n // 3, source_title="Bench record", child_id=rng.choice(child_ids),
            recorded_by_id=users[agency].pk, recorded_by_agency_id=agencies[agency].pk,
            recorded_at=base + timedelta(minutes=n), as_typed=row["display"], origin="structured",
            status="confirmed" if rng.random() < 0.8 else "unconfirmed",
            approximate_age=(age := rng.randint(18, 45) if type_ == "person" else None),
            birth_year=(base + timedelta(minutes=n)).year - age if age else None))
        if len(rows) == 20_000:
            with transaction.atomic():
                Mention.objects.bulk_create(rows)
            rows = []
    if rows:
        Mention.objects.bulk_create(rows)
    mention_seconds = time.perf_counter() - load_start

    # The alerts the link check would have left: every vehicle, phone, place and handle mentioned about two
    # or more children, holding the partial marks that fit it (person alerts are left to the warm-up saves:
    # they group mentions by name and age, not by entity).
    alert_start = time.perf_counter()
    linked = (Mention.objects.filter(partnership=partnership).exclude(entity__type="person").values("entity_id")
              .annotate(children=Count("child", distinct=True), agencies=Count("recorded_by_agency", distinct=True),
                        mentions=Count("pk"), first=Min("recorded_at"), last=Max("recorded_at"))
              .filter(children__gte=2))
    now = timezone.now()
    alerts = []
    for row in linked.iterator(chunk_size=20_000):
        alerts.append(LinkAlert(
            partnership=partnership, link_key=f"entity:{row['entity_id']}", anchor_entity_id=row["entity_id"],
            basis="exact", explanation="(loaded)", mention_count=row["mentions"], record_count=row["mentions"],
            child_count=row["children"], agency_count=row["agencies"], first_mentioned_at=row["first"],
            last_mentioned_at=row["last"], raised_at=now, updated_at=now))
    for start in range(0, len(alerts), 20_000):
        LinkAlert.objects.bulk_create(alerts[start:start + 20_000])
    alert_of = dict(LinkAlert.objects.filter(partnership=partnership).values_list("anchor_entity_id", "pk"))
    through = LinkAlert.entities.through
    links, members = [], []
    # Partial marks ("AB12 ?") fit every full mark with their prefix: they belong to those marks' alerts.
    partial_of: dict[str, list[int]] = {}
    for pk, prefix in Entity.objects.filter(partnership=partnership, is_partial=True).values_list(
            "pk", "partial_prefix"):
        partial_of.setdefault(prefix, []).append(pk)
    alert_members: dict[int, list[int]] = {}  # entity -> the alerts holding it
    for pk, key in Entity.objects.filter(partnership=partnership, type="vehicle", is_partial=False,
                                         pk__in=list(alert_of)).values_list("pk", "key"):
        for partial in partial_of.get(key[:4], ()):
            alert_members.setdefault(partial, []).append(alert_of[pk])
    for entity_id, alert_id in alert_of.items():
        alert_members.setdefault(entity_id, []).append(alert_id)
    for entity_id, alert_ids in alert_members.items():
        members += [through(linkalert_id=alert_id, entity_id=entity_id) for alert_id in alert_ids]
    through.objects.bulk_create(members, batch_size=20_000)
    for mention_id, entity_id in Mention.objects.filter(entity_id__in=list(alert_members)).values_list(
            "pk", "entity_id").iterator(chunk_size=50_000):
        links += [LinkAlertMention(alert_id=alert_id, mention_id=mention_id, reason="(loaded)", added_at=now)
                  for alert_id in alert_members[entity_id]]
        if len(links) >= 20_000:
            LinkAlertMention.objects.bulk_create(links)
            links = []
    if links:
        LinkAlertMention.objects.bulk_create(links)
    alert_seconds = time.perf_counter() - alert_start
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return partnership, users, child_ids, mention_seconds, alert_seconds, alert_of


def _load_persons_of_concern(partnership, agencies, count: int, rng: random.Random) -> None:
    """Persons of concern with their names as the gazetteer reads them; each known to the police and one other
    agency (so each practitioner may see the police's and a share of the rest)."""
    from datetime import date

    from wrekin.people.models import Involvement, Person, PersonName
    from wrekin.people.names import name_key

    taken: set[str] = set()
    people = []
    for n in range(count):
        person = Person(partnership=partnership, recorded_by_agency=agencies[0], kind="person_of_concern",
                        given_name=rng.choice(GIVEN), family_name=rng.choice(FAMILY),
                        approximate_age=rng.randint(18, 45), approximate_age_recorded_on=date(2026, 1, 5),
                        known_as=_nickname(rng, taken) if n % 3 == 0 else "")
        person.refresh_search_keys()
        people.append(person)
    Person.objects.bulk_create(people, batch_size=5000)
    names, involvements = [], []
    for person in people:
        nickname = _nickname(rng, taken)
        names.append(PersonName(person=person, kind="nickname", given_name=nickname, given_key=name_key(nickname),
                                recorded_by_agency=agencies[0]))
        if rng.random() < 0.25:
            given, family = rng.choice(GIVEN), rng.choice(FAMILY)
            names.append(PersonName(person=person, kind="alias", given_name=given, family_name=family,
                                    given_key=name_key(given), family_key=name_key(family),
                                    recorded_by_agency=agencies[0]))
        for agency in {agencies[0], rng.choice(agencies[1:])}:
            involvements.append(Involvement(person=person, agency=agency, kind="investigating",
                                            started_on=date(2026, 1, 5)))
    PersonName.objects.bulk_create(names, batch_size=5000)
    Involvement.objects.bulk_create(involvements, batch_size=5000)


def _existing(rng: random.Random, type_: str | None = None) -> dict:
    """An entity already mentioned, picked by a random mention: popular entities come up as often as
    they are mentioned, as in real records."""
    from wrekin.intelligence.models import Mention

    bounds = _existing.bounds
    mentions = Mention.objects.filter(pk__gte=rng.randint(*bounds), source_type="bench.record")
    if type_:
        mentions = mentions.filter(entity__type=type_)
    entity = mentions.order_by("pk").select_related("entity").first().entity
    row = {"key": entity.key, "display": entity.display, "is_partial": entity.is_partial,
           "postcode": entity.postcode, "platform": entity.platform, "handle": entity.handle}
    return {"type": entity.type, **row}


def _timed(partnership, users, child_ids, mention_seconds, alert_seconds, alert_of, samples, rng, warmup):
    from django.db import connection, transaction
    from django.db.models import Count, Max, Min

    from wrekin.intelligence import linking
    from wrekin.intelligence.gazetteer import _current, gazetteer_for_user
    from wrekin.intelligence.models import Entity, LinkAlert, Mention
    from wrekin.people.models import Person, PersonName

    bounds = Mention.objects.filter(source_type="bench.record").aggregate(
        low=Min("pk"), high=Max("pk"), last_source=Max("source_id"))
    # Names for the narratives, and the first read of the gazetteer: every name, compiled (once a process).
    _sample.nicknames = sorted(PersonName.objects.filter(kind="nickname").values_list("given_name", flat=True))
    _sample.premises = sorted(set(Entity.objects.filter(type="location").exclude(premises_name="")
                                  .values_list("premises_name", flat=True)))
    start = time.perf_counter()
    gazetteer_for_user(users[0])
    gazetteer_read_ms = (time.perf_counter() - start) * 1000
    known = _current(partnership.pk)
    gazetteer_names = {"people": len(known.people), "places": len(known.places), "distinct": len(known.meanings)}
    first_source = bounds["last_source"] + 1
    _existing.bounds = (bounds["low"], bounds["high"])
    stored = Mention.objects.count()
    entity_count = Entity.objects.count()
    per_entity = sorted(Mention.objects.values("entity_id").annotate(n=Count("pk")).values_list("n", flat=True))
    skew = {"entities": entity_count, "single_mention_entities": sum(1 for n in per_entity if n == 1),
            "max_mentions_of_one_entity": per_entity[-1], "alerts": len(alert_of)}

    # The timed saves.
    load_before = round(os.getloadavg()[0], 1)
    check_times: list[float] = []
    real_check = linking.check_links

    check_cpu: list[float] = []

    def timed_check(*args, **kwargs):
        start, cpu = time.perf_counter(), time.process_time()
        try:
            return real_check(*args, **kwargs)
        finally:
            check_times.append((time.perf_counter() - start) * 1000)
            check_cpu.append((time.process_time() - cpu) * 1000)

    # Warm-up (untimed): saves like the timed ones, so person alerts and caches reach the state a running
    # system is in. The timed saves follow.
    for n in range(warmup):
        with transaction.atomic():
            linking.record_mentions(actor=users[rng.randrange(14)], source=("bench.record", first_source + n),
                                    child=Person.objects.get(pk=rng.choice(child_ids)),
                                    structured=_sample(rng, n)[0], narrative=_sample(rng, n)[1])
    first_source += warmup
    linking.check_links = timed_check
    slow_queries: dict[str, list[float]] = {}

    def query_timer(execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            shape = sql[:60] + " … " + sql[sql.find("WHERE"):][:260]
            slow_queries.setdefault(shape, []).append((time.perf_counter() - start) * 1000)

    profiling = bool(os.environ.get("LINK_BENCH_QUERIES"))
    profiler = None
    if os.environ.get("LINK_BENCH_PROFILE"):
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    wrapper = connection.execute_wrapper(query_timer) if profiling else None
    if wrapper:
        wrapper.__enter__()
    save_times: list[float] = []
    kinds: list[str] = []
    new_alerts_before = LinkAlert.objects.count()
    for n in range(samples):
        actor = users[rng.randrange(14)]
        child = Person.objects.get(pk=rng.choice(child_ids))
        structured, narrative, existing_type = _sample(rng, n)
        start = time.perf_counter()
        with transaction.atomic():
            linking.record_mentions(actor=actor, source=("bench.record", first_source + n), child=child,
                                    structured=structured, narrative=narrative)
        save_times.append((time.perf_counter() - start) * 1000)
        kinds.append(("person " if n % 10 == 0 else "") + ("partial " if n % 20 == 0 else "")
                     + ("nickname " if n % 10 == 5 else "") + ("premises " if n % 10 == 7 else "") + existing_type)
    linking.check_links = real_check
    if os.environ.get("LINK_BENCH_SLOWEST"):
        slowest = sorted(zip(check_times, kinds, strict=True), reverse=True)[:15]
        sys.stderr.write("slowest link checks: " + ", ".join(f"{t:.0f} ms ({k})" for t, k in slowest) + "\n")
    if profiler is not None:
        import io
        import pstats

        profiler.disable()
        text = io.StringIO()
        stats = pstats.Stats(profiler, stream=text).sort_stats("cumulative")
        stats.print_stats("wrekin/(intelligence|audit)", 40)
        stats.print_callees("_update_alert")
        sys.stderr.write(text.getvalue())
    if wrapper:
        wrapper.__exit__(None, None, None)
        worst = sorted(slow_queries.items(), key=lambda item: -sum(item[1]))[:25]
        for shape, times in worst:
            sys.stderr.write(f"{sum(times):9.1f} ms {len(times):6d}x max {max(times):7.1f}  {shape}\n")

    print(json.dumps({
        "vendor": connection.vendor, "mentions_stored": stored, **skew,
        "load_seconds": round(mention_seconds, 1), "alert_load_seconds": round(alert_seconds, 1),
        "save_p50_ms": round(statistics.median(save_times), 1), "save_p95_ms": round(_percentile(save_times, 95), 1),
        "save_max_ms": round(max(save_times), 1),
        "check_p50_ms": round(statistics.median(check_times), 1),
        "check_p95_ms": round(_percentile(check_times, 95), 1), "check_max_ms": round(max(check_times), 1),
        "check_cpu_p50_ms": round(statistics.median(check_cpu), 1),
        "check_cpu_p95_ms": round(_percentile(check_cpu, 95), 1),
        "samples": samples, "alerts_raised": LinkAlert.objects.count() - new_alerts_before,
        "gazetteer_first_read_ms": round(gazetteer_read_ms), "gazetteer_names": gazetteer_names,
        "load_average": [load_before, round(os.getloadavg()[0], 1)],
        "named_mentions": Mention.objects.filter(source_type="bench.record", origin="extracted",
                                                 entity__type__in=("person", "location")).count(),
    }))


def _sample(rng: random.Random, n: int) -> tuple[list[dict], str, str]:
    """One record's mentions as a practitioner types them, its narrative, and the existing entity's type."""
    existing = _existing(rng)
    structured = [_typed(existing["type"], existing), {"type": "vehicle", "value": _mark(rng)},
                  {"type": "phone", "value": _existing(rng, "phone")["display"] if rng.random() < 0.5 else _phone(rng)}]
    if n % 10 == 0:
        structured.append({"type": "person", "value": f"{rng.choice(GIVEN)} {rng.choice(FAMILY)}",
                           "approximate_age": rng.randint(18, 45)})
    if n % 20 == 0:
        structured.append({"type": "vehicle", "value": f"{_mark(rng)[:4]} ?"})
    other = _existing(rng, "vehicle")
    narrative = f"Seen getting into {other['display']} near the park; later rang 0{_phone(rng)[3:6]} {_phone(rng)[6:]}."
    if n % 10 == 5 and getattr(_sample, "nicknames", None):
        narrative += f" She says {rng.choice(_sample.nicknames)} drove."
    if n % 10 == 7 and getattr(_sample, "premises", None):
        narrative += f" Dropped outside {rng.choice(_sample.premises)} after midnight."
    return structured, narrative, existing["type"]


def _typed(type_: str, row: dict) -> dict:
    """How a practitioner would type an existing entity: a different format from the stored one."""
    if type_ == "vehicle":
        return {"type": "vehicle", "value": row["display"].lower() if not row.get("is_partial") else row["display"]}
    if type_ == "phone":
        return {"type": "phone", "value": "0" + row["key"][3:]}
    if type_ == "location":
        return {"type": "location", "value": row["postcode"].replace(" ", "").lower()}
    if type_ == "online":
        return {"type": "online", "value": "@" + row["handle"].upper(), "platform": row["platform"]}
    return {"type": "person", "value": row["display"], "approximate_age": 30}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mentions", type=int, default=1_000_000)
    parser.add_argument("--samples", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--warmup", type=int, default=200, help="untimed saves before the timed ones")
    parser.add_argument("--persons", type=int, default=2000, help="persons of concern (their names: the gazetteer)")
    parser.add_argument("--pg-database", default=PG_DB, help="the PostgreSQL database to create, use and drop")
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.mentions, args.samples, args.seed, args.warmup, args.persons)
        return

    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"{time.strftime('%Y-%m-%d')}, load average {os.getloadavg()[0]:.1f}")
    results = []
    if args.database in ("sqlite", "both"):
        with tempfile.TemporaryDirectory() as tmp:
            results.append(_run_worker(f"sqlite:///{tmp}/bench.sqlite3", args.mentions, args.samples, args.seed,
                                       args.warmup, args.persons))
    if args.database in ("postgres", "both"):
        import psycopg
        from psycopg import sql

        name = sql.Identifier(args.pg_database)
        with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(name))
            admin.execute(sql.SQL("CREATE DATABASE {}").format(name))
        try:
            base = PG_ADMIN.rsplit("/", 1)[0]
            results.append(_run_worker(f"{base}/{args.pg_database}", args.mentions, args.samples, args.seed,
                                       args.warmup, args.persons))
        finally:
            with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
                admin.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(name))
    for r in results:
        print(json.dumps(r))
    print(f"{'database':<12}{'mentions':>10}{'save p50':>10}{'save p95':>10}{'check p50':>11}{'check p95':>11}"
          f"{'check max':>11}")
    for r in results:
        print(f"{r['vendor']:<12}{r['mentions_stored']:>10}{r['save_p50_ms']:>8}ms{r['save_p95_ms']:>8}ms"
              f"{r['check_p50_ms']:>9}ms{r['check_p95_ms']:>9}ms{r['check_max_ms']:>9}ms")
    for r in results:
        print(f"{r['vendor']}: gazetteer {r['gazetteer_names']}, first read {r['gazetteer_first_read_ms']} ms; "
              f"{r['named_mentions']} names found in the saves' narratives")
    print(f"target: link check on save p95 <= {TARGET_P95_MS} ms with 1,000,000 mentions stored\n"
          f"reproduce: .venv/bin/python benchmarks/link_check.py --mentions {args.mentions} "
          f"--samples {args.samples} --seed {args.seed} --warmup {args.warmup} --persons {args.persons}")


if __name__ == "__main__":
    main()
