"""Every change to referrals and screenings: permission, change and audit event in one transaction.

The pages call these, and so will the API and imports, unchanged. Rule breaches raise
django.core.exceptions.ValidationError with a message per field name (the names below are
the keyword arguments), a forbidden role raises PermissionDenied, and a record the actor may
not see raises Http404 — exactly as if it did not exist.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from wrekin.access.policy import get_person_for_user
from wrekin.access.referrals import (
    can_approve_screenings,
    can_refer,
    can_screen,
    can_triage,
    get_referral_for_triage,
    get_referral_for_user,
    get_screening_for_user,
)
from wrekin.accounts.models import Agency
from wrekin.audit.actions import record_event
from wrekin.intelligence.extraction import CONFIRMED, REJECTED, extract
from wrekin.intelligence.gazetteer import gazetteer_for_user
from wrekin.intelligence.linking import record_mentions
from wrekin.people.actions import record_person
from wrekin.people.models import Involvement, InvolvementKind, Person, PersonKind
from wrekin.referrals import rules
from wrekin.referrals.instrument_files import (
    InstrumentFile,
    InstrumentFileError,
    current_instrument_code,
    discover_files,
    read_instrument_file,
)
from wrekin.referrals.mentions import KNOWN_NAME_TYPES, normalise_mention, suggestion_mention
from wrekin.referrals.models import (
    ConsentStatus,
    LawfulBasis,
    MentionKind,
    Referral,
    ReferralMention,
    ReferralStatus,
    RescreeningFlag,
    Screening,
    ScreeningAnswer,
    ScreeningInstrument,
    ScreeningStatus,
    SpecialCategoryCondition,
    TriageDecision,
    TriageOutcome,
)

MENTION_LIMITS = {"value": 200, "relationship": 200, "detail": 500}


# --- Screening instruments --------------------------------------------------------------------

@dataclass(frozen=True)
class InstrumentLoad:
    code: str
    version: int
    source: str
    outcome: str  # "loaded", "unchanged" or "replaced"


def current_instrument(code: str | None = None) -> ScreeningInstrument:
    """The highest loaded version of the configured instrument (or of `code`)."""
    code = code or current_instrument_code()
    instrument = ScreeningInstrument.objects.filter(code=code).order_by("-version").first()
    if instrument is None:
        raise ScreeningInstrument.DoesNotExist(
            f"No version of the screening instrument {code!r} is loaded: run `wrekin load_instruments`")
    return instrument


def load_instruments(*, actor=None, paths: Iterable[Path] | None = None) -> list[InstrumentLoad]:
    """Store every instrument file's version; all or nothing.

    A new (code, version) is stored. A file identical in content to the stored version changes
    nothing. A *changed* file with a stored version's number replaces it only while no referral
    or screening has used that version; once used, a version is immutable and the load is refused
    with InstrumentFileError, so an old screening always shows exactly what the screener saw.
    """
    files = [read_instrument_file(Path(p)) for p in (paths if paths is not None else discover_files())]
    unique: dict[tuple[str, int], InstrumentFile] = {}
    for file in files:
        key = (file.code, file.version)
        other = unique.get(key)
        if other is not None and other.definition != file.definition:
            raise InstrumentFileError(
                f"{other.path} and {file.path} both define {file.code} version {file.version}, differently: "
                "give one of them a new version number")
        unique.setdefault(key, file)

    results = []
    with transaction.atomic():
        for (code, version), file in sorted(unique.items()):
            stored = ScreeningInstrument.objects.select_for_update().filter(code=code, version=version).first()
            details = {"code": code, "version": version, "sha256": file.sha256,
                       "indicators": len(file.definition["indicators"])}
            if stored is None:
                stored = ScreeningInstrument.objects.create(
                    code=code, version=version, title=file.definition["title"], definition=file.definition,
                    sha256=file.sha256, source_name=file.path.name)
                record_event("instrument.loaded", actor=actor, target=stored, details=details)
                outcome = "loaded"
            elif stored.sha256 == file.sha256 or stored.definition == file.definition:
                # Same content (perhaps with different comments or layout): nothing to do.
                outcome = "unchanged"
            elif stored.is_used():
                raise InstrumentFileError(
                    f"{file.path}: {code} version {version} has already been used by referrals or screenings, "
                    f"so it cannot be changed. The file differs from the version loaded from "
                    f"{stored.source_name} (sha256 {stored.sha256[:12]}…). Save your changes as version "
                    f"{version + 1} instead, and restore the original version {version} file.")
            else:
                stored.title = file.definition["title"]
                stored.definition = file.definition
                stored.sha256 = file.sha256
                stored.source_name = file.path.name
                stored.save()
                record_event("instrument.replaced", actor=actor, target=stored, details=details)
                outcome = "replaced"
            results.append(InstrumentLoad(code, version, str(file.path), outcome))
    return results


# --- Involvement ------------------------------------------------------------------------------

def _ensure_working_with(*, actor, person: Person, agency: Agency, summary: str, today: date, via: str) -> None:
    """Make `agency` part of the child's work (so its staff can see the child), unless it already is."""
    if Involvement.objects.filter(person=person, agency=agency, kind=InvolvementKind.WORKING_WITH,
                                  ended_on__isnull=True).exists():
        return
    involvement = Involvement.objects.create(
        person=person, agency=agency, kind=InvolvementKind.WORKING_WITH, started_on=today, summary=summary,
        worker=actor if actor.agency == agency else None)
    record_event("person.involvement_added", actor=actor, person=person, target=involvement,
                 details={"kind": InvolvementKind.WORKING_WITH, "agency": agency.pk, "via": via})


