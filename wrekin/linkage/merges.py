"""Reversible merges: one person's records moved onto another, and moved back exactly.

A false merge puts one child's history on another child's file, so a merge must be undoable without guesswork.
`merge_people` finds every row in every app that points at the merged person -- by introspecting Person's
reverse relations, hidden many-to-many link tables included, so an app added later is covered without a change
here -- and re-points them to the survivor inside one transaction, writing down in a PersonMerge exactly which
rows of which tables moved. The merged person is kept, marked `merged_into` the survivor: hidden from lists and
searches, its address leading to the survivor. `unmerge_people` moves exactly those rows back.

What an unmerge does not do: rows added to the survivor *after* the merge stay with the survivor (nobody can say
which person they were about), and a row deleted since the merge cannot come back (the audit trail says how many).
The audit trail itself is never rewritten: events keep the person ids they were written with.

Refused, with a message that names the reason, rather than a database error:
- a unique rule on a related table that the merge would break (two open cases for one child);
- two records recorded as related to each other (siblings are two people);
- a restricted record with an unrestricted one (the restriction would leak or be lost);
- a child with a person of concern (a kind mismatch is a sign of two people);
- a survivor that has itself been merged away since (undo the later merge first).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from django.apps import apps
from django.core import serializers
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from wrekin.accounts.models import Role
from wrekin.audit.actions import record_event
from wrekin.linkage.models import (
    CandidateReason,
    CandidateStatus,
    MatchCandidate,
    MergeMethod,
    PersonMerge,
)
from wrekin.people.models import NameKind, Person, PersonName, PersonRelationship
from wrekin.people.names import normalise_name

# Rows of these tables are not "about" the person in the sense of a merge: the merge's own bookkeeping, the
# review queue (handled below, pair by pair) and Person's own self-reference.
_NOT_MOVED = {"linkage.personmerge", "linkage.matchcandidate", "people.person"}
# Tables whose rows are pure set membership: when the survivor already has the same row, the merged person's copy
# is dropped (and recorded, to be put back on unmerge) instead of refusing the merge.
_SET_LIKE = {"access.restrictedaccess"}
# Blank survivor fields filled from the merged record (and cleared again on unmerge if nobody changed them since).
FILLED_FIELDS = ("date_of_birth", "sex", "nhs_number", "upn", "ethnicity")

MERGE_ROLES = frozenset({Role.COORDINATOR})


class MergeConflict(ValidationError):
    """The merge (or unmerge) cannot be done as asked; the message says why and what to do."""


def can_merge(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.role in MERGE_ROLES)


def _require_merger(actor) -> None:
    if not can_merge(actor):
        raise PermissionDenied("Only an exploitation coordinator can merge or unmerge people")


@dataclass(frozen=True)
class PersonRelation:
    model: type[models.Model]
    field: str  # the foreign key's name on `model`

    @property
    def label(self) -> str:
        return self.model._meta.label_lower

    @property
    def set_like(self) -> bool:
        return self.model._meta.auto_created or self.label in _SET_LIKE


@lru_cache(maxsize=1)
def person_relations() -> tuple[PersonRelation, ...]:
    """Every (table, foreign key) that points at Person, from every installed app, link tables included."""
    relations = []
    for rel in Person._meta.get_fields(include_hidden=True):
        if not rel.auto_created or rel.concrete or not (rel.one_to_many or rel.one_to_one):
            continue
        relation = PersonRelation(rel.related_model, rel.field.name)
        if relation.label in _NOT_MOVED:
            continue
        relations.append(relation)
    return tuple(sorted(relations, key=lambda r: (r.label, r.field)))


def _unique_sets(model: type[models.Model]) -> list[tuple[tuple[str, ...], Q | None, str]]:
    """The unique rules of a table: (fields, condition or None, name)."""
    rules: list[tuple[tuple[str, ...], Q | None, str]] = []
    for field in model._meta.concrete_fields:
        if field.unique and not field.primary_key:
            rules.append(((field.name,), None, f"{model._meta.db_table}.{field.name} unique"))
    for fields in model._meta.unique_together:
        rules.append((tuple(fields), None, f"{model._meta.db_table} unique together"))
    for constraint in model._meta.constraints:
        if isinstance(constraint, models.UniqueConstraint) and constraint.fields:
            rules.append((tuple(constraint.fields), constraint.condition, constraint.name))
    return rules


# Plain words for the unique rules people will meet; any other rule is named by its table and constraint.
_FRIENDLY = {
    "casework_one_open_case_per_child": (
        "Both records have an open case (case {merged} and case {survivor}). A child has one open case: close "
        "one of them, with its recorded decision, before merging."
    ),
}


@dataclass
class _Clash:
    relation: PersonRelation
    rule: str
    merged_pk: Any
    survivor_pk: Any

    def message(self) -> str:
        if self.rule in _FRIENDLY:
            return _FRIENDLY[self.rule].format(merged=self.merged_pk, survivor=self.survivor_pk)
        name = self.relation.model._meta.verbose_name
        return (f"Both records have a {name} that may exist only once per person ({self.rule}: "
                f"{name} {self.merged_pk} and {name} {self.survivor_pk}); resolve one of them before merging.")


def _clashes(relation: PersonRelation, survivor_id: int, merged_id: int) -> list[tuple[Any, Any, str]]:
    """(merged row pk, survivor row pk, rule) for every row whose move would break a unique rule."""
    model, fk = relation.model, relation.field
    found = []
    for fields, condition, rule in _unique_sets(model):
        if fk not in fields:
            continue
        others = [name for name in fields if name != fk]
        rows = model.objects.filter(**{fk: merged_id})
        if condition is not None:
            rows = rows.filter(condition)
        for row in rows.values("pk", *others):
            if any(row[name] is None for name in others):
                continue  # NULLs never clash in a unique index
            clash = model.objects.filter(**{fk: survivor_id}, **{name: row[name] for name in others})
            if condition is not None:
                clash = clash.filter(condition)
            other = clash.exclude(pk=row["pk"]).values_list("pk", flat=True).first()
            if other is not None:
                found.append((row["pk"], other, rule))
    return found


def _display(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def _check_mergeable(survivor: Person, merged: Person) -> None:
    if survivor.pk == merged.pk:
        raise MergeConflict("A person cannot be merged with themselves.")
    if survivor.partnership_id != merged.partnership_id:
        raise MergeConflict("These people belong to different partnerships and cannot be merged.")
    for person in (survivor, merged):
        if person.merged_into_id:
            raise MergeConflict(f"Record {person.pk} has already been merged into record {person.merged_into_id}.")
    if survivor.is_restricted != merged.is_restricted:
        raise MergeConflict("One of these records is restricted to named users and the other is not. Merging would "
                            "either expose the restricted record or hide the other: restrict both, or neither, "
                            "first.")
    if survivor.kind != merged.kind:
        raise MergeConflict(f"One record is a {survivor.get_kind_display().lower()} and the other a "
                            f"{merged.get_kind_display().lower()}. If they are one person, correct the kind of one "
                            "record first.")
    related = PersonRelationship.objects.filter(
        Q(from_person=survivor, to_person=merged) | Q(from_person=merged, to_person=survivor)).first()
    if related is not None:
        raise MergeConflict(f"These records are recorded as connected to each other "
                            f"({related.get_kind_display().lower()}): they are two people.")


def _lock_people(*ids: int) -> dict[int, Person]:
    locked = {person.pk: person for person in Person.objects.select_for_update().filter(pk__in=ids)}
    if len(locked) != len(set(ids)):
        raise MergeConflict("One of these people no longer exists.")
    return locked


def merge_people(*, actor, survivor_id: int, merged_id: int, reason: str,
                 candidate: MatchCandidate | None = None) -> PersonMerge:
    """Merge `merged_id` into `survivor_id`: a reviewer's decision. Coordinators only; both must be visible."""
    from wrekin.access.policy import get_person_for_user

    _require_merger(actor)
    if not (reason or "").strip():
        raise MergeConflict("Give the reason for the merge.")
    with transaction.atomic():
        survivor = get_person_for_user(actor, survivor_id)
        merged = get_person_for_user(actor, merged_id)
        return perform_merge(actor=actor, survivor=survivor, merged=merged, reason=reason.strip(),
                             method=MergeMethod.REVIEWED, candidate=candidate,
                             probability=candidate.probability if candidate else None)


