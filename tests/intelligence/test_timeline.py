"""Disruption on the chronology of the children it protects."""

from __future__ import annotations

from django.urls import reverse

from wrekin.core.timeline import chronology_source_names
from wrekin.intelligence import actions
from wrekin.intelligence.queries import chronology_entries


def test_the_source_is_registered():
    assert "intelligence.disruption" in chronology_source_names()


def test_a_child_sees_the_disruption_in_full_only_if_they_can_see_the_person_of_concern(
        complete_poc, record, people, personas):
    notice = record("erin", person_of_concern_id=complete_poc.pk, kind="cawn_s2",
                    child_ids=[people["daniel"].pk], outcome="Served at his home address.")
    actions.update_disruption(actor=personas["erin"], disruption_id=notice.pk, status="done",
                              note="Breached on 3 February; arrested.")
    daniel = people["daniel"]
    # erin sees both: the name, the outcome, what happened next and a link.
    [entry] = chronology_entries(daniel, personas["erin"])
    assert entry.title == "Disruption: Child Abduction Warning Notice (s2) — Mohammed Khan"
    assert entry.agency_name == "Wrekin Children's Services" and entry.event_type == "disruption"
    assert "Served at his home address." in entry.summary and "Breached on 3 February" in entry.summary
    assert entry.url == reverse("intelligence:disruption_detail", kwargs={"pk": notice.pk})
    assert entry.occurred_at.date() == notice.occurred_on
    # bob (school) sees Daniel but not the person of concern: that a notice was served, not on whom.
    [entry] = chronology_entries(daniel, personas["bob"])
    assert entry.title == "Disruption: Child Abduction Warning Notice (s2)"
    assert entry.summary == "" and entry.url == ""
    assert "Khan" not in repr(entry)
    # Someone who cannot see Daniel gets nothing; nor does the person of concern's own chronology.
    assert chronology_entries(daniel, personas["alice"]) == []
    assert chronology_entries(complete_poc, personas["erin"]) == []