# --- Referrals --------------------------------------------------------------------------------

def _child_for(actor, child) -> Person:
    person = get_person_for_user(actor, getattr(child, "pk", child))
    if person.kind != PersonKind.CHILD:
        raise ValidationError({"child": "A referral is about a child or young person: this person is recorded as "
                                        f"{person.get_kind_display().lower()}"})
    return person


def _clean_mentions(mentions: Iterable[Mapping]) -> list[dict]:
    cleaned = []
    for n, mention in enumerate(mentions, start=1):
        kind = mention.get("kind", "")
        value = (mention.get("value") or "").strip()
        if kind not in MentionKind.values:
            raise ValidationError({"mentions": f"Mention {n}: choose what kind of thing is mentioned"})
        if not value:
            raise ValidationError({"mentions": f"Mention {n}: enter what was mentioned"})
        row = {"kind": kind, "value": value,
               "relationship": (mention.get("relationship") or "").strip(),
               "detail": (mention.get("detail") or "").strip()}
        for field, limit in MENTION_LIMITS.items():
            if len(row[field]) > limit:
                raise ValidationError({"mentions": f"Mention {n}: the {field} must be {limit} characters or fewer"})
        row["normalised"] = normalise_mention(kind, value)
        cleaned.append(row)
    return cleaned


def _decided_suggestions(narrative: str, decisions: Mapping[tuple[str, str], str] | None, *, gazetteer,
                         today: date) -> tuple[list, list]:
    """The suggestions in the narrative the referrer confirmed, and those they rejected.

    Extracted here from the narrative as saved, with the names the referrer may see: the same
    suggestions the form showed them, and what record_mentions will find. The posted decisions
    are keys (type, normalised), never data.
    """
    if not decisions:
        return [], []
    found = extract(narrative, gazetteer, today=today)
    confirmed = [f for f in found if decisions.get((f.type, f.normalised)) == CONFIRMED]
    rejected = [f for f in found if decisions.get((f.type, f.normalised)) == REJECTED]
    return confirmed, rejected


def _suggested_rows(confirmed: list, *, typed: list[dict]) -> list[tuple[object, dict]]:
    """A referral mention row for each confirmed suggestion the referrer has not also typed in."""
    seen = {(row["kind"], row["normalised"]) for row in typed}
    rows = []
    for found in confirmed:
        [row] = _clean_mentions([suggestion_mention(found)])
        if (row["kind"], row["normalised"]) not in seen:
            seen.add((row["kind"], row["normalised"]))
            rows.append((found, row))
    return rows