def perform_merge(*, actor, survivor: Person, merged: Person, reason: str, method: str,
                  probability: float | None = None, extract_import=None,
                  candidate: MatchCandidate | None = None) -> PersonMerge:
    """The merge itself, for the reviewed path above and for an import's automatic links.

    Call inside a transaction; permission checks are the caller's. Raises MergeConflict, changing nothing.
    """
    now = timezone.now()
    with transaction.atomic():
        locked = _lock_people(survivor.pk, merged.pk)
        survivor, merged = locked[survivor.pk], locked[merged.pk]
        _check_mergeable(survivor, merged)

        relations = person_relations()
        clashes: list[_Clash] = []
        removals: list[tuple[PersonRelation, list[Any]]] = []
        for relation in relations:
            found = _clashes(relation, survivor.pk, merged.pk)
            if not found:
                continue
            if relation.set_like:
                removals.append((relation, sorted({merged_pk for merged_pk, _, _ in found})))
            else:
                clashes += [_Clash(relation, rule, merged_pk, survivor_pk) for merged_pk, survivor_pk, rule in found]
        if clashes:
            raise MergeConflict(" ".join(sorted({clash.message() for clash in clashes})))

        removed_rows = []
        for relation, pks in removals:
            for row in relation.model.objects.filter(pk__in=pks):
                removed_rows.append({"model": relation.label, "pk": row.pk,
                                     "data": serializers.serialize("json", [row])})
            relation.model.objects.filter(pk__in=pks).delete()

        moved_rows = []
        for relation in relations:
            rows = relation.model.objects.filter(**{relation.field: merged.pk})
            pks = sorted(rows.values_list("pk", flat=True))
            if pks:
                relation.model.objects.filter(pk__in=pks).update(**{relation.field: survivor.pk})
                moved_rows.append({"model": relation.label, "field": relation.field, "pks": pks})

        created_rows = _names_onto_survivor(survivor, merged)
        filled = {}
        for name in FILLED_FIELDS:
            value = getattr(merged, name)
            if value not in (None, "") and getattr(survivor, name) in (None, ""):
                setattr(survivor, name, value)
                filled[name] = _display(value)
        if filled:
            survivor.save()
        candidates = _close_pairs_of(merged, survivor, keep=candidate)

        merged.merged_into = survivor
        merged.merged_at = now
        merged.save(update_fields=["merged_into", "merged_at", "updated_at"])
        merge = PersonMerge.objects.create(
            partnership_id=survivor.partnership_id, survivor=survivor, merged=merged, method=method, reason=reason,
            probability=probability, extract_import=extract_import, moved_rows=moved_rows, removed_rows=removed_rows,
            created_rows=created_rows, filled_fields=filled, candidates=candidates, merged_by=actor, merged_at=now)
        details = {"method": method, "rows_moved": merge.rows_moved, "tables": len(moved_rows),
                   "rows_set_aside": len(removed_rows), "fields_filled": sorted(filled)}
        if probability is not None:
            details["probability"] = round(probability, 4)
        if extract_import is not None:
            details["import"] = extract_import.pk
        record_event("linkage.person_merged", actor=actor, person=survivor, target=merge, reason=reason,
                     details={**details, "merged_person": merged.pk})
        record_event("linkage.person_merged_into", actor=actor, person=merged, target=merge, reason=reason,
                     details={**details, "survivor": survivor.pk})
    return merge


