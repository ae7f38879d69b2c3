"""Several kinds of row read in one query (UNION ALL), for pages that show them side by side.

A child's chronology shows a dozen kinds of record. Reading each kind with its own query costs a
round trip apiece, and a page that must stay within a query budget cannot afford that. Here each
kind is a *part*: a queryset and the columns it needs, named as in `.values()` ("pk",
"recorded_by_agency__name") or given as expressions (an `Exists(...)` flag). The parts are lined
up into shared columns by type, sent as one `UNION ALL`, and each row comes back as a dictionary
keyed by its own part's names, so the code that turns rows into entries reads as if each part had
been fetched alone:

    rows = fetch_together({
        "review": (CaseReview.objects.filter(case__person=person), ["pk", "held_on", "summary"]),
        "risk": (RiskLevel.objects.filter(case__person=person), ["pk", "level", "recorded_at"]),
    })
    for row in rows["review"]: ...

Columns are lined up by type (text, integer, date, date and time, true/false, decimal) because
PostgreSQL requires every column of a UNION to have one type; a part without a column of some
type gets NULL of that type there. Rows come back in no particular order: sort them yourself.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cached_property
from typing import Any

from django.db import models
from django.db.models import Expression, F, QuerySet, Value
from django.db.models.functions import Cast

Columns = Sequence[str] | Mapping[str, str | Expression]
Parts = Mapping[str, tuple[QuerySet, Columns]]

# The kind of each row, so it can be given back to its part.
_KIND = "together_kind"

# Column types that can share a UNION column, and the field each is read back as.
_FAMILIES: dict[str, models.Field] = {
    "text": models.TextField(),
    "integer": models.BigIntegerField(),
    "date": models.DateField(),
    "datetime": models.DateTimeField(),
    "boolean": models.BooleanField(),
    "decimal": models.DecimalField(),
}
_FAMILY_OF_TYPE = {
    "CharField": "text", "TextField": "text", "SlugField": "text", "EmailField": "text", "URLField": "text",
    "AutoField": "integer", "BigAutoField": "integer", "SmallAutoField": "integer", "IntegerField": "integer",
    "BigIntegerField": "integer", "SmallIntegerField": "integer", "PositiveIntegerField": "integer",
    "PositiveBigIntegerField": "integer", "PositiveSmallIntegerField": "integer",
    "DateField": "date", "DateTimeField": "datetime", "BooleanField": "boolean", "DecimalField": "decimal",
}


class _TypedNull(Cast):
    """NULL of a column's type, for a part that has no such column.

    PostgreSQL settles the type of a UNION column pair by pair from the left, so two bare NULLs
    would make it text and a later part's date would not fit. SQLite does not mind: plain NULL.
    It needs no converter of its own: the column's real values are read as their fields' are.
    """

    def __init__(self, output_field: models.Field):
        super().__init__(Value(None), output_field=output_field)

    def as_sqlite(self, compiler, connection, **extra_context):
        return "NULL", []

    @cached_property
    def convert_value(self):
        return self._convert_value_noop


def _family(field: models.Field) -> str:
    while field.is_relation:  # a foreign key's column holds the key of the row it points to
        field = field.target_field
    internal = field.get_internal_type()
    try:
        return _FAMILY_OF_TYPE[internal]
    except KeyError:
        raise TypeError(f"fetch_together cannot line up a {internal} column with others") from None


def _field_at(model: type[models.Model], path: str) -> models.Field:
    """The field a `.values()` path ends on: "pk", "case_id", "recorded_by_agency__name"."""
    *joins, last = path.split("__")
    for name in joins:
        model = model._meta.get_field(name).related_model
    return model._meta.pk if last == "pk" else model._meta.get_field(last)


def _expressions(columns: Columns) -> dict[str, Expression]:
    if isinstance(columns, Mapping):
        return {name: F(value) if isinstance(value, str) else value for name, value in columns.items()}
    return {name: F(name) for name in columns}


def fetch_together(parts: Parts) -> dict[str, list[dict[str, Any]]]:
    """Every part's rows, from one query: {part name: [row dictionary, ...]}."""
    if not parts:
        return {}
    # First learn each column's type: a field path is followed through the models, an expression
    # (an Exists, say) says what it gives.
    resolved: dict[str, tuple[QuerySet, list[tuple[str, str, Expression]]]] = {}
    for kind, (queryset, columns) in parts.items():
        typed = []
        for name, expression in _expressions(columns).items():
            is_path = isinstance(expression, F)
            field = _field_at(queryset.model, expression.name) if is_path else expression.output_field
            typed.append((name, _family(field), expression))
        resolved[kind] = (queryset, typed)

    # Shared columns: as many of each type as the widest part needs, in one fixed order.
    widths: dict[str, int] = {}
    for _, typed in resolved.values():
        for family in _FAMILIES:
            widths[family] = max(widths.get(family, 0), sum(1 for _, f, _ in typed if f == family))
    slots = [f"together_{family}_{n}" for family in _FAMILIES for n in range(widths[family])]

    querysets = []
    readers: dict[str, list[tuple[str, int]]] = {}
    for kind, (queryset, typed) in resolved.items():
        filled: dict[str, Expression] = {}
        used = dict.fromkeys(_FAMILIES, 0)
        reader = []
        for name, family, expression in typed:
            slot = f"together_{family}_{used[family]}"
            used[family] += 1
            filled[slot] = expression
            reader.append((name, 1 + slots.index(slot)))
        readers[kind] = reader
        annotations = {_KIND: Value(kind, output_field=models.TextField())}
        for slot in slots:
            family = slot.split("_")[1]
            annotations[slot] = filled[slot] if slot in filled else _TypedNull(_FAMILIES[family])
        # Ordering is not allowed inside the parts of a UNION (and a model's default ordering
        # would otherwise be added): the caller sorts what it gets.
        querysets.append(queryset.order_by().annotate(**annotations).values_list(_KIND, *slots))

    first, *others = querysets
    combined = first.union(*others, all=True) if others else first
    rows: dict[str, list[dict[str, Any]]] = {kind: [] for kind in parts}
    for values in combined:
        kind = values[0]
        rows[kind].append({name: values[index] for name, index in readers[kind]})
    return rows
