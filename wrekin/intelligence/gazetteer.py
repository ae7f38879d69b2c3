"""The names of known people and places a narrative is read for, while it is typed and when it is saved.

Every narrative (referral, missing episode, return interview, intelligence report) is read when its record
is saved for registration marks, phones, postcodes, e-mail addresses, handles **and the names of persons
of concern and named places the partnership already knows** (wrekin.intelligence.linking.record_mentions).
The live suggestions under a text box use the same names, by the same rule (extraction_views).

**Who may be named.** Persons of concern are looked for only among the people the *writer* may see
(`people_visible_to`), exactly as the live suggestions do; named premises and businesses are looked for
partnership-wide (they name places, not people). A name found becomes an unconfirmed mention that the
writer's own record carries (the child's chronology lists it) and that the API returns to the writer's
system in `extracted`. If it could be the name of someone only another agency may see, saving a narrative
would tell the writer that the partnership holds a person of concern called "Taz": the very thing the
access policy keeps from them. The cost is a link the machine does not make by that name alone: the
narrative is still linked by everything else it mentions (a car, a phone, a takeaway), and a person
mention typed with an age or a full name still meets the person rules, which compare it with mentions
named as a person of concern at that person's age. And the two uses agree: what the writer was shown as
a suggestion is what is recorded.

**Cost.** Reading every name and compiling them into one pattern (extraction._trie_pattern) takes about a
second for 6,000 names on this project's 2-core machine, and even building the look-up of a cached pattern
takes tens of milliseconds; a save has 50 ms at p95 for its link check. So each process keeps the
partnership's names and re-reads only what a cheap *signature*, one query per save, says has changed:

- persons of concern: how many, the newest id and the latest `updated_at` (a new person, a rename, a
  merge, a person of concern who is no longer one), and their other names: how many, the newest id and
  the latest `created_at`;
- places and businesses: entities only ever gain rows and never change their names, so the entities
  created since the last look are read by id (a range on the primary key: the few rows saved since), and
  the newest one read is checked to be still there and the same (a rolled-back save's entity is not a
  name anybody wrote, and SQLite gives its id to the next insert).

Names are matched by two patterns: the *base*, compiled once per process, and the *recent* names added
since, compiled again (small, so quickly) when one is added. When the recent ones reach FOLD_AT they are
folded into a new base. A full re-read happens every REFRESH_SECONDS too, in case an entity was committed
out of id order by a concurrent save (PostgreSQL hands out ids before commit); the base is kept.

**Scoping, exactly.** Both patterns hold every name of the partnership; the writer's rule is applied to
each match. A match whose only meaning is a person the writer may not see is not simply dropped: a
shorter name at the same place is looked for, then the scan moves on one character, just as a pattern of
the writer's own names would have read the text. So `gazetteer_for_user(user)` finds what
`Gazetteer.for_partnership(partnership, people=people_visible_to(user))` finds, at a fraction of the
cost, and the access policy is asked only about the people whose names were matched.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, replace

from django.db import connection

from wrekin.intelligence.extraction import (
    _WORD,
    Extracted,
    Gazetteer,
    GazetteerTerm,
    _tokens,
    _trie_pattern,
)

# Persons of concern are read again at least this often (an edit made in another process: see above), and
# places at least this often (an entity committed out of id order by a concurrent save, on PostgreSQL).
PEOPLE_REFRESH_SECONDS = 60
PLACES_REFRESH_SECONDS = 600
# Names added since the base pattern was compiled, at which they are compiled into a new base.
FOLD_AT = 200

_Key = tuple[str, ...]


@dataclass(frozen=True)
class _Known:
    """One partnership's names as this process last read them."""

    # Each person of concern's names, by person; the other names (aliases, nicknames) by PersonName id.
    people: dict[int, tuple[GazetteerTerm, ...]]
    other_names: dict[int, GazetteerTerm]
    places: tuple[GazetteerTerm, ...]
    # Every name's meanings, in order (people first): a name several people go by, or a person and a place.
    meanings: dict[_Key, tuple[GazetteerTerm, ...]]
    base_keys: frozenset[_Key]
    base: re.Pattern[str] | None
    recent: re.Pattern[str] | None
    # The newest row read of each table ((id, created) or, for entities, (id, key, created)): read on from it.
    marks: tuple
    people_read_at: float
    places_read_at: float