def _clean_referral(*, instrument: ScreeningInstrument, occurred_on: date, narrative: str, indicators,
                    lawful_basis: str, special_category_condition: str, consent_status: str,
                    consent_reason: str, today: date) -> tuple[list[str], str, str]:
    errors: dict[str, str] = {}
    if occurred_on is None:
        errors["occurred_on"] = "Enter the date it happened"
    elif occurred_on > today:
        errors["occurred_on"] = "The date it happened must be today or in the past"
    narrative = (narrative or "").strip()
    if not narrative:
        errors["narrative"] = "Describe what happened"
    unknown = [code for code in indicators if code not in instrument.indicator_map]
    if unknown:
        errors["indicators"] = f"Not indicators of {instrument}: {', '.join(sorted(unknown))}"
    if lawful_basis not in LawfulBasis.values:
        errors["lawful_basis"] = "Choose the lawful basis for sharing"
    if special_category_condition not in SpecialCategoryCondition.values:
        errors["special_category_condition"] = "Choose the condition for sharing special category information"
    consent_reason = (consent_reason or "").strip()
    if consent_status not in ConsentStatus.values:
        errors["consent_status"] = "Say whether the child or family consented to sharing"
    elif rules.consent_reason_required(consent_status) and not consent_reason:
        errors["consent_reason"] = rules.CONSENT_REASON_MESSAGE
    if errors:
        raise ValidationError(errors)
    ticked = set(indicators)
    # Stored in the instrument's order, once each.
    return [i["code"] for i in instrument.indicators if i["code"] in ticked], narrative, consent_reason


