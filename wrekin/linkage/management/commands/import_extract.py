"""`wrekin import_extract`: import an agency extract from the command line, exactly as the web pages do.

    wrekin import_extract FILE --agency CODE --user USERNAME --id COLUMN [--map FIELD=COLUMN ...]
                          [--kind child|person_of_concern|associate]

Runs the same actions as the import screens (upload, columns, check, run) and runs the import here rather than in
the background worker. Every fault is listed with its row, column and reason, and nothing is imported then. Safe to
run again on the same file: records already imported are updated or kept, never copied.
"""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from wrekin.accounts.models import Agency, User
from wrekin.linkage import actions
from wrekin.linkage.extracts import CANONICAL_FIELDS, ExtractError, ExtractFault
from wrekin.linkage.models import ImportStatus
from wrekin.people.models import PersonKind


class Command(BaseCommand):
    help = "Import an agency extract (CSV or XLSX) into Wrekin, linking its records to the people already known."

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FILE", help="CSV (UTF-8) or XLSX extract, column names in row 1")
        parser.add_argument("--agency", required=True, metavar="CODE", help="the code of the agency whose records "
                                                                             "these are")
        parser.add_argument("--user", required=True, metavar="USERNAME",
                            help="the coordinator or analyst on whose behalf the import runs (named in the audit "
                                 "trail; the records they cannot see are not matched)")
        parser.add_argument("--id", dest="id_column", required=True, metavar="COLUMN",
                            help="the column holding each record's own id")
        parser.add_argument("--map", dest="maps", action="append", default=[], metavar="FIELD=COLUMN",
                            help=f"which column holds a field ({', '.join(CANONICAL_FIELDS[1:])}); columns named "
                                 "like a field are mapped without it")
        parser.add_argument("--kind", default=PersonKind.CHILD, choices=PersonKind.values,
                            help="who the records are about (default: child)")

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"{path} does not exist")
        try:
            user = User.objects.get(username=options["user"], is_active=True)
        except User.DoesNotExist:
            raise CommandError(f"No active user '{options['user']}'") from None
        agency = Agency.objects.filter(code=options["agency"]).first()
        if agency is None:
            raise CommandError(f"No agency with the code '{options['agency']}'")
        mapping = {}
        for option in options["maps"]:
            field, _, column = option.partition("=")
            if not column or field.strip() not in CANONICAL_FIELDS[1:]:
                raise CommandError(f"--map '{option}' should look like FIELD=COLUMN, with FIELD one of "
                                   f"{', '.join(CANONICAL_FIELDS[1:])}")
            mapping[field.strip()] = column.strip()

        try:
            extract_import = actions.upload_extract(actor=user, agency_id=agency.pk, file_name=path.name,
                                                    content=path.read_bytes(), person_kind=options["kind"])
            self.stdout.write(f"Uploaded {path.name} as import {extract_import.pk} ({extract_import.size:,} bytes)")
            # Explicit --map wins; other columns named like a field are kept as suggested, unless the --id or an
            # explicit --map already uses them.
            taken = {options["id_column"], *mapping.values()}
            suggested = {field: column for field, column in extract_import.mapping.items() if column not in taken}
            extract_import = actions.save_mapping(actor=user, import_id=extract_import.pk,
                                                  id_column=options["id_column"], mapping={**suggested, **mapping})
        except PermissionDenied as error:
            raise CommandError(str(error)) from None
        except ExtractError as error:
            raise CommandError(error.summary()) from None
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        used = ", ".join(f"{field}<-{column}" for field, column in extract_import.mapping.items())
        self.stdout.write(f"  {extract_import.total_records:,} records; id <- {extract_import.id_column}; {used}")
        if extract_import.fault_count:
            raise CommandError(self._faults(extract_import))
        if extract_import.warning_count:
            first = extract_import.warnings[0]
            self.stdout.write(f"  {extract_import.warning_count:,} value(s) kept but flagged, e.g. row {first['row']}, "
                              f"column '{first['column']}': {first['reason']}")

        self.stdout.write("Running the import (all or nothing)")
        try:
            extract_import = actions.start_import(actor=user, import_id=extract_import.pk, run_now=True)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        if extract_import.status != ImportStatus.COMPLETE:
            raise CommandError(extract_import.error or self._faults(extract_import))
        counts = extract_import.counts
        self.stdout.write("\n".join([
            "",
            f"Import {extract_import.pk} complete",
            f"  records:               {counts.get('records', 0):,}",
            f"  new people:            {counts.get('new_people', 0):,}",
            f"  linked automatically:  {counts.get('linked_automatically', 0):,}",
            f"  pairs for review:      {counts.get('pairs_queued', 0):,}",
            f"  updated:               {counts.get('updated', 0):,}",
            f"  unchanged:             {counts.get('unchanged', 0):,}",
        ]))

    @staticmethod
    def _faults(extract_import) -> str:
        faults = [ExtractFault(extract_import.file_name, f["row"], f["column"], f["reason"])
                  for f in extract_import.faults]
        text = ExtractError(faults).summary()
        if extract_import.fault_count > len(faults):
            text += f"\n  ({extract_import.fault_count:,} problems in all)"
        return text.replace("nothing was linked", "nothing was imported")
