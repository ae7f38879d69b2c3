"""What a reviewer sees: two records side by side, field by field, with the machine's judgement of each field.

The judgement stored with the pair is the one made when the pair was proposed (which model, which weights); the
values shown are the people's records as they are now. A pair with no stored judgement (one recorded by undoing a
merge) is compared afresh with the same rules.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from wrekin.linkage.models import MatchCandidate, SourceRecord
from wrekin.linkage.scoring import (
    FIELD_LABELS,
    STATUS_LABELS,
    FieldAgreement,
    compare_fields,
    person_record,
)
from wrekin.people.identifiers import format_nhs_number

STATUS_TAGS = {"agreed": "govuk-tag--green", "partial": "govuk-tag--yellow", "disagreed": "govuk-tag--red",
               "missing": "govuk-tag--grey"}
FIELD_ORDER = list(FIELD_LABELS)


@dataclass
class ComparisonRow:
    label: str
    value_a: str
    value_b: str
    status: str = ""  # '' for rows the model does not compare
    level: str = ""
    weight: float | None = None

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, "")

    @property
    def tag_class(self) -> str:
        return STATUS_TAGS.get(self.status, "")

    @property
    def weight_display(self) -> str:
        return "" if self.weight is None else f"{self.weight:+.1f}"


def _date_of_birth(person, today) -> str:
    if person.date_of_birth:
        return f"{person.date_of_birth:%-d %B %Y} (age {person.age_on(today)})"
    if person.approximate_age is not None and person.approximate_age_recorded_on:
        return f"Not known: about {person.approximate_age} in {person.approximate_age_recorded_on:%B %Y}"
    return ""


def field_values(person, *, addresses: list | None = None, phones: list | None = None,
                 sources: list | None = None) -> dict[str, str]:
    """How each compared field reads on a person's record, for the side-by-side table.

    For a record merged into another, pass the addresses, phones and agency records the merge moved: they are what
    that record brought, and no longer hang on it.
    """
    today = timezone.localdate()
    addresses = list(person.addresses.all()) if addresses is None else addresses
    current = [a for a in addresses if a.valid_to is None] or addresses
    phones = list(person.phones.all()) if phones is None else phones
    sources = list(person.source_records.all()) if sources is None else sources
    emails = sorted({s.values.get("email") for s in sources if s.values.get("email")})
    given = person.given_name + (f" (known as {person.known_as})" if person.known_as else "")
    return {
        "first_name": given,
        "middle_names": person.middle_names,
        "family_name": person.family_name,
        "date_of_birth": _date_of_birth(person, today),
        "residence": str(current[0]) if current else "",
        "town": current[0].town if current else "",
        "nhs_number": format_nhs_number(person.nhs_number) if person.nhs_number else "",
        "upn": person.upn,
        "sex": person.get_sex_display() if person.sex else "",
        "phone": ", ".join(phone.number for phone in phones),
        "email": ", ".join(emails),
    }


def agreement_for(candidate: MatchCandidate) -> list[FieldAgreement]:
    if candidate.agreement:
        return [FieldAgreement.from_dict(item) for item in candidate.agreement]
    return compare_fields(person_record(candidate.person_a), person_record(candidate.person_b))


def comparison_rows(candidate: MatchCandidate) -> list[ComparisonRow]:
    a, b = candidate.person_a, candidate.person_b
    values_a, values_b = field_values(a), field_values(b)
    judged = {item.field: item for item in agreement_for(candidate)}
    rows = []
    for name in FIELD_ORDER:
        item = judged.get(name)
        if item is None and not (values_a.get(name) or values_b.get(name)):
            continue
        rows.append(ComparisonRow(label=FIELD_LABELS[name], value_a=values_a.get(name, ""),
                                  value_b=values_b.get(name, ""), status=item.status if item else "",
                                  level=item.level if item else "", weight=item.weight if item else None))
    other_a = ", ".join(str(name) for name in a.other_names.all())
    other_b = ", ".join(str(name) for name in b.other_names.all())
    if other_a or other_b:
        rows.append(ComparisonRow(label="Other names", value_a=other_a, value_b=other_b))
    rows.append(ComparisonRow(label="Recorded by", value_a=a.recorded_by_agency.name,
                              value_b=b.recorded_by_agency.name))
    rows.append(ComparisonRow(label="Agency records", value_a=_records_text(a), value_b=_records_text(b)))
    return rows


def _records_text(person) -> str:
    return "; ".join(f"{s.agency.name} {s.record_id}" for s in person.source_records.all()) or "Recorded in Wrekin"


def summary_counts(rows: list[ComparisonRow]) -> dict[str, int]:
    counts = dict.fromkeys(STATUS_LABELS, 0)
    for row in rows:
        if row.status:
            counts[row.status] += 1
    return counts


def moved_rows(merge, label: str) -> list:
    """The rows of one table that a merge moved from the merged record to the survivor."""
    from django.apps import apps

    pks = [pk for entry in merge.moved_rows if entry["model"] == label for pk in entry["pks"]]
    return list(apps.get_model(label).objects.filter(pk__in=pks)) if pks else []


def merged_record_values(merge) -> dict[str, str]:
    """What a merged record said, field by field: its own details and the rows the merge moved from it."""
    return field_values(merge.merged, addresses=moved_rows(merge, "people.personaddress"),
                        phones=moved_rows(merge, "people.personphone"),
                        sources=moved_rows(merge, "linkage.sourcerecord"))


def sources_of(person) -> list[SourceRecord]:
    return list(person.source_records.select_related("agency", "first_import", "last_import"))


def as_written_text(source: SourceRecord) -> str:
    """An agency record as its file wrote it: "Given name: Kayley; Family name: Smyth; ..."."""
    from wrekin.linkage.imports import FIELD_LABELS as COLUMN_LABELS

    return "; ".join(f"{COLUMN_LABELS[name]}: {value}" for name, value in source.as_written.items()
                     if name != "record_id" and name in COLUMN_LABELS)
