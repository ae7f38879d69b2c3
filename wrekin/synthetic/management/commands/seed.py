"""`wrekin seed`: fill the database with a synthetic partnership, for demonstrations and benchmarks."""

from __future__ import annotations

import json
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from wrekin.accounts.models import Partnership
from wrekin.synthetic.actions import SeedConflict, seed_partnership
from wrekin.synthetic.staff import DEFAULT_PARTNERSHIP_CODE, demo_password


class Command(BaseCommand):
    help = (
        "Create a synthetic partnership: agencies, demo users, children, persons of concern and the links "
        "between them, the same for the same --seed. Writes the ground truth (planted duplicates, twins, "
        "connections) to a JSON file. Every name, address and number is made up."
    )

    def add_arguments(self, parser):
        parser.add_argument("--children", type=int, default=1000, help="How many children (default 1000)")
        parser.add_argument("--seed", type=int, default=1, help="Random seed: same seed, same partnership")
        parser.add_argument("--ground-truth", default=None,
                            help="Where to write the ground truth JSON (default var/ground_truth.json)")
        parser.add_argument("--if-empty", action="store_true",
                            help="Do nothing if any partnership exists already (for demo start-up scripts)")
        parser.add_argument("--allow-production", action="store_true",
                            help="Seed even though WREKIN_ENV=production (a public demonstration site only)")

    def handle(self, *args, children, seed, ground_truth, if_empty, allow_production, **options):
        if getattr(settings, "PRODUCTION", False) and not allow_production:
            raise CommandError("Refusing to seed synthetic people into a production database. "
                               "For a demonstration site, add --allow-production.")
        if children < 1:
            raise CommandError("--children must be at least 1")
        if if_empty and Partnership.objects.exists():
            self.stdout.write("already seeded: a partnership exists, so nothing was added")
            return
        code = getattr(settings, "WREKIN_PARTNERSHIP_CODE", "") or DEFAULT_PARTNERSHIP_CODE
        path = Path(ground_truth) if ground_truth else Path(settings.VAR_DIR) / "ground_truth.json"
        verbose = options.get("verbosity", 1) > 1
        try:
            result = seed_partnership(
                children=children, seed=seed, code=code, password=demo_password(),
                progress=(lambda message: self.stdout.write(f"  {message}")) if verbose else None,
            )
        except SeedConflict as conflict:
            raise CommandError(f"Nothing was seeded: {conflict}. Seed an empty database, or use --if-empty.") \
                from None
        except ValidationError as error:
            raise CommandError("The demo password (WREKIN_DEMO_PASSWORD) is refused: "
                               + " ".join(error.messages)) from None

        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(result.ground_truth, separators=(",", ":")) + "\n", encoding="utf-8")
        counts = result.counts
        self.stdout.write(
            f"Seeded {result.partnership.name} ({result.partnership.code}) from seed {seed} "
            f"in {result.seconds:.1f} s:\n"
            f"  {counts['children']:,} children ({counts['child_records']:,} records, "
            f"{counts['duplicate_records']:,} of them planted duplicates; {counts['twin_pairs']:,} pairs of twins)\n"
            f"  {counts['persons_of_concern']:,} persons of concern in {counts['networks']:,} networks, "
            f"{counts['connections']:,} connections to children\n"
            f"  {counts['associates']:,} parents and associates; {counts['involvements']:,} agency involvements\n"
            f"  {counts['agencies']} agencies, {counts['users']} users ({counts['demo_users']} demo users)\n"
            f"Ground truth: {path}\n"
            f"Sign in as a demo user: `wrekin demo_users` lists them."
        )
