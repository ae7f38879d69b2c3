"""Tags for casework pages: GOV.UK tag colours for stages and risk levels."""

from __future__ import annotations

from django import template

register = template.Library()

_RISK = {"high": "govuk-tag--red", "medium": "govuk-tag--orange", "low": "govuk-tag--green"}
_STATE = {
    "assessment": "",
    "plan": "govuk-tag--purple",
    "closure_requested": "govuk-tag--yellow",
    "closed": "govuk-tag--grey",
}
_ACTION = {"open": "", "done": "govuk-tag--green", "cancelled": "govuk-tag--grey"}


@register.filter
def risk_tag(level: str) -> str:
    return _RISK.get(level, "govuk-tag--grey")


@register.filter
def state_tag(state: str) -> str:
    return _STATE.get(state, "govuk-tag--grey")


@register.filter
def action_tag(status: str) -> str:
    return _ACTION.get(status, "govuk-tag--grey")