def _names_onto_survivor(survivor: Person, merged: Person) -> list[dict[str, Any]]:
    """The merged record's name and "known as" become other names of the survivor, so searches for the way the
    other agency wrote the name still find the person. Returns the rows made (removed again on unmerge)."""
    made = []
    agency_id = merged.recorded_by_agency_id
    if (normalise_name(merged.given_name), normalise_name(merged.family_name)) != (
            normalise_name(survivor.given_name), normalise_name(survivor.family_name)):
        made.append(PersonName.objects.create(person=survivor, kind=NameKind.SPELLING, given_name=merged.given_name,
                                              family_name=merged.family_name, recorded_by_agency_id=agency_id).pk)
    if merged.known_as and normalise_name(merged.known_as) not in (normalise_name(survivor.known_as),
                                                                   normalise_name(survivor.given_name)):
        made.append(PersonName.objects.create(person=survivor, kind=NameKind.NICKNAME, given_name=merged.known_as,
                                              family_name="", recorded_by_agency_id=agency_id).pk)
    return [{"model": "people.personname", "pks": made}] if made else []


def _close_pairs_of(merged: Person, survivor: Person, *, keep: MatchCandidate | None) -> dict[str, list]:
    """Pending review pairs of the merged person now concern the survivor: re-point them, or close them when the
    survivor already has that pair (or the pair is the survivor with itself)."""
    repointed, superseded = [], []
    pending = MatchCandidate.objects.filter(Q(person_a=merged) | Q(person_b=merged), status=CandidateStatus.PENDING)
    if keep is not None:
        pending = pending.exclude(pk=keep.pk)
    for pair in pending.select_for_update():
        other = pair.person_b_id if pair.person_a_id == merged.pk else pair.person_a_id
        low, high = sorted((survivor.pk, other))
        duplicate = MatchCandidate.objects.filter(person_a_id=low, person_b_id=high, status=CandidateStatus.PENDING)
        if other == survivor.pk or duplicate.exists():
            pair.status = CandidateStatus.SUPERSEDED
            pair.save(update_fields=["status"])
            superseded.append(pair.pk)
        else:
            repointed.append({"pk": pair.pk, "a": pair.person_a_id, "b": pair.person_b_id})
            pair.person_a_id, pair.person_b_id = low, high
            pair.save(update_fields=["person_a", "person_b"])
    return {"repointed": repointed, "superseded": superseded}


