"""Recording intelligence reports, graded by the UK 3x5x2 scheme.

`record_report` is the one way a report is made: permission, validation, the report, its
subjects and recipients, the audit event, and what it mentions (through
wrekin.intelligence.linking.record_mentions, so a report can raise link alerts like any record)
in one transaction. Who may read a report is decided by wrekin/access/intelligence.py.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from wrekin.access.intelligence import (
    can_record_reports,
    report_recipients_choosable_by,
    report_subjects_nameable_by,
)
from wrekin.audit.actions import record_event
from wrekin.intelligence.linking import record_mentions
from wrekin.intelligence.models import (
    HandlingCode,
    IntelligenceAssessment,
    IntelligenceReport,
    SourceEvaluation,
)
from wrekin.people.models import PersonKind

TITLE_MAX = 200
NARRATIVE_MAX = 50_000
CONDITIONS_MAX = 5_000


def _ids(values: Iterable) -> list[int]:
    ids = []
    for value in values or ():
        try:
            ids.append(int(getattr(value, "pk", value)))
        except (TypeError, ValueError):
            raise ValidationError({"subjects": "Choose people from the list"}) from None
    return list(dict.fromkeys(ids))


def record_report(
    *,
    actor,
    title: str,
    narrative: str,
    information_date: date,
    source_evaluation: str,
    intelligence_assessment: str,
    handling_code: str,
    handling_conditions: str = "",
    recipient_ids: Iterable = (),
    child_ids: Iterable = (),
    person_ids: Iterable = (),
    mentions: Iterable[Mapping] = (),
    today: date | None = None,
) -> IntelligenceReport:
    """Record a graded intelligence report.

    Subject children and persons of concern must be people the author can see in their own
    right. Handling code C needs its conditions written out; its recipients (users of the
    partnership with a case-content role) are the only readers beyond coordinators, analysts and
    the author. Mentions typed in are stored confirmed; what the narrative mentions is extracted
    and stored unconfirmed — once per subject child, or once with no child.
    """
    if not can_record_reports(actor):
        raise PermissionDenied("Your role cannot record intelligence reports")
    today = today or timezone.localdate()
    title = (title or "").strip()
    narrative = (narrative or "").strip()
    handling_conditions = (handling_conditions or "").strip()
    errors: dict[str, str] = {}
    if not title:
        errors["title"] = "Enter a short heading"
    elif len(title) > TITLE_MAX:
        errors["title"] = f"The heading must be {TITLE_MAX} characters or fewer"
    if not narrative:
        errors["narrative"] = "Enter the intelligence"
    elif len(narrative) > NARRATIVE_MAX:
        errors["narrative"] = f"The intelligence must be {NARRATIVE_MAX:,} characters or fewer"
    if information_date is None:
        errors["information_date"] = "Enter when the information was obtained"
    elif information_date > today:
        errors["information_date"] = "The date the information was obtained must be today or in the past"
    if source_evaluation not in SourceEvaluation.values:
        errors["source_evaluation"] = "Choose the source evaluation: 1, 2 or 3"
    if intelligence_assessment not in IntelligenceAssessment.values:
        errors["intelligence_assessment"] = "Choose the intelligence assessment: A, B, C, D or E"
    if handling_code not in HandlingCode.values:
        errors["handling_code"] = "Choose the handling code: P or C"
    elif handling_code == HandlingCode.CONDITIONS and not handling_conditions:
        errors["handling_conditions"] = "Write the conditions that apply to handling code C"
    if len(handling_conditions) > CONDITIONS_MAX:
        errors["handling_conditions"] = f"The conditions must be {CONDITIONS_MAX:,} characters or fewer"
    child_ids, person_ids, recipient_ids = _ids(child_ids), _ids(person_ids), _ids(recipient_ids)
    children = list(report_subjects_nameable_by(actor, PersonKind.CHILD).filter(pk__in=child_ids))
    persons = list(report_subjects_nameable_by(actor, PersonKind.PERSON_OF_CONCERN).filter(pk__in=person_ids))
    if len(children) != len(child_ids):
        errors["children"] = "Choose children from the list"
    if len(persons) != len(person_ids):
        errors["persons"] = "Choose persons of concern from the list"
    recipients = []
    if handling_code == HandlingCode.CONDITIONS:
        recipients = list(report_recipients_choosable_by(actor).filter(pk__in=recipient_ids))
        if len(recipients) != len(recipient_ids):
            errors["recipients"] = "Choose recipients from the list"
    if errors:
        raise ValidationError(errors)

    agency = actor.agency
    with transaction.atomic():
        report = IntelligenceReport.objects.create(
            partnership=agency.partnership, title=title, narrative=narrative, information_date=information_date,
            source_evaluation=source_evaluation, intelligence_assessment=intelligence_assessment,
            handling_code=handling_code,
            handling_conditions=handling_conditions if handling_code == HandlingCode.CONDITIONS else "",
            recorded_by=actor, recorded_by_agency=agency, recorded_at=timezone.now())
        report.subject_children.set(children)
        report.subject_persons.set(persons)
        report.recipients.set(recipients)
        record_event("intelligence_report.recorded", actor=actor, target=report, details={
            "report": report.pk, "grading": report.grading, "children": [c.pk for c in children],
            "persons": [p.pk for p in persons], "recipients": [u.pk for u in recipients]})
        mentions = list(mentions)
        title_text = f"Intelligence report {report.grading} from {agency.name}"
        for child in children or [None]:
            record_mentions(actor=actor, source=report, child=child, structured=mentions, narrative=narrative,
                            source_title=title_text, today=today)
    return report
