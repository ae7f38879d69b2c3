"""`wrekin audit verify` and `wrekin audit checkpoint`."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from wrekin.audit.actions import record_event
from wrekin.audit.verify import verify_chain


class Command(BaseCommand):
    help = "Verify the tamper-evident audit chain, or export a checkpoint of its head."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="Recompute every event's hash; exit 1 at the first bad event.")
        checkpoint = sub.add_parser("checkpoint", help="Print (or write) the chain head as JSON for safekeeping.")
        checkpoint.add_argument("--out", help="File to write the checkpoint to (default: standard output).")
        checkpoint.add_argument(
            "--against", help="A checkpoint file written earlier: check the chain still contains it."
        )

    def handle(self, *args, **options):
        if options["action"] == "verify":
            self._verify()
        else:
            self._checkpoint(options.get("out"), options.get("against"))

    def _verify(self) -> None:
        result = verify_chain()
        if not result.ok:
            raise CommandError(f"Audit chain broken at event #{result.bad_seq}: {result.problem}")
        self.stdout.write(f"Audit chain intact: {result.events_checked} events, head {result.last_hash}")

    def _checkpoint(self, out: str | None, against: str | None) -> None:
        from wrekin.audit.models import AuditEvent

        if against:
            with open(against, encoding="utf-8") as handle:
                saved = json.load(handle)
            event = AuditEvent.objects.filter(seq=saved["seq"]).first()
            if event is None or event.hash != saved["hash"]:
                raise CommandError(f"Checkpoint #{saved['seq']} no longer matches the trail")
            self.stdout.write(f"Checkpoint #{saved['seq']} matches the trail")
            return
        result = verify_chain()
        if not result.ok:
            raise CommandError(f"Refusing to checkpoint a broken chain: {result.problem}")
        checkpoint = {"seq": result.last_seq, "hash": result.last_hash, "taken_at": timezone.now().isoformat()}
        record_event("audit.checkpoint_exported", details={"seq": result.last_seq})
        text = json.dumps(checkpoint, indent=2)
        if out:
            with open(out, "w", encoding="utf-8") as handle:
                handle.write(text + "\n")
            self.stdout.write(f"Checkpoint written to {out}")
        else:
            self.stdout.write(text)
