"""Read-side questions about disruption, all starting from the access policy."""

from __future__ import annotations

from datetime import datetime, time

from django.db.models import Count, Max, QuerySet
from django.urls import reverse
from django.utils import timezone

from wrekin.access.disruption import disruptions_visible_to, persons_of_concern_visible_to
from wrekin.access.policy import is_person_visible
from wrekin.core.timeline import ChronologyEntry
from wrekin.intelligence.demographics import all_answered
from wrekin.intelligence.models import DisruptionAction
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
    disruptions = list(DisruptionAction.objects.filter(children=person)
                       .select_related("person_of_concern", "recorded_by_agency").prefetch_related("updates"))
    if not disruptions:
        return []
    visible = set(disruptions_visible_to(user).filter(pk__in=[d.pk for d in disruptions])
                  .values_list("pk", flat=True))
    entries = []
    for disruption in disruptions:
        title, summary, url = f"Disruption: {disruption.get_kind_short()}", "", ""
        if disruption.pk in visible:
            title += f" — {disruption.person_of_concern.full_name}"
            lines = [f"Status: {disruption.get_status_short()}"]
            if disruption.outcome:
                lines.append(disruption.outcome)
            lines += [f"Update: {u.note}" for u in disruption.updates.all()]
            summary = "\n".join(lines)
            url = reverse("intelligence:disruption_detail", kwargs={"pk": disruption.pk})
        entries.append(ChronologyEntry(
            occurred_at=timezone.make_aware(datetime.combine(disruption.occurred_on, time.min)),
            event_type="disruption", title=title, agency_name=disruption.recorded_by_agency.name,
            summary=summary, url=url, source=f"intelligence.disruptionaction:{disruption.pk}",
        ))
    return entries
