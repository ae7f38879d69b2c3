"""Linkage in the chronology and on the home page.

Chronology: when an agency's record of the child was imported, and when another record was merged in (or a merge
undone) -- so a reader of the chronology knows where parts of the history came from. Links to the import and merge
pages are given only to those who may open them (coordinators and analysts).

Work lists: the review queue for those who review pairs, and one's own imports that are running or failed.
"""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from wrekin.core.timeline import ChronologyEntry, WorkItem


def linkage_chronology(person, user) -> list[ChronologyEntry]:
    from wrekin.access.linkage import can_see_linkage
    from wrekin.access.policy import is_person_visible
    from wrekin.core.together import fetch_together
    from wrekin.linkage.models import MergeMethod, PersonMerge, SourceRecord

    if not is_person_visible(user, person.pk):
        return []
    linkable = can_see_linkage(user)
    # Imported records and merges in one query: the chronology page has a query budget.
    rows = fetch_together({
        "source": (SourceRecord.objects.filter(person=person), [
            "pk", "created_at", "record_id", "first_import_id", "agency__name"]),
        "merge": (PersonMerge.objects.filter(survivor=person), [
            "pk", "method", "merged_at", "unmerged_at", "merged__recorded_by_agency__name"]),
    })
    methods = dict(MergeMethod.choices)
    entries = []
    for source in rows["source"]:
        agency = source["agency__name"]
        entries.append(ChronologyEntry(
            occurred_at=source["created_at"], event_type="linkage_record_imported",
            title=f"Record imported from {agency}'s extract", agency_name=agency,
            summary=f"{agency} record {source['record_id']}",
            url=reverse("linkage:import_detail", args=[source["first_import_id"]]) if linkable else "",
            source=f"linkage.sourcerecord:{source['pk']}"))
    for merge in rows["merge"]:
        agency = merge["merged__recorded_by_agency__name"]
        url = reverse("linkage:merge", args=[merge["pk"]]) if linkable else ""
        entries.append(ChronologyEntry(
            occurred_at=merge["merged_at"], event_type="linkage_merge",
            title=f"A record from {agency} was merged into this person", agency_name=agency,
            summary=methods.get(merge["method"], merge["method"]), url=url,
            source=f"linkage.personmerge:{merge['pk']}"))
        if merge["unmerged_at"]:
            entries.append(ChronologyEntry(
                occurred_at=merge["unmerged_at"], event_type="linkage_unmerge",
                title=f"The merge of a record from {agency} was undone", agency_name=agency,
                summary="Both records restored", url=url, source=f"linkage.personmerge:{merge['pk']}:undone"))
    return entries


def review_queue_worklist(user) -> list[WorkItem]:
    from wrekin.access.linkage import can_see_linkage, review_queue_for

    if not can_see_linkage(user):
        return []
    waiting = review_queue_for(user).count()
    if not waiting:
        return []
    title = "1 pair of records may be one person" if waiting == 1 else \
        f"{waiting} pairs of records may be one person"
    return [WorkItem(heading="Records to review", title=title, url=reverse("linkage:review_queue"),
                     tags=("linkage",))]


def imports_worklist(user) -> list[WorkItem]:
    from wrekin.access.linkage import imports_visible_to
    from wrekin.linkage.models import ImportStatus

    since = timezone.now() - timedelta(days=14)
    mine = imports_visible_to(user).filter(uploaded_by_id=user.pk, created_at__gte=since, status__in=(
        ImportStatus.QUEUED, ImportStatus.RUNNING, ImportStatus.FAILED))
    return [WorkItem(heading="Imports", title=f"{item.file_name}: {item.get_status_display().lower()}",
                     url=reverse("linkage:import_detail", args=[item.pk]), overdue=item.status == ImportStatus.FAILED,
                     tags=("linkage",))
            for item in mine[:10]]
