"""Chronology sources for casework and for people's own records, and the chronology's exports.

Each source applies the access policy itself (the contract in wrekin.core.timeline) and
sends one query however many events a child has: every kind of record it shows, with every
related name, in one UNION (wrekin.core.together). The chronology page has a budget of 20
queries for every app's sources together.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections import defaultdict
from datetime import date, datetime, time
from functools import lru_cache

from django.urls import reverse
from django.utils import timezone

from wrekin.access.casework import can_see_casework
from wrekin.access.policy import is_person_visible
from wrekin.casework.clocks import MET_VERB
from wrekin.casework.models import (
    Case,
    CaseReview,
    ClockKind,
    ClosureDecision,
    ClosureRequest,
    PlanAction,
    PlanActionStatus,
    RiskLevel,
    RiskLevelChoice,
    StrategyClock,
    StrategyDecision,
    StrategyDiscussion,
)
from wrekin.core.timeline import ChronologyEntry
from wrekin.core.together import fetch_together
from wrekin.people.models import Involvement, InvolvementKind, PersonAddress

# Labels for the event-type codes this app writes; other apps' codes are shown humanised.
EVENT_TYPE_LABELS: dict[str, str] = {
    "case_opened": "Case opened",
    "plan_agreed": "Plan agreed",
    "closure_requested": "Closure requested",
    "closure_returned": "Closure returned",
    "case_closed": "Case closed",
    "risk_level": "Risk level",
    "plan_action_set": "Plan action set",
    "plan_action_completed": "Plan action completed",
    "review": "Case review",
    "strategy_discussion": "Strategy discussion",
    "strategy_clock_met": "Strategy deadline met",
    "involvement": "Agency involvement",
    "address": "Address",
}


def event_type_label(code: str) -> str:
    return EVENT_TYPE_LABELS.get(code) or code.replace("_", " ").capitalize()


@lru_cache(maxsize=4096)
def _at(day: date) -> datetime:
    """A date-only event placed at the start of its day, local time (cached: thousands of events
    fall on a few hundred days, and making a datetime aware is not free)."""
    return timezone.make_aware(datetime.combine(day, time.min))


def _person_name(first: str | None, last: str | None, username: str | None) -> str:
    """User.display_name() from fetched columns: the full name, else the username."""
    return f"{first or ''} {last or ''}".strip() or username or "Unknown"


def _user_columns(prefix: str) -> tuple[str, str, str]:
    return f"{prefix}__first_name", f"{prefix}__last_name", f"{prefix}__username"


def _who(row: dict, prefix: str) -> str:
    return _person_name(*(row[c] for c in _user_columns(prefix)))


@lru_cache(maxsize=4096)
def _d(day: date | None) -> str:
    return f"{day:%-d %B %Y}" if day else ""


# --- casework ---------------------------------------------------------------------------------
# Rows are fetched as dictionaries of the few columns an entry needs: a chronology of thousands
# of events would otherwise spend most of its time building model instances it never uses. Every
# kind of row comes in the same query (wrekin.core.together): the page has a query budget.


def casework_entries(person, user) -> list[ChronologyEntry]:
    # A case, and everything in it, is visible exactly when its child is (wrekin.access.casework);
    # the viewing page has already fetched the child through the policy, so this asks nothing.
    if not can_see_casework(user) or not is_person_visible(user, person.pk):
        return []
    through = StrategyDiscussion.attendee_agencies.through
    rows = fetch_together({
        "case": (Case.objects.filter(person=person), [
            "pk", "opened_at", "reason", "plan_agreed_on", "opened_by_agency__name",
            *_user_columns("lead_professional")]),
        "closure": (ClosureRequest.objects.filter(case__person=person), [
            "pk", "case_id", "reason", "requested_at", "requested_by_agency__name", *_user_columns("requested_by"),
            "decision", "decided_at", "decision_note", "decided_by_agency__name", *_user_columns("decided_by")]),
        "risk": (RiskLevel.objects.filter(case__person=person), [
            "pk", "case_id", "level", "rationale", "basis", "recorded_at", "recorded_by_agency__name",
            *_user_columns("recorded_by")]),
        "action": (PlanAction.objects.filter(case__person=person), [
            "pk", "case_id", "description", "due_on", "status", "completed_on", "completion_note", "created_at",
            "agency__name", *_user_columns("owner")]),
        "review": (CaseReview.objects.filter(case__person=person), [
            "pk", "case_id", "held_on", "summary", "next_review_due", "recorded_by_agency__name"]),
        # Every discussion has at least two clocks, so the clocks bring their discussions with them.
        "clock": (StrategyClock.objects.filter(discussion__case__person=person), [
            "pk", "kind", "due_on", "met_on", "discussion_id", "discussion__case_id", "discussion__held_on",
            "discussion__decision", "discussion__rationale", "discussion__recorded_by_agency__name"]),
        "attendee": (through.objects.filter(strategydiscussion__case__person=person),
                     ["strategydiscussion_id", "agency__name"]),
    })
    if not rows["case"]:
        return []
    url = {c["pk"]: reverse("casework:detail", args=[c["pk"]]) for c in rows["case"]}
    entries: list[ChronologyEntry] = []
    add = entries.append

    for case in rows["case"]:
        add(ChronologyEntry(
            occurred_at=case["opened_at"], event_type="case_opened", title="Case opened",
            agency_name=case["opened_by_agency__name"],
            summary=f"Lead professional: {_who(case, 'lead_professional')}.\n{case['reason']}",
            url=url[case["pk"]], source=f"casework.case:{case['pk']}",
        ))
        if case["plan_agreed_on"]:
            add(ChronologyEntry(
                occurred_at=_at(case["plan_agreed_on"]), event_type="plan_agreed", title="Safeguarding plan agreed",
                agency_name=case["opened_by_agency__name"], url=url[case["pk"]] + "#plan",
                source=f"casework.case:{case['pk']}:plan",
            ))

    for row in rows["closure"]:
        add(ChronologyEntry(
            occurred_at=row["requested_at"], event_type="closure_requested", title="Closure requested",
            agency_name=row["requested_by_agency__name"],
            summary=f"Asked for by {_who(row, 'requested_by')}.\n{row['reason']}",
            url=url[row["case_id"]] + "#closure", source=f"casework.closurerequest:{row['pk']}",
        ))
        if row["decision"] == ClosureDecision.PENDING:
            continue
        approved = row["decision"] == ClosureDecision.APPROVED
        note = f"\n{row['decision_note']}" if row["decision_note"] else ""
        add(ChronologyEntry(
            occurred_at=row["decided_at"], event_type="case_closed" if approved else "closure_returned",
            title="Case closed" if approved else "Closure request returned",
            agency_name=row["decided_by_agency__name"] or "",
            summary=f"{'Closure approved' if approved else 'Returned'} by {_who(row, 'decided_by')}.{note}",
            url=url[row["case_id"]] + ("" if approved else "#closure"),
            source=f"casework.closurerequest:{row['pk']}:decision",
        ))

    levels = dict(RiskLevelChoice.choices)
    for row in rows["risk"]:
        basis = f"\nBased on: {row['basis']}" if row["basis"] else ""
        add(ChronologyEntry(
            occurred_at=row["recorded_at"], event_type="risk_level",
            title=f"Risk level recorded: {levels.get(row['level'], row['level'])}",
            agency_name=row["recorded_by_agency__name"],
            summary=f"By {_who(row, 'recorded_by')}.\n{row['rationale']}{basis}",
            url=url[row["case_id"]] + "#risk", source=f"casework.risklevel:{row['pk']}",
        ))

    for row in rows["action"]:
        add(ChronologyEntry(
            occurred_at=row["created_at"], event_type="plan_action_set", title="Plan action set",
            agency_name=row["agency__name"],
            summary=f"{row['description']}\nOwner: {_who(row, 'owner')}; due {_d(row['due_on'])}.",
            url=url[row["case_id"]] + "#plan", source=f"casework.planaction:{row['pk']}",
        ))
        if row["status"] != PlanActionStatus.OPEN and row["completed_on"]:
            note = f"\n{row['completion_note']}" if row["completion_note"] else ""
            add(ChronologyEntry(
                occurred_at=_at(row["completed_on"]), event_type="plan_action_completed",
                title="Plan action done" if row["status"] == PlanActionStatus.DONE else "Plan action cancelled",
                agency_name=row["agency__name"], summary=f"{row['description']}{note}",
                url=url[row["case_id"]] + "#plan", source=f"casework.planaction:{row['pk']}:completed",
            ))

    for row in rows["review"]:
        add(ChronologyEntry(
            occurred_at=_at(row["held_on"]), event_type="review", title="Case review held",
            agency_name=row["recorded_by_agency__name"],
            summary=f"{row['summary']}\nNext review due {_d(row['next_review_due'])}.",
            url=url[row["case_id"]] + "#reviews", source=f"casework.casereview:{row['pk']}",
        ))

    attendees: dict[int, list[str]] = defaultdict(list)
    for row in rows["attendee"]:
        attendees[row["strategydiscussion_id"]].append(row["agency__name"])
    discussions = {row["discussion_id"]: row for row in rows["clock"]}
    decisions = dict(StrategyDecision.choices)
    for discussion_id, row in discussions.items():
        add(ChronologyEntry(
            occurred_at=_at(row["discussion__held_on"]), event_type="strategy_discussion",
            title=f"Strategy discussion: {decisions.get(row['discussion__decision'], '')}",
            agency_name=row["discussion__recorded_by_agency__name"],
            summary=f"{row['discussion__rationale']}\nAgencies: {', '.join(sorted(attendees[discussion_id]))}.",
            url=url[row["discussion__case_id"]] + "#strategy",
            source=f"casework.strategydiscussion:{discussion_id}",
        ))
    for row in rows["clock"]:
        if row["met_on"] is None:
            continue
        kind = row["kind"]
        on_time = row["met_on"] <= row["due_on"]
        add(ChronologyEntry(
            occurred_at=_at(row["met_on"]), event_type="strategy_clock_met",
            title="Follow-up strategy meeting held" if kind == ClockKind.FOLLOW_UP_MEETING else MET_VERB[kind],
            agency_name=row["discussion__recorded_by_agency__name"],
            summary=f"{ClockKind(kind).label}: due {_d(row['due_on'])}, {'met' if on_time else 'missed'}.",
            url=url[row["discussion__case_id"]] + "#strategy", source=f"casework.strategyclock:{row['pk']}",
        ))
    return entries


# --- people's own records ---------------------------------------------------------------------


def person_record_entries(person, user) -> list[ChronologyEntry]:
    """The agencies involved with the child and the child's addresses, in one query."""
    if not is_person_visible(user, person.pk):
        return []
    rows = fetch_together({
        "involvement": (Involvement.objects.filter(person=person), [
            "pk", "kind", "started_on", "ended_on", "summary", "agency__name"]),
        "address": (PersonAddress.objects.filter(person=person), [
            "pk", "line1", "line2", "town", "postcode", "valid_from", "valid_to", "created_at",
            "recorded_by_agency__name"]),
    })
    url = reverse("people:detail", args=[person.pk])
    kinds = dict(InvolvementKind.choices)
    entries = []
    for row in rows["involvement"]:
        ended = f"\nEnded {_d(row['ended_on'])}." if row["ended_on"] else ""
        summary = f"\n{row['summary']}" if row["summary"] else ""
        entries.append(ChronologyEntry(
            occurred_at=_at(row["started_on"]), event_type="involvement",
            title=f"{row['agency__name']} became involved", agency_name=row["agency__name"],
            summary=f"{kinds.get(row['kind'], row['kind'])}.{ended}{summary}",
            url=url, source=f"people.involvement:{row['pk']}",
        ))
    for row in rows["address"]:
        address = ", ".join(part for part in (row["line1"], row["line2"], row["town"], row["postcode"]) if part)
        period = f"From {_d(row['valid_from'])}" if row["valid_from"] else "Date moved in not known"
        if row["valid_to"]:
            period += f" to {_d(row['valid_to'])}"
        entries.append(ChronologyEntry(
            occurred_at=_at(row["valid_from"]) if row["valid_from"] else row["created_at"],
            event_type="address", title="Address recorded", agency_name=row["recorded_by_agency__name"],
            summary=f"{address}\n{period}.", url=url, source=f"people.personaddress:{row['pk']}",
        ))
    return entries


