"""Render Django form fields as GOV.UK Design System components.

One tag, `{% govuk_field form.field %}`, so every form in Wrekin gets labels,
hints, error messages and aria wiring the same way, and keeps what was typed.
"""

from __future__ import annotations

from django import forms, template
from django.template.loader import render_to_string

register = template.Library()


def _kind(field: forms.BoundField) -> str:
    widget = field.field.widget
    # CheckboxSelectMultiple subclasses RadioSelect, so it must be tested first.
    if isinstance(widget, forms.CheckboxSelectMultiple):
        return "checkboxes"
    if isinstance(widget, forms.RadioSelect):
        return "radios"
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    if isinstance(widget, forms.Select):
        return "select"
    if isinstance(widget, forms.Textarea):
        return "textarea"
    return "input"


@register.simple_tag
def govuk_field(field: forms.BoundField, width: str = "", label_class: str = "govuk-label--s") -> str:
    kind = _kind(field)
    widget = field.field.widget
    classes = {
        "input": "govuk-input",
        "select": "govuk-select",
        "textarea": "govuk-textarea",
    }.get(kind, "")
    if classes:
        if width:
            classes += f" govuk-input--width-{width}" if kind == "input" else ""
        if field.errors:
            classes += f" {classes.split()[0]}--error"
        described = []
        if field.help_text:
            described.append(f"{field.id_for_label}-hint")
        if field.errors:
            described.append(f"{field.id_for_label}-error")
        attrs = {"class": classes}
        if described:
            attrs["aria-describedby"] = " ".join(described)
        widget_html = field.as_widget(attrs=attrs)
    else:
        widget_html = ""
    return render_to_string(
        "core/_field.html",
        {
            "field": field,
            "kind": kind,
            "widget_html": widget_html,
            "label_class": label_class,
            "choices": list(widget.choices) if kind in {"radios", "checkboxes"} else [],
        },
    )
