"""Forms for referrals, triage and screenings. Each keeps what was typed when it re-renders with errors.

The rules themselves live in rules.py and actions.py; the forms apply the same rules early so
a person sees every problem at once, next to the field it belongs to.
"""

from __future__ import annotations

from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.forms import formset_factory
from django.urls import reverse_lazy

from wrekin.accounts.models import Agency
from wrekin.people.forms import PersonDetailsForm
from wrekin.referrals import rules
from wrekin.referrals.models import (
    INDICATOR_TYPES,
    ConsentStatus,
    EvidenceBasis,
    IndicatorAnswerValue,
    LawfulBasis,
    MentionKind,
    ScreeningInstrument,
    SpecialCategoryCondition,
    TimeWindow,
    TriageOutcome,
)

DATE_FORMATS = ["%d/%m/%Y", "%d %m %Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"]
MENTION_ROWS = 3
MAX_MENTION_ROWS = 20


def typed_values(form: forms.Form) -> dict:
    """What was typed into a bound form, as initial values for an unbound copy.

    The "add another" button re-renders the page with one more row: the person's input must
    survive, but they have not asked to submit yet, so no errors are shown.
    """
    return {name: form[name].data for name in form.fields}


class NewChildForm(PersonDetailsForm):
    """The few details a referrer usually knows about a child not yet recorded (or not visible to them)."""

    KEEP = ("given_name", "family_name", "known_as", "date_of_birth", "approximate_age", "sex", "school",
            "upn", "nhs_number")

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "child")
        super().__init__(*args, **kwargs)
        for name in list(self.fields):
            if name not in self.KEEP:
                del self.fields[name]
        self.fields["given_name"].error_messages["required"] = "Enter the child's given name"

    def person_details(self) -> dict:
        return {key: value for key, value in super().person_details().items() if key in self.KEEP}