def unmerge_people(*, actor, merge_id: int, reason: str) -> PersonMerge:
    """Undo a merge: exactly the rows it moved go back, and both people are restored. Coordinators only."""
    from wrekin.access.linkage import get_merge_for_user

    _require_merger(actor)
    if not (reason or "").strip():
        raise MergeConflict("Give the reason for undoing the merge.")
    reason = reason.strip()
    now = timezone.now()
    with transaction.atomic():
        merge = get_merge_for_user(actor, merge_id)
        merge = PersonMerge.objects.select_for_update().get(pk=merge.pk)
        if not merge.is_active:
            raise MergeConflict("This merge has already been undone.")
        locked = _lock_people(merge.survivor_id, merge.merged_id)
        survivor, merged = locked[merge.survivor_id], locked[merge.merged_id]
        if survivor.merged_into_id:
            raise MergeConflict(f"Record {survivor.pk} has since been merged into record {survivor.merged_into_id}: "
                                "undo that merge first.")
        if merged.merged_into_id != survivor.pk:
            raise MergeConflict("The merged record is no longer merged into this person; nothing to undo.")

        restored = missing = 0
        for entry in merge.moved_rows:
            model = apps.get_model(entry["model"])
            moved_back = model.objects.filter(pk__in=entry["pks"], **{entry["field"]: survivor.pk}).update(
                **{entry["field"]: merged.pk})
            restored += moved_back
            missing += len(entry["pks"]) - moved_back
        for entry in merge.removed_rows:
            model = apps.get_model(entry["model"])
            if not model.objects.filter(pk=entry["pk"]).exists():
                for obj in serializers.deserialize("json", entry["data"]):
                    obj.save()
                restored += 1
        for entry in merge.created_rows:
            apps.get_model(entry["model"]).objects.filter(pk__in=entry["pks"]).delete()
        cleared = []
        for name, value in merge.filled_fields.items():
            if _display(getattr(survivor, name)) == value:
                setattr(survivor, name, None if survivor._meta.get_field(name).null else "")
                cleared.append(name)
        if cleared:
            survivor.save()
        _reopen_pairs(merge)

        merged.merged_into = None
        merged.merged_at = None
        merged.save(update_fields=["merged_into", "merged_at", "updated_at"])
        merge.unmerged_by = actor
        merge.unmerged_at = now
        merge.unmerge_reason = reason
        merge.save(update_fields=["unmerged_by", "unmerged_at", "unmerge_reason"])
        # Undoing a merge is a decision that these are two people: later imports must not propose it again.
        remember_rejection(actor=actor, person_ids=(survivor.pk, merged.pk), note=reason,
                           reason=CandidateReason.UNMERGED)
        details = {"merge": merge.pk, "rows_restored": restored, "rows_missing": missing,
                   "fields_cleared": sorted(cleared)}
        record_event("linkage.person_unmerged", actor=actor, person=survivor, target=merge, reason=reason,
                     details={**details, "merged_person": merged.pk})
        record_event("linkage.person_restored", actor=actor, person=merged, target=merge, reason=reason,
                     details={**details, "survivor": survivor.pk})
    return merge


