"""The rules of referrals and screenings, as plain functions the forms, actions and API share.

- Sharing without consent needs a recorded reason.
- A screening's advisory score is computed from the answers and the instrument's weights,
  and always shown with its parts: which indicator contributed how much, and why.
- Override rules: a child under 13 on the screening date, a child with a learning
  disability, or a disclosure cannot be graded below the instrument's override floor
  (in the shipped instrument: not "low" and not "no risk identified").
- Reviews fall due a set number of months after the screening (the instrument says how many).
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from wrekin.referrals.models import (
    ConsentStatus,
    IndicatorAnswerValue,
    OverrideRule,
    ScreeningInstrument,
    TimeWindow,
)

UNDER_13_AGE = 13
CENTS = Decimal("0.01")


# --- Consent ----------------------------------------------------------------------------------

def consent_reason_required(consent_status: str) -> bool:
    """Information shared without consent (refused, or not sought) must say why."""
    return consent_status != ConsentStatus.GIVEN


CONSENT_REASON_MESSAGE = (
    "Explain why you are sharing without consent, for example that asking would put the child at greater risk"
)


# --- Answers ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Answer:
    """One indicator's answer, as the screening form or the API gives it."""

    indicator: str
    answer: str
    window: str = ""
    source_agency_id: int | None = None
    basis: str = ""
    note: str = ""

    @property
    def is_positive(self) -> bool:
        return self.answer in (IndicatorAnswerValue.PRESENT, IndicatorAnswerValue.POSSIBLE)

    @property
    def answer_label(self) -> str:
        return IndicatorAnswerValue(self.answer).label if self.answer in IndicatorAnswerValue.values else self.answer

    @property
    def window_label(self) -> str:
        return TimeWindow(self.window).label if self.window in TimeWindow.values else self.window


def answers_by_code(answers) -> dict[str, Answer]:
    """Accept a list of Answer, a mapping of code to Answer, or mappings of plain dicts (from the API)."""
    if isinstance(answers, Mapping):
        items = [(code, value) for code, value in answers.items()]
    else:
        items = [(getattr(a, "indicator", None) or a.get("indicator"), a) for a in answers]
    result: dict[str, Answer] = {}
    for code, value in items:
        if isinstance(value, Answer):
            result[code] = value
        else:
            source = value.get("source_agency_id", value.get("source_agency"))
            source_id = getattr(source, "pk", source)
            result[code] = Answer(indicator=code, answer=value.get("answer", ""), window=value.get("window") or "",
                                  source_agency_id=int(source_id) if source_id not in (None, "") else None,
                                  basis=value.get("basis") or "", note=value.get("note") or "")
    return result


def answer_problems(instrument: ScreeningInstrument, answers: Mapping[str, Answer]) -> dict[str, str]:
    """Per indicator code, what is wrong with its answer ('' keys are whole-screening problems)."""
    problems: dict[str, str] = {}
    unknown = sorted(set(answers) - set(instrument.indicator_map))
    if unknown:
        problems[""] = f"Not indicators of {instrument}: {', '.join(unknown)}"
    for indicator in instrument.indicators:
        answer = answers.get(indicator["code"])
        if answer is None or answer.answer not in IndicatorAnswerValue.values:
            problems[indicator["code"]] = f"Answer “{indicator['text']}”"
        elif answer.is_positive and not answer.window:
            problems[indicator["code"]] = f"Say when “{indicator['text']}” was seen"
        elif answer.is_positive and not answer.basis:
            problems[indicator["code"]] = f"Say whether “{indicator['text']}” rests on evidence or professional concern"
    return problems


# --- Advisory score ---------------------------------------------------------------------------

@dataclass(frozen=True)
class ScorePart:
    indicator: dict
    answer: Answer
    weight: Decimal
    answer_factor: Decimal
    window_factor: Decimal
    points: Decimal