class ReferralForm(forms.Form):
    occurred_on = forms.DateField(
        label="When did it happen?", input_formats=DATE_FORMATS,
        help_text="The day it happened or was first seen, for example 27/03/2026",
        error_messages={"required": "Enter the date it happened",
                        "invalid": "Enter the date as day/month/year, for example 27/03/2026"},
    )
    narrative = forms.CharField(
        label="What happened?", widget=forms.Textarea(attrs={
            "rows": 8,
            # As the referrer pauses in typing, htmx posts the whole form (CSRF token and the decisions
            # already made included) for the plates, phones and places Wrekin finds in the text; without
            # JavaScript the "Check" button does the same (docs/guide/extraction.md).
            "hx-post": reverse_lazy("intelligence:extract_suggestions"),
            "hx-trigger": "input changed delay:500ms",
            "hx-target": "#narrative-suggestions",
            "hx-swap": "innerHTML",
            "hx-sync": "this:replace",
        }),
        help_text="Facts: what was seen or said, where, when and by whom. Say what is known and what is not.",
        error_messages={"required": "Describe what happened"},
    )
    def __init__(self, *args, instrument: ScreeningInstrument, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.instrument = instrument
        self.today = today
        self.indicator_groups = []
        # One group of checkboxes per category, so the page reads as the instrument does.
        for category, heading, items in instrument.indicators_by_category():
            name = f"indicators_{category}"
            self.fields[name] = forms.MultipleChoiceField(
                label=heading, required=False, widget=forms.CheckboxSelectMultiple,
                choices=[(i["code"], i["text"]) for i in items])
            self.indicator_groups.append(name)

    @property
    def indicator_fields(self):
        return [self[name] for name in self.indicator_groups]

    def clean_occurred_on(self) -> date:
        value = self.cleaned_data["occurred_on"]
        if value > self.today:
            raise ValidationError("The date it happened must be today or in the past")
        return value

    def indicator_codes(self) -> list[str]:
        return [code for name in self.indicator_groups for code in self.cleaned_data.get(name, [])]

    def referral_arguments(self) -> dict:
        data = self.cleaned_data
        return {"occurred_on": data["occurred_on"], "narrative": data["narrative"],
                "indicators": self.indicator_codes()}


class SharingForm(forms.Form):
    """The lawful basis and consent: last on the page, so a separate form keeps errors in page order."""

    lawful_basis = forms.ChoiceField(
        label="Lawful basis for sharing", choices=LawfulBasis.choices, widget=forms.RadioSelect,
        help_text="Under UK GDPR Article 6. For most agencies sharing to protect a child this is public task.",
        error_messages={"required": "Choose the lawful basis for sharing"},
    )
    special_category_condition = forms.ChoiceField(
        label="Condition for special category information", choices=SpecialCategoryCondition.choices,
        widget=forms.RadioSelect, initial=SpecialCategoryCondition.SAFEGUARDING,
        help_text="Information about health, sex life or ethnicity needs an Article 9 condition as well",
        error_messages={"required": "Choose the condition for sharing special category information"},
    )
    consent_status = forms.ChoiceField(
        label="Consent to share", choices=ConsentStatus.choices, widget=forms.RadioSelect,
        help_text="You can share without consent to protect a child. Record why.",
        error_messages={"required": "Say whether the child or family consented to sharing"},
    )
    consent_reason = forms.CharField(
        label="Why are you sharing without consent?", required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Required if consent was refused or not sought",
    )

    def clean(self):
        data = super().clean()
        status = data.get("consent_status")
        if status and rules.consent_reason_required(status) and not (data.get("consent_reason") or "").strip():
            self.add_error("consent_reason", rules.CONSENT_REASON_MESSAGE)
        return data

    def referral_arguments(self) -> dict:
        data = self.cleaned_data
        return {key: data[key] for key in ("lawful_basis", "special_category_condition", "consent_status",
                                           "consent_reason")}


class MentionForm(forms.Form):
    kind = forms.ChoiceField(label="What is it?", required=False,
                             choices=[("", "Choose")] + list(MentionKind.choices))
    value = forms.CharField(label="As given", max_length=200, required=False,
                            help_text="A name, registration, number, address or handle, exactly as told")
    relationship = forms.CharField(label="How it is connected to the child", max_length=200, required=False,
                                   help_text="For example: child was picked up in; calls the child at night")
    detail = forms.CharField(label="Other detail", max_length=500, required=False,
                             help_text="For example: make, model and colour; platform; description")

    def clean(self):
        data = super().clean()
        typed = any((data.get(f) or "").strip() for f in ("value", "relationship", "detail"))
        if typed and not data.get("kind"):
            self.add_error("kind", "Choose what kind of thing is mentioned")
        if (data.get("kind") or typed) and not (data.get("value") or "").strip():
            self.add_error("value", "Enter what was mentioned, as it was given")
        return data

    def mention(self) -> dict | None:
        data = getattr(self, "cleaned_data", {})
        if not (data.get("value") or "").strip():
            return None
        return {key: data.get(key, "") for key in ("kind", "value", "relationship", "detail")}


MentionFormSet = formset_factory(MentionForm, extra=0, max_num=MAX_MENTION_ROWS, absolute_max=MAX_MENTION_ROWS)


def mention_formset(data=None, *, initial: list[dict] | None = None, rows: int = MENTION_ROWS):
    """A bound formset (a submission), or an unbound one of `rows` rows prefilled from `initial`."""
    if data is not None:
        return MentionFormSet(data, prefix="mentions")
    initial = list(initial or [])[:MAX_MENTION_ROWS]
    formset_class = formset_factory(MentionForm, extra=max(0, min(rows, MAX_MENTION_ROWS) - len(initial)),
                                    max_num=MAX_MENTION_ROWS, absolute_max=MAX_MENTION_ROWS)
    return formset_class(initial=initial, prefix="mentions")


class TriageForm(forms.Form):
    outcome = forms.ChoiceField(label="What happens next?", choices=TriageOutcome.choices, widget=forms.RadioSelect,
                                error_messages={"required": "Choose what happens next"})
    passed_to_agency = forms.ModelChoiceField(
        label="Agency to pass it to", queryset=Agency.objects.none(), required=False, empty_label="Choose an agency",
        help_text="Only if you pass the referral to another agency",
    )
    reason = forms.CharField(
        label="Reason for the decision", required=False, widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Required for no further action and for passing on. Nobody leaves the list without a reason.",
    )

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        agency = actor.agency
        self.fields["passed_to_agency"].queryset = (
            Agency.objects.filter(partnership_id=agency.partnership_id, is_active=True).exclude(pk=agency.pk))

    def clean(self):
        data = super().clean()
        outcome = data.get("outcome")
        if outcome in (TriageOutcome.NO_FURTHER_ACTION, TriageOutcome.PASS_ON) and not data.get("reason", "").strip():
            self.add_error("reason", "Explain why no further action is needed" if outcome ==
                           TriageOutcome.NO_FURTHER_ACTION else "Explain why the referral is passed to that agency")
        if outcome == TriageOutcome.PASS_ON and not data.get("passed_to_agency"):
            self.add_error("passed_to_agency", "Choose the agency to pass the referral to")
        return data


class IndicatorRow:
    """The bound fields that answer one indicator, for the template."""

    def __init__(self, form: ScreeningForm, indicator: dict):
        self.indicator = indicator
        self.type_label = dict(INDICATOR_TYPES).get(indicator["type"], indicator["type"])
        code = indicator["code"]
        self.answer = form[f"{code}-answer"]
        self.window = form[f"{code}-window"]
        self.source = form[f"{code}-source"]
        self.basis = form[f"{code}-basis"]
        self.note = form[f"{code}-note"]

    @property
    def has_errors(self) -> bool:
        return any(field.errors for field in (self.answer, self.window, self.source, self.basis, self.note))


class ScreeningForm(forms.Form):
    """Every indicator of the instrument version, then the screener's judgement."""

    JUDGEMENT_FIELDS = ("learning_disability", "grade", "rationale", "review_on")

    learning_disability = forms.BooleanField(
        label="The child has a learning disability", required=False,
        help_text="If ticked, the child cannot be graded below the instrument's override floor",
    )
    rationale = forms.CharField(
        label="Rationale for your judgement", widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Why this grade: what weighs most, what is not known, and what the score does not show",
        error_messages={"required": "Explain your judgement: the grade needs a written rationale"},
    )
    review_on = forms.DateField(
        label="Review date", required=False, input_formats=DATE_FORMATS,
        error_messages={"invalid": "Enter the review date as day/month/year, for example 27/06/2026"},
    )

    def __init__(self, *args, instrument: ScreeningInstrument, child, today: date, agencies, **kwargs):
        super().__init__(*args, **kwargs)
        self.instrument = instrument
        self.child = child
        self.today = today
        default_review = rules.default_review_date(instrument, today)
        self.fields["review_on"].help_text = (
            f"Leave blank for {instrument.review_months} months from today: "
            f"{default_review.day} {default_review:%B %Y}")
        self.fields["grade"] = forms.ChoiceField(
            label="Your professional judgement", choices=instrument.grade_choices(), widget=forms.RadioSelect,
            help_text="The advisory score does not decide this. Under-13s, children with a learning disability, "
                      "and children who have made a disclosure cannot be graded "
                      + " or ".join(g["label"].lower() for g in instrument.grades_below_floor()) + ".",
            error_messages={"required": "Choose a grade"})
        for indicator in instrument.indicators:
            code, text = indicator["code"], indicator["text"]
            self.fields[f"{code}-answer"] = forms.ChoiceField(
                label="Answer", choices=IndicatorAnswerValue.choices, widget=forms.RadioSelect,
                error_messages={"required": f"Answer “{text}”"})
            self.fields[f"{code}-window"] = forms.ChoiceField(
                label="When", choices=TimeWindow.choices, widget=forms.RadioSelect, required=False)
            self.fields[f"{code}-basis"] = forms.ChoiceField(
                label="Based on", choices=EvidenceBasis.choices, widget=forms.RadioSelect, required=False)
            self.fields[f"{code}-source"] = forms.ModelChoiceField(
                label="Source agency", queryset=agencies, required=False, empty_label="Not recorded")
            self.fields[f"{code}-note"] = forms.CharField(
                label="Note", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
        # Errors are summarised in field order: make it the page's order (indicators, then judgement).
        self.order_fields([name for name in self.fields if name not in self.JUDGEMENT_FIELDS]
                          + list(self.JUDGEMENT_FIELDS))
        self.groups = [(heading, [IndicatorRow(self, i) for i in items])
                       for _, heading, items in instrument.indicators_by_category()]

    def _answers(self) -> dict[str, rules.Answer]:
        data = self.cleaned_data
        answers = {}
        for indicator in self.instrument.indicators:
            code = indicator["code"]
            if not data.get(f"{code}-answer"):
                continue
            source = data.get(f"{code}-source")
            answers[code] = rules.Answer(
                indicator=code, answer=data[f"{code}-answer"], window=data.get(f"{code}-window") or "",
                source_agency_id=source.pk if source else None, basis=data.get(f"{code}-basis") or "",
                note=data.get(f"{code}-note") or "")
        return answers

    def clean_review_on(self) -> date | None:
        value = self.cleaned_data["review_on"]
        if value is not None and value <= self.today:
            raise ValidationError("The review date must be after today")
        return value

    def clean(self):
        data = super().clean()
        answers = self._answers()
        for indicator in self.instrument.indicators:
            answer = answers.get(indicator["code"])
            if answer is None or not answer.is_positive:
                continue
            if not answer.window:
                self.add_error(f"{indicator['code']}-window", f"Say when “{indicator['text']}” was seen")
            if not answer.basis:
                self.add_error(f"{indicator['code']}-basis",
                               f"Say whether “{indicator['text']}” rests on evidence or professional concern")
        grade = data.get("grade")
        if grade:
            applying = rules.override_rules_applying(
                self.instrument, child=self.child, screened_on=self.today,
                learning_disability=bool(data.get("learning_disability")), answers=answers)
            if problem := rules.override_problem(self.instrument, grade, applying):
                self.add_error("grade", problem)
        self.answers = answers
        return data

    def screening_arguments(self) -> dict:
        data = self.cleaned_data
        return {"answers": self.answers, "grade": data["grade"], "rationale": data["rationale"],
                "learning_disability": bool(data.get("learning_disability")), "review_on": data.get("review_on")}

    @classmethod
    def initial_from_screening(cls, screening) -> dict:
        """Start a revision from a returned screening: its answers and judgement, to correct."""
        initial = {"learning_disability": screening.learning_disability, "grade": screening.grade,
                   "rationale": screening.rationale}
        for answer in screening.answers.all():
            initial.update({f"{answer.indicator}-answer": answer.answer, f"{answer.indicator}-window": answer.window,
                            f"{answer.indicator}-basis": answer.basis, f"{answer.indicator}-note": answer.note,
                            f"{answer.indicator}-source": answer.source_agency_id})
        return initial

    @classmethod
    def initial_from_referral(cls, referral, instrument: ScreeningInstrument) -> dict:
        """Indicators ticked on a referral start as "present", from the referring agency, to confirm."""
        initial = {}
        for code in referral.indicators:
            if code in instrument.indicator_map:
                initial[f"{code}-answer"] = IndicatorAnswerValue.PRESENT
                initial[f"{code}-source"] = referral.referring_agency_id
        return initial


class ApprovalForm(forms.Form):
    decision = forms.ChoiceField(
        label="Your decision", widget=forms.RadioSelect,
        choices=[("approve", "Approve the screening"), ("return", "Return it for changes")],
        error_messages={"required": "Choose whether to approve the screening or return it"},
    )
    reason = forms.CharField(
        label="What needs to change?", required=False, widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Required if you return the screening; the screener sees this",
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == "return" and not data.get("reason", "").strip():
            self.add_error("reason", "Explain what needs to change before you can approve it")
        return data