def _reopen_pairs(merge: PersonMerge) -> None:
    for entry in merge.candidates.get("repointed", []):
        MatchCandidate.objects.filter(pk=entry["pk"], status=CandidateStatus.PENDING).update(
            person_a_id=entry["a"], person_b_id=entry["b"])
    for pk in merge.candidates.get("superseded", []):
        pair = MatchCandidate.objects.filter(pk=pk, status=CandidateStatus.SUPERSEDED).first()
        if pair and not MatchCandidate.objects.filter(person_a_id=pair.person_a_id, person_b_id=pair.person_b_id,
                                                      status=CandidateStatus.PENDING).exists():
            pair.status = CandidateStatus.PENDING
            pair.save(update_fields=["status"])


def remember_rejection(*, actor, person_ids: tuple[int, int], note: str, reason: str) -> MatchCandidate:
    """Record that two people are not one, so that later runs never propose the pair again."""
    low, high = sorted(person_ids)
    person = Person.objects.only("partnership_id").get(pk=low)
    return MatchCandidate.objects.create(
        partnership_id=person.partnership_id, person_a_id=low, person_b_id=high, reason=reason,
        status=CandidateStatus.REJECTED, decided_by=actor, decided_at=timezone.now(), decision_note=note)


def merge_group(person_id: int) -> set[int]:
    """A person and everyone merged into them, however deep (an active merge chain)."""
    group = {person_id}
    frontier = {person_id}
    while frontier:
        frontier = set(Person.objects.filter(merged_into__in=frontier).values_list("pk", flat=True)) - group
        group |= frontier
    return group


def surviving_person_id(person_id: int) -> int | None:
    """Where a merged person lives on now (following merges of merges); None for an unknown id."""
    seen = set()
    current: int | None = person_id
    while current is not None and current not in seen:
        seen.add(current)
        row = Person.objects.filter(pk=current).values_list("merged_into_id", flat=True).first()
        if row is None:
            exists = Person.objects.filter(pk=current).exists()
            return current if exists else None
        current = row
    return None
