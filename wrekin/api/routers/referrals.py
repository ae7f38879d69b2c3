"""POST /referrals: a partner system records a concern about a child, as its token's user.

The child is found among the children the user can see, or recorded. Attaching a
referral to the wrong child puts one child's history on another's file (DOMAIN:
false merges are worse than missed links), so a child is matched automatically
only when it is unmistakable:
- the same date of birth, and a search score of at least 0.9 -- or, when the partnership has a trained linkage
  model, a match probability of at least WREKIN_LINK_AUTO (0.95, the automatic-link threshold of imports)
  with nothing the linkage guard says makes them two people;
- the same given name (or the name they are known by, or a recorded alias), exactly:
  twins share everything else, and their names are often forms of each other
  (Ella and Ellie) or sound alike (Aidan and Aiden);
- no conflicting sex;
- exactly one child qualifies.
Otherwise the child is recorded afresh, and linkage review joins the records later
if they are one child. A partner that already knows the child sends `child.id`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

from django.db import transaction
from ninja import Router, Schema
from ninja.responses import Status
from pydantic import Field, field_validator

from wrekin.access.policy import get_person_for_user, people_visible_to
from wrekin.api.auth import scoped
from wrekin.api.errors import FieldErrors
from wrekin.api.schemas import AUTH_RESPONSES, BODY_RESPONSES, Problem
from wrekin.api.types import BirthDate, PastDate, RecordId, StrictIn
from wrekin.audit.actions import record_event
from wrekin.intelligence.gazetteer import gazetteer_for_user
from wrekin.intelligence.linking import extract_entities
from wrekin.linkage.scoring import thresholds
from wrekin.people.actions import add_person_address
from wrekin.people.identifiers import parse_postcode
from wrekin.people.models import Person, PersonKind
from wrekin.people.names import normalise_name
from wrekin.people.search import partnership_id_of, search_people
from wrekin.referrals import actions as referral_actions
from wrekin.referrals.models import (
    ConsentStatus,
    LawfulBasis,
    MentionKind,
    Referral,
    ScreeningInstrument,
    SpecialCategoryCondition,
)

router = Router(tags=["referrals"])

CONFIDENT_SCORE = 0.9
NARRATIVE_MAX = 50_000
REASON_MAX = 5_000
MAX_INDICATORS = 200
MAX_MENTIONS = 100


class ChildIn(StrictIn):
    id: RecordId | None = Field(None, description="A child already known to the user (from a search). "
                                                   "When given, the other fields are not used.")
    given_name: str = Field("", max_length=100)
    family_name: str = Field("", max_length=100, description="Empty if not known")
    date_of_birth: BirthDate | None = Field(None, description="YYYY-MM-DD; needed for an automatic match")
    sex: Literal["F", "M", "U"] | None = Field(None, description="F, M or U (not known)")
    postcode: str | None = Field(None, max_length=10, description="Where the child lives, e.g. TF1 2AB")

    @field_validator("given_name", "family_name")
    @classmethod
    def _strip(cls, value: str) -> str:
        return value.strip()

    @field_validator("postcode")
    @classmethod
    def _postcode(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        postcode = parse_postcode(value)
        if postcode is None:
            raise ValueError("Enter a real UK postcode, like TF1 2AB")
        return postcode


class MentionIn(StrictIn):
    kind: MentionKind = Field(description="person, vehicle, phone, place, business or online")
    value: str = Field(min_length=1, max_length=200, description="As given, e.g. a partial plate")
    relationship: str = Field("", max_length=200, description='For example "child was picked up in"')
    detail: str = Field("", max_length=500)


class ReferralIn(StrictIn):
    child: ChildIn
    occurred_on: PastDate = Field(description="When it happened or was first seen (YYYY-MM-DD)")
    narrative: str = Field(min_length=1, max_length=NARRATIVE_MAX, description="What happened: factual")
    indicators: list[str] = Field(default_factory=list, max_length=MAX_INDICATORS,
                                  description="Indicator codes of the current screening instrument")
    mentions: list[MentionIn] = Field(default_factory=list, max_length=MAX_MENTIONS)
    lawful_basis: LawfulBasis = Field(description="UK GDPR Article 6 basis for sharing")
    special_category_condition: SpecialCategoryCondition = SpecialCategoryCondition.SAFEGUARDING
    consent_status: ConsentStatus = Field(description="given, refused or not_sought")
    consent_reason: str = Field("", max_length=REASON_MAX,
                                description="Why it is shared without consent (required unless given)")


class ChildMatchOut(Schema):
    outcome: Literal["given", "matched", "recorded"] = Field(
        description="given: the child id sent was used; matched: an existing child was found; "
                    "recorded: a new child was recorded")
    score: float | None = None
    reasons: list[str] = Field(default_factory=list, description="Why the child matched, or why not")
    possible_matches: list[int] = Field(
        default_factory=list,
        description="Children the user can see who might be the same child, for someone to check")


class InstrumentOut(Schema):
    code: str
    version: int


class ExtractedOut(Schema):
    type: str = Field(description="vehicle, phone, postcode, email, handle, person, location or business")
    value: str = Field(description="Exactly as it appears in the narrative")
    normalised: str = Field(description="The form records are linked on, e.g. AB12CDE, +447700900123, TF1 2AB")
    span: list[int] = Field(description="[start, end) character offsets of `value` in the narrative")


class ReferralOut(Schema):
    id: int
    child_id: int
    child_match: ChildMatchOut
    status: str
    occurred_on: date
    referring_agency: str
    instrument: InstrumentOut
    indicators: list[str]
    mentions: int
    extracted: list[ExtractedOut] = Field(
        default_factory=list,
        description="What the narrative mentions, found by the machine and recorded as unconfirmed mentions "
                    "for a person to confirm")
    created_at: datetime


@dataclass
class ChildMatch:
    outcome: str
    person: Person | None = None
    score: float | None = None
    reasons: list[str] = field(default_factory=list)
    possible: list[int] = field(default_factory=list)


def _names_of(person: Person) -> set[str]:
    names = {normalise_name(person.given_name), normalise_name(person.known_as)}
    names |= {normalise_name(n.given_name) for n in person.other_names.all()}
    return names - {""}


def find_child(user, child: ChildIn) -> ChildMatch:
    """The one visible child this unmistakably is, or why there is none (see the module docstring)."""
    if child.date_of_birth is None:
        return ChildMatch("recorded", reasons=["no date of birth given, so no automatic match"])
    text = f"{child.given_name} {child.family_name} {child.date_of_birth.isoformat()}"
    children = people_visible_to(user).filter(kind=PersonKind.CHILD)
    matches = search_people(children, text, limit=10, partnership_id=partnership_id_of(user))
    auto_link, _review = thresholds()
    given = normalise_name(child.given_name)
    possible, confident = [], []
    for match in matches:
        person = match.person
        # The model's probability is held to the bar imports link automatically at; the search's score to its own.
        confident_at = auto_link if match.scorer == "model" else CONFIDENT_SCORE
        if person.date_of_birth != child.date_of_birth or match.score < confident_at:
            continue
        possible.append(person.pk)
        sex_conflicts = bool(child.sex and person.sex and "U" not in (child.sex, person.sex)
                             and child.sex != person.sex)
        if given in _names_of(person) and not sex_conflicts and not match.conflict:
            confident.append(match)
    if len(confident) == 1:
        match = confident[0]
        return ChildMatch("matched", person=match.person, score=match.score, reasons=match.reasons)
    if len(confident) > 1:
        return ChildMatch("recorded", possible=possible,
                          reasons=["more than one child matched, so none was chosen"])
    if possible:
        return ChildMatch("recorded", possible=possible,
                          reasons=["a child with the same date of birth has a different given name or sex"])
    return ChildMatch("recorded", reasons=["no child the user can see matched"])


@router.post("/referrals", **scoped("referrals:write"), url_name="referral_create",
             response={201: ReferralOut, 404: Problem, 503: Problem, **BODY_RESPONSES, **AUTH_RESPONSES},
             summary="Record a referral about a child")
def referral_create(request, payload: ReferralIn):
    """Record a concern about a child as the token's user, for the partnership's triage queue.

    Scope `referrals:write`. The referring agency is the user's. The child is `child.id` (a child the
    user can see; otherwise 404), or found or recorded from the child's details — `child_match` says
    which, and why. Audited as `referral.recorded` (and `person.created` for a new child,
    `api.referral_child_matched` when an existing child was matched). `extracted` lists what the
    narrative mentions (registration marks, phones, postcodes, e-mail addresses, handles, and the names
    of persons of concern the user may see and of places the partnership knows): each is recorded as
    an unconfirmed mention and takes part in the link check, like the `mentions` sent.
    """
    user = request.user
    child_in = payload.child
    if child_in.id is None and not child_in.given_name:
        raise FieldErrors([{"loc": ["body", "child", "given_name"], "type": "missing",
                            "msg": "Enter the child's given name, or the id of a child you can see"}])
    referral_fields = {
        "occurred_on": payload.occurred_on, "narrative": payload.narrative, "indicators": payload.indicators,
        "mentions": [m.model_dump() for m in payload.mentions], "lawful_basis": payload.lawful_basis,
        "special_category_condition": payload.special_category_condition,
        "consent_status": payload.consent_status, "consent_reason": payload.consent_reason,
    }
    try:
        with transaction.atomic():
            if child_in.id is not None:
                match = ChildMatch("given", person=get_person_for_user(user, child_in.id))
            else:
                match = find_child(user, child_in)
            if match.person is not None:
                referral = referral_actions.record_referral(actor=user, child=match.person, **referral_fields)
            else:
                details = {"given_name": child_in.given_name, "family_name": child_in.family_name,
                           "date_of_birth": child_in.date_of_birth, "sex": child_in.sex or ""}
                referral = referral_actions.record_child_and_referral(actor=user, child_details=details,
                                                                      **referral_fields)
                if child_in.postcode:
                    # Only a new child's address comes from a referral: an existing child's address
                    # history is corrected on their record, not moved by a partner feed.
                    add_person_address(actor=user, person_id=referral.child_id,
                                       address={"line1": "", "postcode": child_in.postcode})
            if match.outcome == "matched":
                record_event("api.referral_child_matched", actor=user, person=referral.child_id, target=referral,
                             details={"via": "api", "score": match.score, "reasons": match.reasons})
    except ScreeningInstrument.DoesNotExist:
        return Status(503, {"detail": "Referrals cannot be recorded until a screening instrument is loaded "
                                      "(`wrekin load_instruments`).", "code": "not_configured"})
    return Status(201, _referral_out(referral, match, user))


def _referral_out(referral: Referral, match: ChildMatch, user) -> ReferralOut:
    return ReferralOut(
        id=referral.pk, child_id=referral.child_id,
        child_match=ChildMatchOut(outcome=match.outcome, score=match.score, reasons=match.reasons,
                                  possible_matches=[pk for pk in match.possible if pk != referral.child_id]),
        status=referral.status, occurred_on=referral.occurred_on,
        referring_agency=referral.referring_agency.name,
        instrument=InstrumentOut(code=referral.instrument.code, version=referral.instrument.version),
        indicators=referral.indicators, mentions=referral.mentions.count(),
        # The same names the save read the narrative for (the user's gazetteer), so this is what was recorded.
        extracted=[ExtractedOut(**found.as_dict()) for found in extract_entities(
            referral.narrative, gazetteer=gazetteer_for_user(user))],
        created_at=referral.created_at,
    )