@dataclass(frozen=True)
class AdvisoryScore:
    total: Decimal
    maximum: Decimal
    parts: list[ScorePart]  # only the indicators that contributed, largest first

    def parts_in_category(self, category: str) -> list[ScorePart]:
        return [part for part in self.parts if part.indicator["category"] == category]


def _decimal(value) -> Decimal:
    return Decimal(str(value))


def advisory_score(instrument: ScreeningInstrument, answers: Mapping[str, Answer]) -> AdvisoryScore:
    """Weight x answer factor x time-window factor, summed. Advisory: it never sets the grade."""
    scoring = instrument.definition["scoring"]
    parts: list[ScorePart] = []
    maximum = Decimal(0)
    best_answer = max(_decimal(v) for v in scoring["answers"].values())
    best_window = max(_decimal(v) for v in scoring["windows"].values())
    for indicator in instrument.indicators:
        weight = _decimal(indicator["weight"])
        maximum += weight * best_answer * best_window
        answer = answers.get(indicator["code"])
        if answer is None:
            continue
        answer_factor = _decimal(scoring["answers"].get(answer.answer, 0))
        window_factor = _decimal(scoring["windows"].get(answer.window, 1)) if answer.window else Decimal(1)
        points = (weight * answer_factor * window_factor).quantize(CENTS, rounding=ROUND_HALF_UP)
        if points:
            parts.append(ScorePart(indicator, answer, weight, answer_factor, window_factor, points))
    parts.sort(key=lambda p: (-p.points, instrument.indicators.index(p.indicator)))
    total = sum((p.points for p in parts), Decimal(0)).quantize(CENTS)
    return AdvisoryScore(total=total, maximum=maximum.quantize(CENTS, rounding=ROUND_HALF_UP), parts=parts)


# --- Override rules ---------------------------------------------------------------------------

def override_rules_applying(instrument: ScreeningInstrument, *, child, screened_on: date,
                            learning_disability: bool, answers: Mapping[str, Answer]) -> list[str]:
    """Codes of the override rules that apply, in a fixed order."""
    rules = []
    age = child.age_on(screened_on)
    if age is not None and age < UNDER_13_AGE:
        rules.append(OverrideRule.UNDER_13.value)
    if learning_disability:
        rules.append(OverrideRule.LEARNING_DISABILITY.value)
    for indicator in instrument.indicators:
        answer = answers.get(indicator["code"])
        if indicator["disclosure"] and answer is not None and answer.answer == IndicatorAnswerValue.PRESENT:
            rules.append(OverrideRule.DISCLOSURE.value)
            break
    return rules


_RULE_REASONS = {
    OverrideRule.UNDER_13: "was under 13 on the screening date",
    OverrideRule.LEARNING_DISABILITY: "has a learning disability",
    OverrideRule.DISCLOSURE: "has made a disclosure",
}


def override_problem(instrument: ScreeningInstrument, grade: str, rules: list[str]) -> str:
    """The error to show when a grade is below the floor that the applying rules set; '' if allowed."""
    if not rules or grade not in [g["code"] for g in instrument.grades]:
        return ""
    if instrument.grade_rank(grade) >= instrument.grade_rank(instrument.override_floor):
        return ""
    reasons = " and ".join(_RULE_REASONS[OverrideRule(code)] for code in rules)
    forbidden = " or ".join(f"“{g['label']}”" for g in instrument.grades_below_floor())
    floor = instrument.grade_rank(instrument.override_floor)
    allowed = " or ".join(f"“{g['label']}”" for g in instrument.grades[floor:])
    return f"The child {reasons}, so the grade cannot be {forbidden}: choose {allowed}"


# --- Review dates -----------------------------------------------------------------------------

def add_months(day: date, months: int) -> date:
    """The same day `months` later, or the last day of that month if it is shorter (31 Jan + 1 = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def default_review_date(instrument: ScreeningInstrument, completed_on: date) -> date:
    return add_months(completed_on, instrument.review_months)
