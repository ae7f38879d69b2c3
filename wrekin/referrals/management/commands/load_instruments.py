"""`wrekin load_instruments`: store the screening instrument versions found in the YAML files.

Reads the shipped directory (wrekin/referrals/instruments/) and WREKIN_INSTRUMENTS_DIR, or
the files named on the command line. All or nothing: any error loads nothing.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from wrekin.referrals.actions import load_instruments
from wrekin.referrals.instrument_files import InstrumentFileError


class Command(BaseCommand):
    help = "Load screening instrument versions from YAML files (shipped, and WREKIN_INSTRUMENTS_DIR)"

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="*", type=Path,
                            help="Load only these files (default: every file in the instrument directories)")

    def handle(self, *args, files: list[Path], **options):
        try:
            results = load_instruments(paths=files or None)
        except InstrumentFileError as error:
            raise CommandError(f"Nothing was loaded. {error}") from None
        except OSError as error:
            raise CommandError(f"Nothing was loaded. Could not read {error.filename}: {error.strerror}") from None
        for result in results:
            self.stdout.write(f"{result.code} version {result.version}: {result.outcome} ({result.source})")
        if not results:
            self.stdout.write("No instrument files found")
