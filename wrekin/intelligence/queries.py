"""Read-side questions about disruption, all starting from the access policy."""

from __future__ import annotations

from datetime import datetime, time

from django.db.models import Count, Exists, Max, OuterRef, QuerySet
from django.urls import reverse
from django.utils import timezone

from wrekin.access.disruption import disruptions_visible_to, persons_of_concern_visible_to
from wrekin.access.policy import is_person_visible
from wrekin.core.timeline import ChronologyEntry
from wrekin.core.together import fetch_together
from wrekin.intelligence.demographics import all_answered
from wrekin.intelligence.models import DisruptionAction, DisruptionKind, DisruptionStatus, DisruptionUpdate
from wrekin.people.models import Person


def persons_of_concern_list(user) -> QuerySet[Person]:
    return (persons_of_concern_visible_to(user)
            .select_related("recorded_by_agency")
            .annotate(disruption_count=Count("disruptions", distinct=True),
                      last_disruption_on=Max("disruptions__occurred_on"))
            .order_by("family_name", "given_name", "pk"))


def complete_ids(people: QuerySet[Person]) -> set[int]:
    return set(people.filter(all_answered()).values_list("pk", flat=True))


def chronology_entries(person, user) -> list[ChronologyEntry]:
    """Disruption actions that name this child, on the child's chronology.

    Everyone who can see the child learns that a disruption of that kind was
    recorded, when, and by which agency. Only people who can also see the person of
    concern get the name, the outcome and a link: seeing a child must not reveal a
    suspect your agency does not know.
    """
    if not is_person_visible(user, person.pk):
        return []
    # The actions, whether the viewer may see each one's person of concern (tested on each row, so the
    # database checks these few, not everyone visible), and their updates, in one query: the chronology
    # page has a query budget. Updates are shown only with an action the viewer may see.
    rows = fetch_together({
        "disruption": (DisruptionAction.objects.filter(children=person), {
            "pk": "pk", "kind": "kind", "status": "status", "outcome": "outcome", "occurred_on": "occurred_on",
            "agency": "recorded_by_agency__name", "given_name": "person_of_concern__given_name",
            "middle_names": "person_of_concern__middle_names", "family_name": "person_of_concern__family_name",
            "visible": Exists(disruptions_visible_to(user).filter(pk=OuterRef("pk")))}),
        "update": (DisruptionUpdate.objects.filter(disruption__children=person),
                   ["pk", "disruption_id", "note", "recorded_at"]),
    })
    updates: dict[int, list[str]] = {}
    for update in sorted(rows["update"], key=lambda u: (u["recorded_at"], u["pk"])):
        updates.setdefault(update["disruption_id"], []).append(update["note"])
    entries = []
    for disruption in rows["disruption"]:
        title, summary, url = f"Disruption: {DisruptionKind.short_label(disruption['kind'])}", "", ""
        if disruption["visible"]:
            # The person of concern's full name, as Person.full_name writes it.
            name = " ".join(filter(None, (disruption["given_name"], disruption["middle_names"],
                                          disruption["family_name"])))
            title += f" — {name}"
            lines = [f"Status: {DisruptionStatus.short_label(disruption['status'])}"]
            if disruption["outcome"]:
                lines.append(disruption["outcome"])
            lines += [f"Update: {note}" for note in updates.get(disruption["pk"], [])]
            summary = "\n".join(lines)
            url = reverse("intelligence:disruption_detail", kwargs={"pk": disruption["pk"]})
        entries.append(ChronologyEntry(
            occurred_at=timezone.make_aware(datetime.combine(disruption["occurred_on"], time.min)),
            event_type="disruption", title=title, agency_name=disruption["agency"],
            summary=summary, url=url, source=f"intelligence.disruptionaction:{disruption['pk']}",
        ))
    return entries
