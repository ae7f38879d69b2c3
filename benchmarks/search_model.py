"""Search before create with and without the trained linkage model: how long one search takes.

    DATABASE_URL=... .venv/bin/python benchmarks/search_model.py [--model MODEL.json] [--queries 100] [--user NAME]

Runs against an existing, seeded database (e.g. `make demo`'s, or `wrekin seed --children 2000`) and changes
nothing in it: the model is read from the file (default: the committed test model) and handed to the search in
memory, as if installed. Queries are made from people the user can see -- "Given Family Year", the way people
type them -- and each is searched twice, with the search's own rules and with the model. Prints the median and
95th percentile time per search, and the candidates scored.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wrekin.settings")
os.environ.setdefault("WREKIN_LOG_LEVEL", "WARNING")


def _percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(pct / 100 * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", default=str(ROOT / "tests/linkage/data/trained_model.json"))
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--user", help="whose search (default: the first exploitation coordinator)")
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection

    from wrekin.access.policy import people_visible_to
    from wrekin.accounts.models import Membership, Role, User
    from wrekin.linkage.model import load_model
    from wrekin.linkage.models import LinkageModel
    from wrekin.linkage.scoring import model_sha256
    from wrekin.people import search

    if args.user:
        user = User.objects.get(username=args.user)
    else:
        user = Membership.objects.filter(role=Role.COORDINATOR, is_active=True).select_related("user").first().user
    settings_json = load_model(Path(args.model))
    model = LinkageModel(pk=0, name="benchmark", splink_settings=settings_json, sha256=model_sha256(settings_json))
    visible = people_visible_to(user)
    people = list(visible.exclude(given_name="").exclude(family_name="").order_by("pk")
                  .values_list("given_name", "family_name", "date_of_birth")[: args.queries])
    texts = [f"{given} {family} {dob.year}" if dob else f"{given} {family}" for given, family, dob in people]
    partnership_id = search.partnership_id_of(user)

    results: dict[str, dict] = {}
    for label, chosen in (("search rules", None), ("trained model", model)):
        search._current_model = lambda _pid, chosen=chosen: chosen  # in memory: nothing installed
        search_people = search.search_people
        search_people(visible, texts[0], partnership_id=partnership_id)  # warm up (Splink builds its SQL once)
        times, shown = [], []
        for text in texts:
            start = time.perf_counter()
            found = search_people(visible, text, partnership_id=partnership_id)
            times.append(time.perf_counter() - start)
            shown.append(len(found))
        results[label] = {"median_ms": statistics.median(times) * 1000, "p95_ms": _percentile(times, 95) * 1000,
                          "results": statistics.mean(shown)}
    candidates = [search.candidate_people(visible, search.parse_query(text)).count() for text in texts]

    print(f"{connection.vendor}, {visible.count():,} people visible to {user.username}, {len(texts)} queries, "
          f"{os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"candidates per query (indexed keys): median {statistics.median(candidates):.0f}, "
          f"max {max(candidates)}")
    for label, figures in results.items():
        print(f"{label:>14}: median {figures['median_ms']:.0f} ms, p95 {figures['p95_ms']:.0f} ms per search, "
              f"{figures['results']:.1f} matches shown on average")


if __name__ == "__main__":
    main()
