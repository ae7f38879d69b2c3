"""Linkage inside the product: agency extracts imported, records linked to people, pairs reviewed, merges undone.

- `ExtractImport`: one uploaded agency extract, its column mapping, the run's progress and its report. The file
  itself is held in the row (never under static files) until the import completes or is discarded.
- `SourceRecord`: an agency's record of a person as last imported, keyed by (agency, the agency's own record id).
  That key makes an import safe to run again: a record already imported is updated or kept, never duplicated.
- `MatchCandidate`: a pair of people who may be one person, with the machine's field-by-field explanation; the
  review queue is its pending rows, and a rejected row is remembered so later runs never propose the pair again.
- `PersonMerge`: one merge, recording exactly which rows of which tables moved, so that it can be undone.
- `LinkageModel`: the trained Splink model the product scores with (a `wrekin link` run's JSON).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from wrekin.people.models import PersonKind


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", "Columns to map"
    MAPPED = "mapped", "Ready to check and run"
    QUEUED = "queued", "Queued"  # waiting for the background worker (`wrekin db_worker`) to take it
    RUNNING = "running", "Running"
    COMPLETE = "complete", "Complete"
    FAILED = "failed", "Failed: nothing imported"
    DISCARDED = "discarded", "Discarded"


class FileFormat(models.TextChoices):
    CSV = "csv", "CSV"
    XLSX = "xlsx", "Excel workbook (XLSX)"


class ExtractImport(models.Model):
    partnership = models.ForeignKey("accounts.Partnership", on_delete=models.PROTECT, related_name="+")
    # Whose extract this is: new people are recorded by this agency, and it becomes involved with every person
    # its records are linked to.
    agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="extract_imports")
    person_kind = models.CharField(max_length=20, choices=PersonKind.choices, default=PersonKind.CHILD)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    file_name = models.CharField(max_length=255)
    file_format = models.CharField(max_length=4, choices=FileFormat.choices)
    # The file, held only while it is needed: cleared when the import completes or is discarded.
    content = models.BinaryField(null=True, blank=True, editable=False)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    headers = models.JSONField(default=list, blank=True)  # the file's column names, in order
    id_column = models.CharField(max_length=255, blank=True)
    mapping = models.JSONField(default=dict, blank=True)  # canonical field -> source column
    status = models.CharField(max_length=12, choices=ImportStatus.choices, default=ImportStatus.UPLOADED,
                              db_index=True)
    stage = models.CharField(max_length=200, blank=True)  # what the run is doing now, in words
    total_records = models.PositiveIntegerField(default=0)
    processed_records = models.PositiveIntegerField(default=0)
    counts = models.JSONField(default=dict, blank=True)  # created / linked / review / updated / unchanged
    # Every fault found (row, column, reason), first MAX_FAULTS_KEPT of them; the report is kept when a run
    # fails, so the person who fixes the file knows where to look.
    faults = models.JSONField(default=list, blank=True)
    fault_count = models.PositiveIntegerField(default=0)
    warnings = models.JSONField(default=list, blank=True)  # values kept but flagged
    warning_count = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)  # a failure that is not a fault in the file
    # The django-tasks task of the current run: a run whose task is not this one (an import released as stalled
    # and run again) must not save anything.
    task_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    queued_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # When the run last said how far it had got: a running import with no progress for a long time has lost its
    # worker (`wrekin release_stalled_imports`).
    progress_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.agency})"

    @property
    def is_active(self) -> bool:
        return self.status in (ImportStatus.QUEUED, ImportStatus.RUNNING)

    @property
    def has_file(self) -> bool:
        """Is the uploaded file still held? Asked without loading it (lists defer the file)."""
        if "content" in self.get_deferred_fields():
            return ExtractImport.objects.filter(pk=self.pk, content__isnull=False).exists()
        return self.content is not None

    @property
    def progress_percent(self) -> int:
        if self.status == ImportStatus.COMPLETE:
            return 100
        if not self.total_records:
            return 0
        return min(100, self.processed_records * 100 // self.total_records)


class SourceRecord(models.Model):
    """An agency's record of a person, as last imported. Follows its person through merges and unmerges."""

    agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="source_records")
    record_id = models.CharField(max_length=200)
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="source_records")
    # The record's values as normalised for linkage (canonical field -> value): what the model compared.
    values = models.JSONField(default=dict)
    # The same record as written in the agency's file (canonical field -> text), for people to read.
    as_written = models.JSONField(default=dict, blank=True)
    first_import = models.ForeignKey(ExtractImport, on_delete=models.PROTECT, related_name="+")
    last_import = models.ForeignKey(ExtractImport, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["agency__name", "record_id"]
        constraints = [models.UniqueConstraint(fields=["agency", "record_id"], name="linkage_one_record_per_id")]

    def __str__(self) -> str:
        return f"{self.agency} record {self.record_id}"


class CandidateStatus(models.TextChoices):
    PENDING = "pending", "Waiting for review"
    CONFIRMED = "confirmed", "Confirmed: same person"
    REJECTED = "rejected", "Rejected: different people"
    SUPERSEDED = "superseded", "Closed by a merge"


class CandidateReason(models.TextChoices):
    UNCERTAIN = "uncertain", "The match is uncertain"
    SAME_SOURCE = "same_source", "Both records come from one agency's records"
    CONFLICT = "conflict", "Likely match, but something says two people (for example twins)"
    UNMERGED = "unmerged", "A merge of these records was undone"


class MatchCandidate(models.Model):
    """Two people who may be one. person_a is the earlier record (lower id); the pair is stored once."""

    partnership = models.ForeignKey("accounts.Partnership", on_delete=models.PROTECT, related_name="+")
    person_a = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    person_b = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    probability = models.FloatField(null=True, blank=True)
    match_weight = models.FloatField(null=True, blank=True)
    # The explanation, one entry per compared field: {field, label, status, level, weight}; status is one of
    # agreed / partial / disagreed / missing. Codes and labels only: the values are in the people's records.
    agreement = models.JSONField(default=list, blank=True)
    scorer = models.CharField(max_length=20, blank=True)  # "model" (Splink) or "search" (the people search)
    linkage_model = models.ForeignKey("LinkageModel", null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="+")
    reason = models.CharField(max_length=20, choices=CandidateReason.choices, default=CandidateReason.UNCERTAIN)
    note = models.CharField(max_length=300, blank=True)  # e.g. why the twin guard stopped an automatic link
    extract_import = models.ForeignKey(ExtractImport, null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="candidates")
    status = models.CharField(max_length=12, choices=CandidateStatus.choices, default=CandidateStatus.PENDING,
                              db_index=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
    merge = models.ForeignKey("PersonMerge", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-probability", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(person_a__lt=F("person_b")), name="linkage_pair_ordered"),
            models.UniqueConstraint(fields=["person_a", "person_b"], condition=Q(status="pending"),
                                    name="linkage_one_pending_pair"),
        ]

    def __str__(self) -> str:
        return f"Pair {self.person_a_id} / {self.person_b_id} ({self.status})"

    @property
    def probability_percent(self) -> str:
        return "–" if self.probability is None else f"{self.probability * 100:.1f}%"


class MergeMethod(models.TextChoices):
    REVIEWED = "reviewed", "Confirmed by a reviewer"
    AUTOMATIC = "automatic", "Linked automatically by an import"


class PersonMerge(models.Model):
    """One merge of `merged` into `survivor`, with exactly what moved so that an unmerge can move it back.

    moved_rows:    [{"model": "people.personaddress", "field": "person", "pks": [..]}, ...]
    removed_rows:  rows dropped because the survivor already had the same link (a many-to-many row), each
                   {"model": ..., "pk": .., "values": {field: value}} so an unmerge can put them back
    created_rows:  rows the merge added to the survivor (the merged record's names as other names)
    filled_fields: survivor fields that were blank and were filled from the merged record {field: value}
    candidates:    pending pairs re-pointed to the survivor or closed by the merge
                   {"repointed": [[pk, "person_a"|"person_b"], ..], "superseded": [pk, ..]}
    """

    partnership = models.ForeignKey("accounts.Partnership", on_delete=models.PROTECT, related_name="+")
    survivor = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    merged = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    method = models.CharField(max_length=10, choices=MergeMethod.choices)
    reason = models.TextField(blank=True)
    probability = models.FloatField(null=True, blank=True)
    extract_import = models.ForeignKey(ExtractImport, null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="merges")
    moved_rows = models.JSONField(default=list, blank=True)
    removed_rows = models.JSONField(default=list, blank=True)
    created_rows = models.JSONField(default=list, blank=True)
    filled_fields = models.JSONField(default=dict, blank=True)
    candidates = models.JSONField(default=dict, blank=True)
    merged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    merged_at = models.DateTimeField()
    unmerged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    unmerged_at = models.DateTimeField(null=True, blank=True)
    unmerge_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-merged_at", "-pk"]
        constraints = [
            # A person is merged away at most once at a time (an undone merge may be followed by another).
            models.UniqueConstraint(fields=["merged"], condition=Q(unmerged_at__isnull=True),
                                    name="linkage_one_active_merge_per_person"),
        ]

    def __str__(self) -> str:
        return f"Merge {self.merged_id} into {self.survivor_id}"

    @property
    def is_active(self) -> bool:
        return self.unmerged_at is None

    @property
    def rows_moved(self) -> int:
        return sum(len(entry["pks"]) for entry in self.moved_rows)


class LinkageModel(models.Model):
    """A trained Splink model (JSON, DuckDB spelling). The newest current one is used for scoring."""

    partnership = models.ForeignKey("accounts.Partnership", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", help_text="Empty: used by every partnership without its own")
    name = models.CharField(max_length=200)
    splink_settings = models.JSONField()
    sha256 = models.CharField(max_length=64)
    is_current = models.BooleanField(default=True)
    installed_at = models.DateTimeField(auto_now_add=True)
    installed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")

    class Meta:
        ordering = ["-installed_at", "-pk"]

    def __str__(self) -> str:
        return self.name
