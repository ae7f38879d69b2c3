"""`wrekin seed_scenarios`: plant exploitation networks and look-alike decoys in a seeded partnership."""

from __future__ import annotations

import json
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from wrekin.synthetic.scenarios import seed_scenarios


class Command(BaseCommand):
    help = (
        "Plant exploitation networks (persons of concern sharing cars, phones and places with children known to "
        "different agencies, reported over months in varied formats) and decoys that look similar but are not "
        "linked, recorded through the real actions in date order so link alerts are raised as in real use. "
        "Needs the demo users of `wrekin seed`. Writes the ground truth to a JSON file."
    )

    def add_arguments(self, parser):
        parser.add_argument("--networks", type=int, default=5, help="How many networks to plant (default 5)")
        parser.add_argument("--decoys", type=int, default=12, help="How many decoys (default 12)")
        parser.add_argument("--seed", type=int, default=1, help="Random seed: same seed, same scenarios")
        parser.add_argument("--ground-truth", default=None,
                            help="Where to write the ground truth JSON (default var/scenarios_ground_truth.json)")
        parser.add_argument("--allow-production", action="store_true",
                            help="Plant even though WREKIN_ENV=production (a public demonstration site only)")

    def handle(self, *args, networks, decoys, seed, ground_truth, allow_production, **options):
        if getattr(settings, "PRODUCTION", False) and not allow_production:
            raise CommandError("Refusing to plant synthetic scenarios in a production database. "
                               "For a demonstration site, add --allow-production.")
        if networks < 0 or decoys < 0:
            raise CommandError("--networks and --decoys must be zero or more")
        path = Path(ground_truth) if ground_truth else Path(settings.VAR_DIR) / "scenarios_ground_truth.json"
        verbose = options.get("verbosity", 1) > 1
        try:
            result = seed_scenarios(networks=networks, decoys=decoys, seed=seed,
                                    progress=(lambda message: self.stdout.write(f"  {message}")) if verbose else None)
        except LookupError as missing:
            raise CommandError(str(missing)) from None
        except (ValueError, ValidationError) as refused:
            raise CommandError(f"Nothing was planted: {refused}") from None
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(result.ground_truth, indent=1) + "\n", encoding="utf-8")
        counts = result.counts
        self.stdout.write(
            f"Planted {counts['networks']} networks ({counts['persons_of_concern']} persons of concern) and "
            f"{counts['decoys']} decoys: {counts['children']} children, {counts['reports']} records.\n"
            f"Ground truth: {path}"
        )
