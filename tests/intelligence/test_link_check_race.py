"""Two saves raising the same alert at once still yield one alert (the unique link key), holding both saves'
mentions with counts equal to a full recount, while the other alerts of the same check are raised as usual.

The link check inserts every alert it raises in one statement (one savepoint): when another save raised one of
them between this check reading that there was no alert and inserting it, the insert is refused, and each alert
is then inserted on its own so that only the raced one is taken from the other save.

Children: kayleigh, daniel, jayden. alice is police, bob school, charlie health.
"""

from __future__ import annotations

import pytest

from wrekin.audit.models import AuditEvent
from wrekin.intelligence import linking
from wrekin.intelligence.linking import link_counts
from wrekin.intelligence.models import LinkAlert, LinkAlertMention, Mention


def _recount(alert: LinkAlert):
    return link_counts(Mention.objects.filter(
        pk__in=LinkAlertMention.objects.filter(alert=alert).values("mention_id")))


def _assert_matches_recount(alert: LinkAlert) -> None:
    recount = _recount(alert)
    assert (alert.mention_count, alert.record_count, alert.child_count, alert.agency_count) == (
        recount.mentions, recount.records, recount.children, recount.agencies), alert.link_key


@pytest.fixture
def other_save_races(monkeypatch, save, people, personas):
    """Once: right after the link check has read which groups may raise an alert (and before it inserts them),
    another save — charlie's record naming AB12 CDE about jayden — raises AB12 CDE's alert first, as it would
    have committed it: from the mentions that save could see (not those of the save still checking, which
    are not committed yet), with its members, mentions and `link_alert.raised` event."""
    real = linking._may_raise
    raced = []

    def may_raise_then_race(groups):
        found = real(groups)
        vehicle = next((g for g in groups if g.anchor.type == "vehicle" and g.link_key in found), None)
        if vehicle is None or raced:
            return found
        checking = {row.pk for row in found[vehicle.link_key] if row.child_id == people["daniel"].pk}
        with monkeypatch.context() as inner:
            inner.setattr(linking, "check_links", lambda *args, **kwargs: [])
            [theirs] = save("charlie", people["jayden"], [("vehicle", "AB12 CDE")], days=2)
        rows = sorted([row for row in found[vehicle.link_key] if row.pk not in checking]
                      + [linking._Row(*Mention.objects.values_list(*linking._ROW_FIELDS).get(pk=theirs.pk))],
                      key=lambda row: row.pk)
        alert = linking._new_alert(vehicle, rows, theirs.recorded_at)
        alert.save(force_insert=True)
        linking._announce_raised(alert, vehicle, rows, actor=personas["charlie"], now=theirs.recorded_at,
                                 fresh_ids={theirs.pk}, batch=None)
        raced.append(alert.pk)
        return found

    monkeypatch.setattr(linking, "_may_raise", may_raise_then_race)
    return raced


def test_two_saves_raising_the_same_alert_yield_one_alert(save, people, other_save_races):
    save("alice", people["kayleigh"], [("vehicle", "AB12 CDE"), ("phone", "07700 900123")])
    # This save raises two alerts (the vehicle's and the phone's); the vehicle's is raised by the other save
    # while this one is checking.
    save("bob", people["daniel"], [("vehicle", "AB12 CDE"), ("phone", "07700 900123")], days=1)

    vehicle = LinkAlert.objects.get(link_key__startswith="entity:", anchor_entity__type="vehicle")
    assert other_save_races == [vehicle.pk]
    phone = LinkAlert.objects.get(link_key__startswith="entity:", anchor_entity__type="phone")
    assert LinkAlert.objects.count() == 2
    # The raced alert holds all three records' mentions, each once; the phone's alert both of its records'.
    assert (vehicle.mention_count, vehicle.record_count, vehicle.child_count, vehicle.agency_count) == (3, 3, 3, 3)
    assert LinkAlertMention.objects.filter(alert=vehicle).count() == 3
    assert (phone.mention_count, phone.record_count, phone.child_count) == (2, 2, 2)
    for alert in (vehicle, phone):
        _assert_matches_recount(alert)
        assert set(alert.entities.values_list("pk", flat=True)) == set(
            Mention.objects.filter(link_alerts=alert).values_list("entity_id", flat=True))
    # Each alert was raised once (by whichever save inserted it), and the vehicle's was then updated.
    raised = AuditEvent.objects.filter(event_type="link_alert.raised")
    assert sorted(int(e.object_id) for e in raised) == sorted([vehicle.pk, phone.pk])
    updated = AuditEvent.objects.filter(event_type="link_alert.updated")
    assert [e.details["alerts"] for e in updated] == [[vehicle.pk]]


def test_several_alerts_raised_by_one_save_are_each_audited(save, people):
    """Without a race: a partial mark fitting three full marks, each mentioned once before, raises three alerts
    in one insert, each with its members, mentions and its own `link_alert.raised` event."""
    for n, mark in enumerate(["AB12 CDE", "AB12 CDF", "AB12 XYZ"]):
        save("alice", people["kayleigh"], [("vehicle", mark)], days=n)
    save("bob", people["daniel"], [("vehicle", "AB12 ?")], days=5)

    alerts = list(LinkAlert.objects.order_by("pk"))
    assert len(alerts) == 3
    for alert in alerts:
        _assert_matches_recount(alert)
        assert (alert.record_count, alert.child_count, alert.agency_count) == (2, 2, 2)
        assert alert.entities.count() == 2
    raised = AuditEvent.objects.filter(event_type="link_alert.raised").order_by("seq")
    assert [int(e.object_id) for e in raised] == [a.pk for a in alerts]
