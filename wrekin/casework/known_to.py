"""What casework tells the "known to" flag (wrekin.access.known_to): the open case's lead
professional and current risk level, and nothing else from the file."""

from __future__ import annotations

from wrekin.casework.models import Case, CaseState


def lead_professional_and_risk_band(person):
    """(lead professional, risk level label) of the child's open case; (None, "") without one."""
    case = (Case.objects.filter(person=person).exclude(state=CaseState.CLOSED)
            .select_related("lead_professional").first())
    if case is None:
        return None, ""
    return case.lead_professional, case.get_risk_level_display() if case.risk_level else ""
