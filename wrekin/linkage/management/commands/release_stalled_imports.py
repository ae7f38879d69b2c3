"""`wrekin release_stalled_imports`: free imports whose background worker stopped, so they can be run again.

A worker killed outright (power cut, out of memory, `kill -9`) cannot say so: its import stays "running". Nothing of
it was saved -- an import saves everything in one transaction at the end -- so it is safe to mark it failed; the
uploaded file is kept and the coordinator can choose "Run it again". An import that is still making progress is
never touched: only those with no progress for --minutes (default 30).
"""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from wrekin.linkage import actions
from wrekin.linkage.tasks import STALLED_AFTER


class Command(BaseCommand):
    help = "Mark failed the imports that made no progress for a long time (their worker stopped), to run again."

    def add_arguments(self, parser):
        parser.add_argument("--minutes", type=int, default=int(STALLED_AFTER.total_seconds() // 60),
                            help="no progress for at least this long (default: %(default)s)")

    def handle(self, *args, **options):
        try:
            released = actions.release_stalled_imports(older_than=timedelta(minutes=options["minutes"]))
        except ValidationError as error:
            raise CommandError(error.messages[0]) from None
        for extract_import in released:
            # The file name and agency only: no personal data in a terminal or a log.
            self.stdout.write(f"Released import {extract_import.pk} ({extract_import.file_name}, "
                              f"{extract_import.agency.name}): it can be run again.")
        self.stdout.write(f"{len(released)} stalled import{'s' if len(released) != 1 else ''} released.")
