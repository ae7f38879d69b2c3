"""How long `wrekin seed` takes, and how big the result is, on SQLite and on PostgreSQL.

Each run starts from an empty database (a new SQLite file; a PostgreSQL database created
and dropped here), runs `wrekin migrate`, then times `wrekin seed` in a subprocess exactly
as an operator would run it. Prints wall time, rows per table and database size.

    .venv/bin/python benchmarks/seed.py                      # 100,000 children, both databases
    .venv/bin/python benchmarks/seed.py --children 20000 --databases sqlite

PostgreSQL is reached at --postgres (default postgres://postgres@127.0.0.1:5432), which
must be allowed to create databases. Results go in docs/benchmarks.md ("Seeding").
"""

from __future__ import annotations

import argparse
import os
import platform
import shlex
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
TABLES = (
    "people_person", "people_personname", "people_personaddress", "people_personphone",
    "people_involvement", "people_personrelationship", "accounts_user", "accounts_membership",
    "audit_auditevent",
)
PG_DATABASE = "wrekin_bench_seed"


def wrekin(*args: str, env: dict[str, str]) -> float:
    """Run a `wrekin` command; return its wall time in seconds. Stops the benchmark if it fails."""
    command = [sys.executable, "-m", "wrekin.cli", *args]
    started = time.perf_counter()
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(f"`wrekin {' '.join(args)}` failed:\n{result.stdout}\n{result.stderr}")
    return elapsed


def machine() -> str:
    memory = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = f", {int(line.split()[1]) / 1024 / 1024:.0f} GiB RAM"
    except OSError:
        pass
    return (f"{os.cpu_count()} cores{memory}, {platform.machine()}, {platform.system()} {platform.release()}, "
            f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}")


def count_rows(cursor) -> dict[str, int]:
    counts = {}
    for table in TABLES:
        cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 - table names are constants above
        counts[table] = cursor.fetchone()[0]
    return counts


def report(name: str, *, migrate: float, seconds: float, rows: dict[str, int], size: int, reproduce: str) -> None:
    print(f"\n## {name}")
    print(f"migrate: {migrate:.1f} s (not counted)")
    print(f"seed wall time: {seconds:.1f} s")
    print(f"database size: {size / 1024 / 1024:.0f} MiB")
    print(f"rows: {sum(rows.values()):,} in all")
    for table, count in rows.items():
        print(f"  {table:<28} {count:>10,}")
    print(f"reproduce:\n  {reproduce}")


def bench_sqlite(children: int, seed: int, base_env: dict[str, str]) -> None:
    with tempfile.TemporaryDirectory(prefix="wrekin-bench-seed-") as tmp:
        database = Path(tmp) / "bench.sqlite3"
        url = f"sqlite:///{database}"
        env = base_env | {"DATABASE_URL": url, "WREKIN_VAR_DIR": tmp}
        truth = Path(tmp) / "ground_truth.json"
        migrate = wrekin("migrate", "--verbosity", "0", env=env)
        seed_args = ("seed", "--children", str(children), "--seed", str(seed), "--ground-truth", str(truth))
        seconds = wrekin(*seed_args, env=env)
        with sqlite3.connect(database) as connection:
            rows = count_rows(connection.cursor())
        size = sum(path.stat().st_size for path in Path(tmp).glob("bench.sqlite3*"))
        # The temporary directory is gone afterwards: show the same run in a new one.
        example = "sqlite:///$dir/seed.sqlite3"
        example_args = shlex.join(seed_args[:-1]) + " $dir/ground_truth.json"
        reproduce = (f"dir=$(mktemp -d) && DATABASE_URL={example} wrekin migrate && "
                     f"DATABASE_URL={example} wrekin {example_args}")
        report("SQLite", migrate=migrate, seconds=seconds, rows=rows, size=size, reproduce=reproduce)


def bench_postgresql(children: int, seed: int, base_env: dict[str, str], server: str, keep: bool) -> None:
    admin = f"{server.rstrip('/')}/postgres"
    url = f"{server.rstrip('/')}/{PG_DATABASE}"
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {PG_DATABASE}")
        connection.execute(f"CREATE DATABASE {PG_DATABASE}")
        version = connection.execute("SHOW server_version").fetchone()[0]
    try:
        with tempfile.TemporaryDirectory(prefix="wrekin-bench-seed-") as tmp:
            env = base_env | {"DATABASE_URL": url, "WREKIN_VAR_DIR": tmp}
            truth = Path(tmp) / "ground_truth.json"
            migrate = wrekin("migrate", "--verbosity", "0", env=env)
            seed_args = ("seed", "--children", str(children), "--seed", str(seed), "--ground-truth", str(truth))
            seconds = wrekin(*seed_args, env=env)
        with psycopg.connect(url) as connection, connection.cursor() as cursor:
            rows = count_rows(cursor)
            cursor.execute("SELECT pg_database_size(current_database())")
            size = cursor.fetchone()[0]
        reproduce = (f"createdb {PG_DATABASE} && DATABASE_URL={url} wrekin migrate && "
                     f"DATABASE_URL={url} wrekin {shlex.join(seed_args[:-2])}")
        report(f"PostgreSQL {version}", migrate=migrate, seconds=seconds, rows=rows, size=size,
               reproduce=reproduce)
    finally:
        if not keep:
            with psycopg.connect(admin, autocommit=True) as connection:
                connection.execute(f"DROP DATABASE IF EXISTS {PG_DATABASE}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--children", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--databases", default="sqlite,postgresql",
                        help="comma-separated: sqlite, postgresql (default both)")
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432",
                        help="PostgreSQL server URL without a database name")
    parser.add_argument("--keep", action="store_true", help=f"keep the {PG_DATABASE} database afterwards")
    args = parser.parse_args()

    base_env = dict(os.environ)
    base_env.pop("DATABASE_URL", None)
    print(f"# wrekin seed --children {args.children:,} --seed {args.seed}")
    print(f"date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    print(f"machine: {machine()}")
    print(f"benchmark: .venv/bin/python benchmarks/seed.py --children {args.children} "
          f"--seed {args.seed} --databases {args.databases}")
    databases = [name.strip() for name in args.databases.split(",") if name.strip()]
    for name in databases:
        if name == "sqlite":
            bench_sqlite(args.children, args.seed, base_env)
        elif name in ("postgresql", "postgres"):
            bench_postgresql(args.children, args.seed, base_env, args.postgres, args.keep)
        else:
            sys.exit(f"Unknown database {name!r}: use sqlite or postgresql")


if __name__ == "__main__":
    main()