_known: dict[int, _Known] = {}
# Partnerships whose persons of concern this process has seen edited (signals below): read them again.
_edited: set[int] = set()
_lock = threading.Lock()


# --- reading -------------------------------------------------------------------------------------------------------

def _tables() -> dict[str, str]:
    from wrekin.intelligence.models import Entity
    from wrekin.people.models import Person, PersonName

    return {"person": connection.ops.quote_name(Person._meta.db_table),
            "name": connection.ops.quote_name(PersonName._meta.db_table),
            "entity": connection.ops.quote_name(Entity._meta.db_table)}


def _signature(marks: tuple | None) -> tuple[tuple[int | None, int | None, int | None], bool]:
    """The newest id of persons, other names and entities, and whether the rows last read are still there and
    the same: one query, each part a look-up on a primary key.

    Creation times are compared because ids can come round again: SQLite gives the ids of a rolled-back
    insert to the next one, so "the same newest id" can be another row.
    """
    t = _tables()
    key = connection.ops.quote_name("key")
    person_mark, name_mark, entity_mark = marks or ((0, None), (0, None), (0, None, None))
    # Raw SQL for one round trip; table names come from the models and every value is a parameter.
    sql = (
        f"SELECT (SELECT MAX(id) FROM {t['person']}), (SELECT MAX(id) FROM {t['name']}), "  # noqa: S608 # nosec B608
        f"(SELECT MAX(id) FROM {t['entity']}), (SELECT created_at FROM {t['person']} WHERE id = %s), "
        f"(SELECT created_at FROM {t['name']} WHERE id = %s), "
        f"(SELECT {key} FROM {t['entity']} WHERE id = %s), (SELECT created_at FROM {t['entity']} WHERE id = %s)")
    with connection.cursor() as cursor:
        cursor.execute(sql, [person_mark[0], name_mark[0], entity_mark[0], entity_mark[0]])
        person_newest, name_newest, entity_newest, person_created, name_created, entity_key, entity_created = \
            cursor.fetchone()
    same = marks is None or (
        (person_mark[0] == 0 or str(person_created) == person_mark[1])
        and (name_mark[0] == 0 or str(name_created) == name_mark[1])
        and (entity_mark[0] == 0 or (entity_key, str(entity_created)) == entity_mark[1:]))
    return (person_newest, name_newest, entity_newest), same