def record_referral(
    *,
    actor,
    child,
    occurred_on: date,
    narrative: str,
    indicators: Iterable[str],
    mentions: Iterable[Mapping],
    lawful_basis: str,
    consent_status: str,
    consent_reason: str = "",
    special_category_condition: str = SpecialCategoryCondition.SAFEGUARDING,
    suggestion_decisions: Mapping[tuple[str, str], str] | None = None,
    today: date | None = None,
) -> Referral:
    """Record a concern about a child the actor can see; it joins the partnership's triage queue.

    `child` is a Person or its id. `indicators` are codes of the current instrument version.
    `mentions` are mappings with kind, value, relationship and detail. The actor's agency
    becomes involved with the child, and a child who already has a completed screening is
    flagged for re-screening.

    `suggestion_decisions` are what the referrer said about the things Wrekin suggested from the
    narrative while they wrote it: (type, normalised) -> "confirm" or "reject", as the form posts
    them. The narrative is read again here, so a decision can only apply to something really in
    it. A confirmed suggestion becomes one of the referral's mentions, and a confirmed mention of
    the entity; a rejected one is not recorded at all, so it is never linked; the rest are recorded
    as unconfirmed mentions, as for any narrative.
    """
    if not can_refer(actor):
        raise PermissionDenied("Your role cannot make referrals")
    today = today or timezone.localdate()
    with transaction.atomic():
        person = _child_for(actor, child)
        instrument = current_instrument()
        codes, narrative, consent_reason = _clean_referral(
            instrument=instrument, occurred_on=occurred_on, narrative=narrative, indicators=list(indicators),
            lawful_basis=lawful_basis, special_category_condition=special_category_condition,
            consent_status=consent_status, consent_reason=consent_reason, today=today)
        mention_rows = _clean_mentions(mentions)
        gazetteer = gazetteer_for_user(actor)
        confirmed, rejected = _decided_suggestions(narrative, suggestion_decisions, gazetteer=gazetteer, today=today)
        suggested_rows = _suggested_rows(confirmed, typed=mention_rows)
        agency = actor.agency
        referral = Referral.objects.create(
            partnership=agency.partnership, child=person, referring_agency=agency, referred_by=actor,
            occurred_on=occurred_on, narrative=narrative, instrument=instrument, indicators=codes,
            lawful_basis=lawful_basis, special_category_condition=special_category_condition,
            consent_status=consent_status, consent_reason=consent_reason if rules.consent_reason_required(
                consent_status) else "")
        ReferralMention.objects.bulk_create(ReferralMention(referral=referral, **row)
                                            for row in mention_rows + [row for _, row in suggested_rows])
        record_event("referral.recorded", actor=actor, person=person, target=referral, details={
            "instrument": instrument.code, "version": instrument.version, "indicators": codes,
            "mentions": len(mention_rows) + len(suggested_rows), "lawful_basis": lawful_basis,
            "consent": consent_status, "suggestions": {"confirmed": len(confirmed), "rejected": len(rejected)},
        })
        _ensure_working_with(actor=actor, person=person, agency=agency, today=today, via="referral",
                             summary="Made a referral")
        # Entities: the mentions typed in (confirmed) and what the narrative mentions (unconfirmed), then the
        # link check, which raises or updates link alerts. ReferralMention keeps every mention as typed, so
        # one that names nothing linkable ("a phone, number not known") is kept there and skipped here.
        # A confirmed plate, phone, postcode, e-mail or handle keys the same way typed or found, so it is
        # recorded as typed (and the narrative's copy is not recorded twice). A confirmed known name is
        # recorded as found, which keeps the person of concern or premises the gazetteer tied it to.
        # Rejected suggestions are not recorded.
        structured = mention_rows + [row for found, row in suggested_rows if found.type not in KNOWN_NAME_TYPES]
        record_mentions(
            actor=actor, source=referral, child=person, structured=structured, gazetteer=gazetteer,
            narrative=narrative, decisions=suggestion_decisions, source_title=f"Referral from {agency.name}",
            today=today, strict=False)
        if Screening.objects.filter(child=person, status__in=(ScreeningStatus.APPROVED,
                                                              ScreeningStatus.AWAITING_APPROVAL)).exists():
            flag = RescreeningFlag.objects.create(child=person, referral=referral, raised_at=timezone.now())
            record_event("screening.rescreening_flagged", actor=actor, person=person, target=flag,
                         details={"referral": referral.pk})
    return referral


def record_child_and_referral(*, actor, child_details: dict, **referral) -> Referral:
    """Record a child the referrer cannot find (or cannot yet see) and the referral about them, together.

    Nothing is half-done: if the referral is refused, the child is not recorded either.
    """
    if not can_refer(actor):
        raise PermissionDenied("Your role cannot make referrals")
    with transaction.atomic():
        person = record_person(actor=actor, details={**child_details, "kind": PersonKind.CHILD},
                               involvement_kind=InvolvementKind.WORKING_WITH, summary="Made a referral")
        return record_referral(actor=actor, child=person, **referral)


