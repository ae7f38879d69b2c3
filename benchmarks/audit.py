"""Audit trail benchmarks: the cost of one audited action, and verifying a million-event chain.

    .venv/bin/python benchmarks/audit.py [--events 1000000] [--samples 2000] [--database sqlite|postgres|both]

Each database is fresh: a temporary SQLite file, or a PostgreSQL database `wrekin_bench_audit`
(created and dropped; PostgreSQL must accept `postgres@127.0.0.1` with trust auth, or set
BENCH_POSTGRES_URL=postgres://USER:PASS@HOST:5432/postgres).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PG_ADMIN = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
PG_DB = "wrekin_bench_audit"
WARM_UP = 200  # appends before timing starts


def _run_worker(database_url: str, events: int, samples: int) -> dict:
    env = {**os.environ, "DATABASE_URL": database_url, "WREKIN_LOG_LEVEL": "WARNING"}
    subprocess.run([sys.executable, "-m", "wrekin.cli", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    out = subprocess.run([sys.executable, __file__, "--worker", "--events", str(events), "--samples", str(samples)],
                         cwd=ROOT, env=env, check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(pct / 100 * (len(ordered) - 1))))]


def worker(events: int, samples: int) -> None:
    """Runs inside a configured Django process."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wrekin.settings")
    django.setup()
    from django.db import connection, transaction
    from django.utils import timezone

    from wrekin.audit.actions import record_event
    from wrekin.audit.chain import canonical_content, event_hash
    from wrekin.audit.models import AuditChainHead, AuditEvent
    from wrekin.audit.verify import verify_chain

    # 1. The cost an audited request pays: one event appended in its own transaction. A running service is
    # warm (connection open, tables and indexes cached, autovacuum done with the freshly migrated tables), so
    # the first appends are not counted. Timed on a new trail here, and again once it holds `events` (below).
    def timed_appends() -> list[float]:
        for n in range(WARM_UP):
            with transaction.atomic():
                record_event("person.searched", details={"results": n % 7})
        timings = []
        for n in range(samples):
            start = time.perf_counter()
            with transaction.atomic():
                record_event("person.searched", details={"results": n % 7})
            timings.append((time.perf_counter() - start) * 1000)
        return timings

    timings = timed_appends()

    # 2. Fill the trail to `events` quickly: hashes computed here, rows inserted in bulk.
    head = AuditChainHead.objects.get(id=1)
    seq, prev = head.last_seq, head.last_hash
    batch: list[AuditEvent] = []
    fill_start = time.perf_counter()
    now = timezone.now()
    while seq < events:
        seq += 1
        fields = dict(seq=seq, occurred_at=now, event_type="person.viewed", actor_id=None, actor_username="bench",
                      agency_id=None, person_id=seq % 50000, object_type="people.person",
                      object_id=str(seq % 50000), reason="", request_id="", details={})
        digest = event_hash(prev, canonical_content(**fields))
        batch.append(AuditEvent(**fields, prev_hash=prev, hash=digest))
        prev = digest
        if len(batch) == 10000:
            with transaction.atomic():
                AuditEvent.objects.bulk_create(batch)
            batch = []
    if batch:
        AuditEvent.objects.bulk_create(batch)
    AuditChainHead.objects.filter(id=1).update(last_seq=seq, last_hash=prev)
    fill_seconds = time.perf_counter() - fill_start
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE audit_auditevent")  # as autovacuum would after a load this size
    full_timings = timed_appends()

    start = time.perf_counter()
    result = verify_chain()
    verify_seconds = time.perf_counter() - start
    assert result.ok, result.problem
    print(json.dumps({
        "vendor": connection.vendor,
        "append_p50_ms": round(statistics.median(timings), 3),
        "append_p95_ms": round(_percentile(timings, 95), 3),
        "append_samples": samples,
        "full_append_p50_ms": round(statistics.median(full_timings), 3),
        "full_append_p95_ms": round(_percentile(full_timings, 95), 3),
        "events_verified": result.events_checked,
        "verify_seconds": round(verify_seconds, 1),
        "fill_seconds": round(fill_seconds, 1),
    }))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--samples", type=int, default=2000)
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.events, args.samples)
        return

    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"{time.strftime('%Y-%m-%d')}")
    results = []
    if args.database in ("sqlite", "both"):
        with tempfile.TemporaryDirectory() as tmp:
            results.append(_run_worker(f"sqlite:///{tmp}/bench.sqlite3", args.events, args.samples))
    if args.database in ("postgres", "both"):
        import psycopg

        with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {PG_DB}")
            admin.execute(f"CREATE DATABASE {PG_DB}")
        try:
            base = PG_ADMIN.rsplit("/", 1)[0]
            results.append(_run_worker(f"{base}/{PG_DB}", args.events, args.samples))
        finally:
            with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
                admin.execute(f"DROP DATABASE IF EXISTS {PG_DB}")
    print(f"{'':<12}{'new trail':^24}{f'{args.events:,} stored':^24}")
    print(f"{'database':<12}{'append p50':>12}{'append p95':>12}{'append p50':>12}{'append p95':>12}"
          f"{'events':>12}{'verify':>10}")
    for r in results:
        print(f"{r['vendor']:<12}{r['append_p50_ms']:>10}ms{r['append_p95_ms']:>10}ms"
              f"{r['full_append_p50_ms']:>10}ms{r['full_append_p95_ms']:>10}ms"
              f"{r['events_verified']:>12}{r['verify_seconds']:>9}s")
    print(f"targets: append p95 < 2 ms, verify 1,000,000 events < 30 s\n"
          f"reproduce: .venv/bin/python benchmarks/audit.py --events {args.events} --samples {args.samples}")


if __name__ == "__main__":
    main()
