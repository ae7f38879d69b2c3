"""Live suggestions while a practitioner writes a narrative: the machine suggests, a person confirms.

Any form with a narrative (referral, intelligence report, return interview, missing
episode) can show, under its text box, the plates, phones, postcodes,
e-mail addresses, handles and known names Wrekin finds in it, each with a yes/no
control. How to include it (htmx, and without JavaScript) is in docs/guide/extraction.md;
in short::

    <textarea name="narrative" ... hx-post="{% url 'intelligence:extract_suggestions' %}"
              hx-trigger="keyup changed delay:800ms" hx-target="#narrative-suggestions"
              hx-sync="this:replace"></textarea>
    <div id="narrative-suggestions">{% include "intelligence/_suggestions.html" %}</div>

and, in the host view, ``review_suggestions(narrative, request.POST, user=request.user)``
gives every suggestion with the decision the practitioner made.

Nothing posted back is trusted: decisions are matched to suggestions the server
extracts again from the narrative, so a tampered hidden field can at most change which
suggestion a decision applies to, never invent an entity.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.views.decorators.http import require_POST

from wrekin.access.policy import can_see_case_content
from wrekin.audit.actions import record_event
from wrekin.intelligence.extraction import DECISIONS, Extracted, extract
from wrekin.intelligence.gazetteer import gazetteer_for_user

SUGGESTION_PREFIX = "suggestion"
# Longer than any narrative a practitioner types; beyond it suggestions are not offered
# (the form still saves the text), so a pasted document cannot tie up a worker.
MAX_NARRATIVE_CHARACTERS = 50_000
MAX_SUGGESTIONS = 100

TYPE_LABELS = {
    "vehicle": "Vehicle", "phone": "Phone", "postcode": "Postcode", "email": "E-mail address",
    "handle": "Online handle", "person": "Person of concern", "location": "Place", "business": "Business",
}
_FIELD_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_\-]{0,60}")


@dataclass
class ReviewedSuggestion:
    """One extracted entity and what the practitioner said about it: confirm, reject or "" (not yet)."""

    item: Extracted
    decision: str = ""

    @property
    def type_label(self) -> str:
        return TYPE_LABELS.get(self.item.type, self.item.type)

    @property
    def shown_as(self) -> str:
        """How the entity is recorded: "AB12 CDE", "+447700900123", "snapchat: kayz_01"."""
        detail = self.item.detail
        if self.item.type == "vehicle":
            return detail.get("display", self.item.normalised)
        if self.item.type == "handle" and detail.get("platform"):
            return f"{detail['platform']}: {self.item.normalised}"
        return self.item.normalised

    @property
    def hint(self) -> str:
        """Why it was suggested, in plain words."""
        detail = self.item.detail
        if self.item.type == "vehicle":
            kind = "partial registration mark" if detail.get("partial") else \
                f"{detail.get('format', '').replace('_', ' ')} format registration mark"
            return kind
        if self.item.type == "phone":
            return "UK phone number" if detail.get("valid") else "number in a range not in use (check it)"
        if self.item.type == "handle":
            return "platform not stated" if not detail.get("platform") else f"on {detail['platform']}"
        if self.item.type in ("person", "location", "business"):
            return "a name already known to the partnership"
        return ""

    @property
    def span_text(self) -> str:
        return f"{self.item.span[0]}:{self.item.span[1]}"


def _key(type_: str, normalised: str) -> tuple[str, str]:
    return type_, normalised


def _posted_decisions(data: QueryDict, prefix: str = SUGGESTION_PREFIX) -> dict[tuple[str, str], str]:
    """Decisions already made in the form, keyed by (type, normalised) so they survive edits that move spans."""
    decisions: dict[tuple[str, str], str] = {}
    try:
        count = min(int(data.get(f"{prefix}-count", "0")), MAX_SUGGESTIONS)
    except ValueError:
        return decisions
    for index in range(count):
        decision = data.get(f"{prefix}-{index}", "")
        if decision in DECISIONS:
            decisions[_key(data.get(f"{prefix}-{index}-type", ""), data.get(f"{prefix}-{index}-normalised", ""))] = \
                decision
    return decisions


def review_suggestions(narrative: str, data: QueryDict | None = None, *, user,
                       prefix: str = SUGGESTION_PREFIX, today: date | None = None) -> list[ReviewedSuggestion]:
    """Every suggestion in ``narrative`` with the practitioner's decision from ``data`` (a form's POST).

    Host views call this when saving: confirmed ones become confirmed mentions, rejected
    ones are recorded as rejected (or dropped), and the rest become unconfirmed mentions,
    which still raise link alerts marked as unconfirmed.
    """
    if not narrative or len(narrative) > MAX_NARRATIVE_CHARACTERS:
        return []
    # The same names, by the same rule, as the narrative is read for when it is saved.
    items = extract(narrative, gazetteer_for_user(user), today=today)[:MAX_SUGGESTIONS]
    decisions = _posted_decisions(data, prefix) if data is not None else {}
    return [ReviewedSuggestion(item, decisions.get(_key(item.type, item.normalised), "")) for item in items]


def suggestions_context(narrative: str, data: QueryDict | None = None, *, user,
                        prefix: str = SUGGESTION_PREFIX) -> dict:
    """The context ``intelligence/_suggestions.html`` needs, for host views that render it without htmx."""
    return {
        "suggestions": review_suggestions(narrative, data, user=user, prefix=prefix),
        "suggestion_prefix": prefix,
        "suggestions_checked": bool(narrative),
        "narrative_too_long": len(narrative or "") > MAX_NARRATIVE_CHARACTERS,
    }


@require_POST
def suggest(request: HttpRequest) -> HttpResponse:
    """The suggestions fragment for the narrative posted (htmx calls this as the practitioner pauses typing).

    POST, so the narrative never appears in a URL or an access log; CSRF-protected by
    Django's middleware like every other POST; signed-in users only (the site-wide
    LoginRequiredMiddleware), and only roles that may see case content.

    Matching a narrative against stored names of persons of concern is a search of
    people, and searches are audited: when the answer names any known person, a
    `person.searched` event records how many (not the narrative, which is unsaved text).
    Suggestions of plates, phones and places consult nothing stored about people and
    write nothing, so a pause in typing does not bury the trail in events. Nothing here
    is logged either: the narrative and the suggestions are personal data.
    """
    if not can_see_case_content(request.user):
        raise PermissionDenied
    field = request.GET.get("field", "narrative")
    if not _FIELD_NAME.fullmatch(field):
        field = "narrative"
    prefix = request.GET.get("prefix", SUGGESTION_PREFIX)
    if not _FIELD_NAME.fullmatch(prefix):
        prefix = SUGGESTION_PREFIX
    narrative = request.POST.get(field, "")
    context = suggestions_context(narrative, request.POST, user=request.user, prefix=prefix)
    known_people = sum(1 for s in context["suggestions"] if s.item.type == "person")
    if known_people:
        with transaction.atomic():
            record_event("person.searched", actor=request.user,
                         details={"via": "extraction", "results": known_people})
    return render(request, "intelligence/_suggestions.html", context)