def _rows(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _new_people(partnership_id: int, after: int, upto: int) -> tuple[dict[int, tuple[GazetteerTerm, ...]], tuple]:
    """Persons of concern of the partnership among the persons with ids in (after, upto], and the new mark."""
    from wrekin.people.models import PersonKind

    t = _tables()
    rows = _rows(f"SELECT id, partnership_id, kind, merged_into_id, given_name, middle_names, "  # noqa: S608 # nosec B608
                 f"family_name, known_as, created_at FROM {t['person']} WHERE id > %s AND id <= %s", [after, upto])
    people = {pk: tuple(Gazetteer.person_name_terms(pk, given, middle or "", family, known_as))
              for pk, owner, kind, merged, given, middle, family, known_as, _ in rows
              if owner == partnership_id and kind == PersonKind.PERSON_OF_CONCERN and merged is None}
    newest = max(rows, default=None)
    return people, ((newest[0], str(newest[-1])) if newest else None)


def _new_other_names(people: dict, after: int, upto: int) -> tuple[dict[int, GazetteerTerm], tuple]:
    """Other names (aliases, nicknames) of these persons of concern with ids in (after, upto], and the new mark."""
    t = _tables()
    rows = _rows(f"SELECT id, person_id, given_name, family_name, kind, created_at FROM {t['name']} "  # noqa: S608 # nosec B608
                 f"WHERE id > %s AND id <= %s", [after, upto])
    names = {pk: term for pk, person_id, given, family, kind, _ in rows
             if person_id in people and (term := Gazetteer.other_name_term(person_id, given, family, kind))}
    newest = max(rows, default=None)
    return names, ((newest[0], str(newest[-1])) if newest else None)


def _new_places(partnership_id: int, after: int, upto: int) -> tuple[list[GazetteerTerm], tuple | None]:
    """Named places and businesses among the entities with ids in (after, upto], and the new mark.

    Every type is read: the range on the primary key is the index used, and it holds only the rows saved
    since the last look (a few per save).
    """
    t = _tables()
    rows = _rows(f"SELECT id, partnership_id, type, display, premises_name, {connection.ops.quote_name('key')}, "  # noqa: S608 # nosec B608
                 f"created_at FROM {t['entity']} WHERE id > %s AND id <= %s", [after, upto])
    newest = max(rows, default=None)
    terms = Gazetteer.place_terms_of((pk, type_, display, premises) for pk, owner, type_, display, premises, *_
                                     in rows if owner == partnership_id)
    return terms, ((newest[0], newest[5], str(newest[6])) if newest else None)


def _all_people(partnership_id: int) -> tuple[dict, dict]:
    """Every person of concern of the partnership (merged ones live on as the survivor) and their other names."""
    from wrekin.people.models import Person, PersonKind, PersonName

    persons = Person.objects.filter(partnership_id=partnership_id, kind=PersonKind.PERSON_OF_CONCERN,
                                    merged_into__isnull=True)
    people = {row[0]: tuple(Gazetteer.person_name_terms(*row)) for row in persons.values_list(
        "pk", "given_name", "middle_names", "family_name", "known_as").order_by("pk")}
    names = {pk: term for pk, *row in PersonName.objects.filter(person__in=persons).values_list(
        "pk", "person_id", "given_name", "family_name", "kind").order_by("pk")
        if (term := Gazetteer.other_name_term(*row))}
    return people, names


def _meanings(terms: Iterable[GazetteerTerm]) -> dict[_Key, tuple[GazetteerTerm, ...]]:
    found: dict[_Key, list[GazetteerTerm]] = {}
    for term in terms:
        words = _tokens(term.text)
        if not words or (len(words) == 1 and len(words[0]) < 2):
            continue  # as Gazetteer: a single letter is not a name anyone can be found by
        found.setdefault(words, []).append(term)
    return {key: tuple(terms) for key, terms in found.items()}


def _compiled(known: _Known | None, **names) -> _Known:
    """The names compiled: the base pattern kept while the names added since it stay few."""
    people, other_names, places = names["people"], names["other_names"], names["places"]
    meanings = _meanings((*(t for terms in people.values() for t in terms), *other_names.values(), *places))
    keys = frozenset(meanings)
    base_keys, base = (known.base_keys, known.base) if known else (frozenset(), None)
    recent_keys = keys - base_keys
    if base is None or len(recent_keys) > FOLD_AT:
        base_keys, base, recent_keys = keys, _trie_pattern(keys), frozenset()
    # A name no longer anyone's stays in the base pattern until the next fold, with no meaning: never found.
    return _Known(people, other_names, places, meanings, base_keys, base,
                  _trie_pattern(recent_keys) if recent_keys else None, names["marks"], names["people_read_at"],
                  names["places_read_at"])


def _current(partnership_id: int) -> _Known:
    """The partnership's names, read again where the signature (or this process's own edits) says they changed."""
    known = _known.get(partnership_id)
    newest, same = _signature(known.marks if known else None)
    now = time.monotonic()
    with _lock:
        edited = partnership_id in _edited
        _edited.discard(partnership_id)
    if known is None or not same:
        people, other_names = _all_people(partnership_id)
        known = _compiled(known, people=people, other_names=other_names,
                          places=tuple(Gazetteer.place_terms(partnership_id)),
                          marks=_marks_at(newest), people_read_at=now, places_read_at=now)
    else:
        names = {"people": known.people, "other_names": known.other_names, "places": known.places,
                 "people_read_at": known.people_read_at, "places_read_at": known.places_read_at}
        (person_mark, name_mark, entity_mark), changed = known.marks, False
        if edited or now - known.people_read_at > PEOPLE_REFRESH_SECONDS:
            names["people"], names["other_names"] = _all_people(partnership_id)
            names["people_read_at"], changed = now, True
            person_mark, name_mark = _marks_at(newest)[:2]
        else:
            if newest[0] and newest[0] > person_mark[0]:
                added, person_mark = _new_people(partnership_id, person_mark[0], newest[0])
                if added:
                    names["people"], changed = {**known.people, **added}, True
            if newest[1] and newest[1] > name_mark[0]:
                added, name_mark = _new_other_names(names["people"], name_mark[0], newest[1])
                if added:
                    names["other_names"], changed = {**known.other_names, **added}, True
        if now - known.places_read_at > PLACES_REFRESH_SECONDS:
            names["places"], names["places_read_at"], changed = tuple(Gazetteer.place_terms(partnership_id)), now, True
            entity_mark = _marks_at(newest)[2]
        elif newest[2] and newest[2] > entity_mark[0]:
            added, entity_mark = _new_places(partnership_id, entity_mark[0], newest[2])
            if added:
                names["places"], changed = known.places + tuple(added), True
        marks = (person_mark, name_mark, entity_mark)
        if changed:
            known = _compiled(known, marks=marks, **names)
        elif marks != known.marks:
            known = replace(known, marks=marks)
    with _lock:
        _known[partnership_id] = known
    return known


def _marks_at(newest: tuple) -> tuple:
    """The marks of the rows with these ids (the newest of each table), read as the signature reads them."""
    t = _tables()
    marks = []
    for table, pk, extra in (("person", newest[0], ""), ("name", newest[1], ""),
                             ("entity", newest[2], f"{connection.ops.quote_name('key')}, ")):
        if not pk:
            marks.append((0, None, None) if extra else (0, None))  # an empty table: read from the start
            continue
        row = _rows(f"SELECT id, {extra}created_at FROM {t[table]} WHERE id = %s", [pk])  # noqa: S608 # nosec B608
        # Gone since (deleted a moment ago): marked as gone, as the signature will then read it.
        row = row[0] if row else ((pk, None, None) if extra else (pk, None))
        marks.append((*row[:-1], str(row[-1])))
    return tuple(marks)


def forget() -> None:
    """Drop every partnership's names (for a test that changes names behind the signature's back)."""
    with _lock:
        _known.clear()
        _edited.clear()


def person_changed(sender, instance, **kwargs) -> None:
    """post_save / post_delete of a Person: an edit of a person of concern's names, kind or merge is read again.

    New persons and new names are found by id without this; an edit is not, so this process notes it here
    (other processes read persons again within PEOPLE_REFRESH_SECONDS).
    """
    from wrekin.people.models import PersonKind

    if kwargs.get("created"):
        return  # read by id
    known = _known.get(instance.partnership_id)
    if known is not None and (instance.pk in known.people or instance.kind == PersonKind.PERSON_OF_CONCERN):
        with _lock:
            _edited.add(instance.partnership_id)


def other_name_changed(sender, instance, **kwargs) -> None:
    """post_save / post_delete of a PersonName of a person of concern: read their names again."""
    if kwargs.get("created"):
        return  # read by id
    for partnership_id, known in list(_known.items()):
        if instance.person_id in known.people:
            with _lock:
                _edited.add(partnership_id)


# --- matching ------------------------------------------------------------------------------------------------------

class _Visible:
    """Which persons of concern one user may see, asked of the access policy only about names matched."""

    def __init__(self, user):
        self.user = user
        self.answers: dict[int, bool] = {}

    def of(self, ids: Iterable[int]) -> set[int]:
        ids = set(ids)
        unknown = ids - self.answers.keys()
        if unknown:  # one query for every name matched (find asks first); rarely another
            from wrekin.access.policy import people_visible_to

            seen = set(people_visible_to(self.user).filter(pk__in=unknown).values_list("pk", flat=True))
            self.answers.update((pk, pk in seen) for pk in unknown)
        return {pk for pk in ids if self.answers[pk]}


def _meaning(terms: tuple[GazetteerTerm, ...] | None, visible: _Visible | None) -> GazetteerTerm | None:
    """What a name means to this reader, as Gazetteer would merge its terms: the first meaning the reader may
    be shown decides the type; more terms of that type add their ids (a nickname two people go by)."""
    if not terms:
        return None
    allowed = visible.of(pk for t in terms if t.type == "person" for pk in t.ids) if visible else None
    first: GazetteerTerm | None = None
    ids: list[int] = []
    for term in terms:
        term_ids = [pk for pk in term.ids if allowed is None or term.type != "person" or pk in allowed]
        if not term_ids or (first is not None and term.type != first.type):
            continue
        first = first or term
        ids.extend(pk for pk in term_ids if pk not in ids)
    if first is None:
        return None
    return GazetteerTerm(first.text, first.type, first.canonical or " ".join(first.text.split()), tuple(ids),
                         first.kind)


def _scan(patterns: list[re.Pattern[str]], text: str, meanings, visible: _Visible | None) -> list[Extracted]:
    """Every name in the text, as one pattern of only the names this reader may be shown would find them.

    The patterns (base and recent) together hold every name: at the leftmost place either matches, the
    longer match is the one a single pattern of all the names would make.
    """
    found: list[Extracted] = []
    position = 0
    while matches := [m for m in (p.search(text, position) for p in patterns) if m is not None]:
        match = min(matches, key=lambda m: (m.start(), -m.end()))
        start = match.start()
        words = list(_WORD.finditer(match.group(0)))
        # The longest name first (the pattern's own choice), then shorter names starting at the same word.
        for count in range(len(words), 0, -1):
            term = _meaning(meanings.get(tuple(w.group(0).casefold() for w in words[:count])), visible)
            if term is not None:
                end = start + words[count - 1].end()
                found.append(Extracted(term.type, text[start:end], term.canonical, (start, end),
                                       {"ids": list(term.ids), "known_as": term.kind}))
                position = end
                break
        else:
            position = start + 1
    return found


class UserGazetteer:
    """The partnership's names as one user may use them: the persons of concern they may see, and every named
    place and business. Used like a Gazetteer by wrekin.intelligence.extraction.extract (it has `find`)."""

    def __init__(self, user, known: _Known):
        self._known = known
        self._visible = _Visible(user) if user is not None else None

    def find(self, text: str) -> list[Extracted]:
        known = self._known
        patterns = [p for p in (known.base, known.recent) if p is not None]
        if not patterns:
            return []
        if self._visible is not None:
            # Ask the access policy once, about every person whose name (or the start of it) matched.
            ids = set()
            for pattern in patterns:
                for match in pattern.finditer(text):
                    words = [w.casefold() for w in _WORD.findall(match.group(0))]
                    for count in range(1, len(words) + 1):
                        ids.update(pk for term in known.meanings.get(tuple(words[:count]), ())
                                   if term.type == "person" for pk in term.ids)
            self._visible.of(ids)
        return _scan(patterns, text, known.meanings, self._visible)


def gazetteer_for_user(user) -> UserGazetteer | None:
    """The names `user` may be shown, or have recorded, from what they write (see the module docstring)."""
    partnership = getattr(user, "partnership", None) if getattr(user, "is_authenticated", False) else None
    if partnership is None:
        return None
    return UserGazetteer(user, _current(partnership.pk))