def triage_referral(*, actor, referral_id: int, outcome: str, reason: str = "",
                    passed_to_agency: Agency | int | None = None, today: date | None = None) -> TriageDecision:
    """Decide what happens to a referral in the triage queue. The decision is final and audited.

    - screen: the triager's agency becomes involved with the child, so its staff (and managers
      who approve screenings) can see the child;
    - no_further_action: a reason is required;
    - pass_on: a reason and another agency of the partnership are required; that agency becomes
      involved with the child.
    """
    if not can_triage(actor):
        raise PermissionDenied("Only exploitation coordinators and children's social care managers triage referrals")
    today = today or timezone.localdate()
    reason = (reason or "").strip()
    with transaction.atomic():
        referral = get_referral_for_triage(actor, referral_id)
        referral = Referral.objects.select_for_update().get(pk=referral.pk)
        errors: dict[str, str] = {}
        if referral.status != ReferralStatus.AWAITING_TRIAGE:
            raise ValidationError({"outcome": "This referral has already been triaged"})
        if outcome not in TriageOutcome.values:
            errors["outcome"] = "Choose what happens next"
        if outcome in (TriageOutcome.NO_FURTHER_ACTION, TriageOutcome.PASS_ON) and not reason:
            errors["reason"] = ("Explain why no further action is needed" if outcome == TriageOutcome.NO_FURTHER_ACTION
                                else "Explain why the referral is passed to that agency")
        target = None
        if outcome == TriageOutcome.PASS_ON:
            target_id = getattr(passed_to_agency, "pk", passed_to_agency)
            target = Agency.objects.filter(pk=target_id, partnership_id=referral.partnership_id,
                                           is_active=True).first() if target_id else None
            if target is None:
                errors["passed_to_agency"] = "Choose the agency to pass the referral to"
            elif target == actor.agency:
                errors["passed_to_agency"] = "Choose an agency other than your own"
        if errors:
            raise ValidationError(errors)
        decision = TriageDecision.objects.create(
            referral=referral, outcome=outcome, reason=reason, passed_to_agency=target, decided_by=actor,
            agency=actor.agency, decided_at=timezone.now())
        referral.status = {TriageOutcome.SCREEN: ReferralStatus.SCREENING,
                           TriageOutcome.NO_FURTHER_ACTION: ReferralStatus.NO_FURTHER_ACTION,
                           TriageOutcome.PASS_ON: ReferralStatus.PASSED_ON}[outcome]
        referral.save(update_fields=["status"])
        record_event("referral.triaged", actor=actor, person=referral.child, target=referral,
                     details={"outcome": outcome, "passed_to_agency": target.pk if target else None})
        if outcome == TriageOutcome.SCREEN:
            _ensure_working_with(actor=actor, person=referral.child, agency=actor.agency, today=today,
                                 via="triage", summary="Referral triaged for screening")
        elif target is not None:
            _ensure_working_with(actor=actor, person=referral.child, agency=target, today=today,
                                 via="triage", summary=f"Referral passed on by {actor.agency.name}")
    return decision


# --- Screenings -------------------------------------------------------------------------------

