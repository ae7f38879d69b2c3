"""`wrekin install_linkage_model MODEL.json`: score imports and searches with a trained Splink model.

The model is the one `wrekin link ... --out CLUSTERS.csv` saves as CLUSTERS.model.json (trained on the
partnership's own extracts). Installing it makes it the current model -- for one partnership with --partnership,
otherwise for every partnership without its own. The previous model is kept, no longer current.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from wrekin.accounts.models import Partnership
from wrekin.linkage import actions


class Command(BaseCommand):
    help = "Install a trained linkage model (a `wrekin link` run's MODEL.json) for imports and search."

    def add_arguments(self, parser):
        parser.add_argument("model", metavar="MODEL.json")
        parser.add_argument("--partnership", metavar="CODE", help="only for this partnership")
        parser.add_argument("--name", help="a name to know it by (default: the file name)")

    def handle(self, *args, **options):
        partnership = None
        if options["partnership"]:
            partnership = Partnership.objects.filter(code=options["partnership"]).first()
            if partnership is None:
                raise CommandError(f"No partnership with the code '{options['partnership']}'")
        try:
            model = actions.install_linkage_model(path=Path(options["model"]), name=options["name"] or "",
                                                  partnership=partnership)
        except ValueError as error:
            raise CommandError(str(error)) from None
        scope = partnership.name if partnership else "every partnership without its own model"
        comparisons = len(model.splink_settings["comparisons"])
        self.stdout.write(f"Installed linkage model {model.pk} ({model.name}, {comparisons} comparisons) as the "
                          f"current model for {scope}.")