# --- exports ----------------------------------------------------------------------------------

CSV_COLUMNS = ["date", "time", "agency", "event_type", "event", "title", "summary", "source"]
# A cell starting with one of these is read as a formula by spreadsheet programs.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _csv_safe(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_START) else value


def _local(moment: datetime) -> datetime:
    return timezone.localtime(moment) if timezone.is_aware(moment) else moment


def has_time(moment: datetime) -> bool:
    local = _local(moment)
    return (local.hour, local.minute, local.second) != (0, 0, 0)


def render_csv(entries: list[ChronologyEntry]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for entry in entries:
        local = _local(entry.occurred_at)
        writer.writerow([_csv_safe(v) for v in (
            local.date().isoformat(), local.strftime("%H:%M") if has_time(entry.occurred_at) else "",
            entry.agency_name, entry.event_type, event_type_label(entry.event_type), entry.title,
            entry.summary, entry.source,
        )])
    return out.getvalue()


_PUNCTUATION = str.maketrans({
    "‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-", "…": "...", "•": "-", " ": " ",
})


def _latin1(text: str) -> str:
    """The PDF's built-in Helvetica covers Latin-1 only: map common punctuation, strip accents
    only where a letter has no Latin-1 form, and never fail on an unexpected character."""
    text = text.translate(_PUNCTUATION)
    try:
        text.encode("latin-1")
        return text
    except UnicodeEncodeError:
        pass
    out = []
    for char in text:
        try:
            char.encode("latin-1")
            out.append(char)
        except UnicodeEncodeError:
            base = unicodedata.normalize("NFKD", char).encode("latin-1", "ignore").decode("latin-1")
            out.append(base or "?")
    return "".join(out)


# Columns of the PDF table (A4 landscape, 277 mm between the margins).
PDF_COLUMNS = (("Date", 24), ("Agency", 42), ("Type", 32), ("Event", 55), ("Details", 124))
_PDF_FONT_PT = 8
_PDF_LINE_MM = 3.6
_PDF_PAD_MM = 1.2


class _Measure:
    """Text widths from the core font's metrics: fpdf2's own line breaking re-measures the line for
    every character, which takes seconds on a 2,000-event chronology; this is linear."""

    def __init__(self, pdf):
        self.widths = pdf.current_font.cw
        self.scale = _PDF_FONT_PT / 1000 / pdf.k  # font units to millimetres

    def __call__(self, text: str) -> float:
        widths = self.widths
        return sum(widths.get(char, 600) for char in text) * self.scale

    def wrap(self, text: str, width: float) -> list[str]:
        space = self(" ")
        lines: list[str] = []
        for paragraph in text.split("\n"):
            line, line_width = "", 0.0
            for word in paragraph.split(" "):
                word_width = self(word)
                while word_width > width:  # a word longer than the column: break it
                    cut = len(word)
                    while cut > 1 and self(word[:cut]) > width:
                        cut -= 1
                    if line:
                        lines.append(line)
                        line, line_width = "", 0.0
                    lines.append(word[:cut])
                    word = word[cut:]
                    word_width = self(word)
                if not line:
                    line, line_width = word, word_width
                elif line_width + space + word_width <= width:
                    line, line_width = f"{line} {word}", line_width + space + word_width
                else:
                    lines.append(line)
                    line, line_width = word, word_width
            lines.append(line)
        return lines


def render_pdf(*, person, entries: list[ChronologyEntry], filters: str, user, generated_at: datetime,
               service_name: str) -> bytes:
    from fpdf import FPDF

    generated = timezone.localtime(generated_at)
    marking = _latin1(f"OFFICIAL-SENSITIVE - {service_name} chronology for record {person.pk}")
    exported = _latin1(f"Exported by {user.display_name()} on {generated:%-d %B %Y at %H:%M}.")

    class ChronologyPDF(FPDF):
        def header(self):
            self.set_font("Helvetica", "B", 8)
            self.cell(0, 5, marking, align="L")
            self.ln(7)

        def footer(self):
            self.set_y(-12)
            self.set_font("Helvetica", "", 8)
            self.cell(0, 5, f"{exported} Page {self.page_no()} of {{nb}}", align="C")

    pdf = ChronologyPDF(orientation="L", unit="mm", format="A4")
    pdf.set_title(_latin1(f"Chronology {person.pk}"))
    pdf.set_author(_latin1(service_name))
    pdf.set_auto_page_break(auto=False)
    pdf.set_margins(10, 10, 10)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.cell(0, 10, _latin1(f"Chronology: {person.full_name}"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)
    born = f"Date of birth {_d(person.date_of_birth)}. " if person.date_of_birth else ""
    pdf.multi_cell(0, 5, _latin1(f"{born}{len(entries)} event{'s' if len(entries) != 1 else ''}. {filters}"),
                   new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    bottom = pdf.h - 15

    def table_header() -> None:
        pdf.set_font("Helvetica", "B", _PDF_FONT_PT)
        pdf.set_fill_color(230, 230, 230)
        x = pdf.l_margin
        for heading, width in PDF_COLUMNS:
            pdf.rect(x, pdf.y, width, _PDF_LINE_MM + 2 * _PDF_PAD_MM, style="DF")
            pdf.text(x + _PDF_PAD_MM, pdf.y + _PDF_PAD_MM + _PDF_LINE_MM * 0.75, heading)
            x += width
        pdf.set_y(pdf.y + _PDF_LINE_MM + 2 * _PDF_PAD_MM)
        pdf.set_font("Helvetica", "", _PDF_FONT_PT)

    if not entries:
        pdf.set_font("Helvetica", "", _PDF_FONT_PT + 2)
        pdf.cell(0, 6, "No events match these filters.")
        return bytes(pdf.output())

    table_header()
    measure = _Measure(pdf)
    # Lines that fit on a page below the headings.
    full_page = int((bottom - pdf.t_margin - 7 - 3 * _PDF_PAD_MM - _PDF_LINE_MM) // _PDF_LINE_MM) - 1
    for entry in entries:
        local = _local(entry.occurred_at)
        when = f"{local:%d/%m/%Y}" + (f" {local:%H:%M}" if has_time(entry.occurred_at) else "")
        texts = (when, entry.agency_name, event_type_label(entry.event_type), entry.title, entry.summary)
        cells = [measure.wrap(_latin1(text), width - 2 * _PDF_PAD_MM)
                 for text, (_, width) in zip(texts, PDF_COLUMNS, strict=True)]
        # A row that does not fit starts a new page; one taller than a whole page continues on the
        # next, under the headings again.
        while any(cells):
            room = int((bottom - pdf.y - 2 * _PDF_PAD_MM) // _PDF_LINE_MM)
            needed = max(len(lines) for lines in cells)
            if room < 2 or (needed > room and needed <= full_page):
                pdf.add_page()
                table_header()
                continue
            rows = min(room, max(len(lines) for lines in cells))
            height = rows * _PDF_LINE_MM + 2 * _PDF_PAD_MM
            x = pdf.l_margin
            for index, (_, width) in enumerate(PDF_COLUMNS):
                pdf.rect(x, pdf.y, width, height)
                for n, line in enumerate(cells[index][:rows]):
                    pdf.text(x + _PDF_PAD_MM, pdf.y + _PDF_PAD_MM + _PDF_LINE_MM * (n + 0.75), line)
                cells[index] = cells[index][rows:]
                x += width
            pdf.set_y(pdf.y + height)
    return bytes(pdf.output())
