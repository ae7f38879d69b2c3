"""The contract between record-keeping apps and the chronology and work lists.

Each app that holds events about a child registers a *chronology source*: a
function given the child and the viewing user that returns `ChronologyEntry`
items the user may see (it must apply the access policy itself — the same
rules as its own pages). The casework chronology merges every source.

The chronology page has a budget of 20 queries for everything it sends, every
source included (tests/casework/test_query_budget.py). So a source checks the
child with `wrekin.access.policy.is_person_visible` (remembered for the request:
the page has fetched the child through the policy) and sends one query however
much it has to show, its kinds of row read together with
`wrekin.core.together.fetch_together`.

Each app with work to do registers a *work-list source*: a function given the
user that returns `WorkItem`s (interviews due, actions overdue, screenings to
approve...). Home pages show them grouped by heading.

Sources register from their AppConfig.ready(), so nothing here imports the apps.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass(frozen=True)
class ChronologyEntry:
    occurred_at: datetime
    event_type: str  # a stable code, e.g. "referral", "missing_episode", "mace_item"
    title: str  # one line, e.g. "Referral from Severn Vale Academy"
    agency_name: str
    summary: str = ""  # factual, a few lines
    url: str = ""  # link to the source record ('' if the user may not open it)
    source: str = ""  # e.g. "referrals.referral:42" for de-duplication and export


@dataclass(frozen=True)
class WorkItem:
    heading: str  # e.g. "Return interviews due"
    title: str
    url: str
    due: date | datetime | None = None
    overdue: bool = False
    detail: str = ""
    tags: tuple[str, ...] = field(default_factory=tuple)


ChronologySource = Callable[[object, object], Iterable[ChronologyEntry]]
WorkListSource = Callable[[object], Iterable[WorkItem]]

_chronology_sources: dict[str, ChronologySource] = {}
_worklist_sources: dict[str, WorkListSource] = {}


def register_chronology_source(name: str, source: ChronologySource) -> None:
    _chronology_sources[name] = source


def register_worklist_source(name: str, source: WorkListSource) -> None:
    _worklist_sources[name] = source


def chronology_for(person, user) -> list[ChronologyEntry]:
    entries: list[ChronologyEntry] = []
    for source in _chronology_sources.values():
        entries.extend(source(person, user))
    return sorted(entries, key=lambda e: (e.occurred_at, e.event_type, e.source))


def worklist_for(user) -> list[WorkItem]:
    items: list[WorkItem] = []
    for source in _worklist_sources.values():
        items.extend(source(user))
    return items


def chronology_source_names() -> list[str]:
    return sorted(_chronology_sources)