def record_screening(
    *,
    actor,
    child,
    answers,
    grade: str,
    rationale: str,
    learning_disability: bool = False,
    referral: Referral | int | None = None,
    revises: Screening | int | None = None,
    review_on: date | None = None,
    today: date | None = None,
) -> Screening:
    """Submit a screening of a child for a manager's approval.

    `answers` holds one answer per indicator of the current instrument version: a list of
    rules.Answer, or a mapping of indicator code to Answer or to a dict with answer, window,
    source_agency_id, basis and note. The grade is the screener's judgement and needs a
    rationale; the override rules refuse grades below the instrument's floor for a child under
    13 on `today`, with a learning disability, or who has made a disclosure.
    """
    if not can_screen(actor):
        raise PermissionDenied("Your role cannot screen children")
    today = today or timezone.localdate()
    with transaction.atomic():
        person = _child_for(actor, child)
        instrument = current_instrument()
        by_code = rules.answers_by_code(answers)
        errors: dict[str, str] = {}
        problems = rules.answer_problems(instrument, by_code)
        if problems:
            errors["answers"] = "; ".join(problems.values())
        agencies = set(Agency.objects.filter(partnership_id=person.partnership_id).values_list("pk", flat=True))
        if any(a.source_agency_id is not None and a.source_agency_id not in agencies for a in by_code.values()):
            errors["answers"] = "A source agency is not part of this partnership"
        if grade not in [g["code"] for g in instrument.grades]:
            errors["grade"] = "Choose a grade"
        rationale = (rationale or "").strip()
        if not rationale:
            errors["rationale"] = "Explain your judgement: the grade needs a written rationale"
        override = rules.override_rules_applying(instrument, child=person, screened_on=today,
                                                 learning_disability=learning_disability, answers=by_code)
        if "grade" not in errors and (problem := rules.override_problem(instrument, grade, override)):
            errors["grade"] = problem
        if review_on is not None and review_on <= today:
            errors["review_on"] = "The review date must be after today"
        referral_obj = None
        if referral is not None:
            referral_obj = get_referral_for_user(actor, getattr(referral, "pk", referral))
            if referral_obj.child_id != person.pk:
                errors["referral"] = "That referral is about another child"
        revises_obj = None
        if revises is not None:
            revises_obj = get_screening_for_user(actor, getattr(revises, "pk", revises))
            if revises_obj.child_id != person.pk or revises_obj.status != ScreeningStatus.RETURNED:
                errors["revises"] = "Only a returned screening of this child can be revised"
        if errors:
            raise ValidationError(errors)

        score = rules.advisory_score(instrument, by_code)
        screening = Screening.objects.create(
            partnership=person.partnership, child=person, referral=referral_obj, revises=revises_obj,
            instrument=instrument, agency=actor.agency, screened_by=actor, screened_on=today,
            learning_disability=learning_disability, grade=grade, rationale=rationale,
            advisory_score=score.total, override_rules=override,
            review_on=review_on or rules.default_review_date(instrument, today),
            submitted_at=timezone.now())
        ScreeningAnswer.objects.bulk_create(
            ScreeningAnswer(screening=screening, indicator=indicator["code"], answer=a.answer,
                            window=a.window if a.is_positive else "", basis=a.basis if a.is_positive else "",
                            source_agency_id=a.source_agency_id, note=a.note.strip())
            for indicator in instrument.indicators
            for a in [by_code[indicator["code"]]])
        record_event("screening.submitted", actor=actor, person=person, target=screening, details={
            "instrument": instrument.code, "version": instrument.version, "grade": grade,
            "advisory_score": str(score.total), "override_rules": override,
            "present": sum(1 for a in by_code.values() if a.answer == "present"),
            "referral": referral_obj.pk if referral_obj else None,
            "revises": revises_obj.pk if revises_obj else None,
        })
        resolved = RescreeningFlag.objects.filter(child=person, resolved_by__isnull=True).update(
            resolved_by=screening, resolved_at=timezone.now())
        if resolved:
            record_event("screening.rescreening_resolved", actor=actor, person=person, target=screening,
                         details={"flags": resolved})
        _ensure_working_with(actor=actor, person=person, agency=actor.agency, today=today, via="screening",
                             summary="Screened for exploitation")
    return screening


def _screening_to_decide(actor, screening_id: int) -> Screening:
    if not can_approve_screenings(actor):
        raise PermissionDenied("Only managers approve screenings")
    screening = get_screening_for_user(actor, screening_id)
    screening = Screening.objects.select_for_update().select_related("child", "instrument").get(pk=screening.pk)
    if screening.status != ScreeningStatus.AWAITING_APPROVAL:
        raise ValidationError({"decision": "This screening has already been decided"})
    if screening.screened_by_id == actor.pk:
        raise ValidationError({"decision": "You completed this screening, so another manager must approve it"})
    return screening


def approve_screening(*, actor, screening_id: int) -> Screening:
    with transaction.atomic():
        screening = _screening_to_decide(actor, screening_id)
        screening.status = ScreeningStatus.APPROVED
        screening.decided_by = actor
        screening.decided_at = timezone.now()
        screening.save(update_fields=["status", "decided_by", "decided_at"])
        record_event("screening.approved", actor=actor, person=screening.child, target=screening,
                     details={"grade": screening.grade})
    return screening


def return_screening(*, actor, screening_id: int, reason: str) -> Screening:
    reason = (reason or "").strip()
    with transaction.atomic():
        screening = _screening_to_decide(actor, screening_id)
        if not reason:
            raise ValidationError({"reason": "Explain what needs to change before you can approve it"})
        screening.status = ScreeningStatus.RETURNED
        screening.decided_by = actor
        screening.decided_at = timezone.now()
        screening.decision_reason = reason
        screening.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
        record_event("screening.returned", actor=actor, person=screening.child, target=screening,
                     details={"grade": screening.grade})
    return screening
