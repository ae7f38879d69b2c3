"""Other apps record what their records mention: referrals, missing episodes, return interviews, reports."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from wrekin.intelligence.models import LinkAlert, Mention, MentionOrigin, MentionStatus
from wrekin.missing import actions as missing
from wrekin.referrals import actions as referrals

LONDON = ZoneInfo("Europe/London")
TODAY = date(2026, 6, 1)


@pytest.fixture
def instrument(db):
    referrals.load_instruments()
    return referrals.current_instrument()


def refer(actor, child, *, narrative, mentions=(), occurred_on=date(2026, 5, 1)):
    return referrals.record_referral(
        actor=actor, child=child, occurred_on=occurred_on, narrative=narrative, indicators=[],
        mentions=list(mentions), lawful_basis="public_task", consent_status="given", today=TODAY)


def test_a_referral_records_its_mentions_and_narrative(instrument, personas, people):
    referral = refer(personas["bob"], people["daniel"], narrative="Got into AB12 CDE; his Snapchat is @bigmo99.",
                     mentions=[{"kind": "vehicle", "value": "ab12cde", "relationship": "child was picked up in"},
                               {"kind": "phone", "value": "number not known", "relationship": "rang him"},
                               {"kind": "online", "value": "bigmo99", "detail": "on Snapchat"}])
    rows = Mention.objects.filter(source_type="referrals.referral", source_id=referral.pk).select_related("entity")
    mentions = {(m.entity.key, m.origin, m.status) for m in rows}
    # The typed vehicle and handle are confirmed; the narrative repeats them, so nothing more is added for them.
    # "number not known" has no digits: kept on the referral as typed, nothing to link.
    assert mentions == {("AB12CDE", MentionOrigin.STRUCTURED, MentionStatus.CONFIRMED),
                        ("snapchat:bigmo99", MentionOrigin.STRUCTURED, MentionStatus.CONFIRMED)}
    assert referral.mentions.count() == 3
    mention = Mention.objects.filter(source_id=referral.pk).first()
    assert mention.source_title == "Referral from Severn Vale Academy" and mention.child == people["daniel"]


def test_two_referrals_in_different_formats_raise_the_alert(instrument, personas, people):
    refer(personas["bob"], people["daniel"], narrative="Collected from school.",
          mentions=[{"kind": "vehicle", "value": "ab12cde"}])
    refer(personas["alice"], people["kayleigh"], narrative="Stopped in AB12 CDE at 01:00 with an adult male.")
    alert = LinkAlert.objects.get()
    assert alert.anchor_entity.key == "AB12CDE" and alert.unconfirmed_count == 1
    assert alert.explanation.startswith("vehicle AB12 CDE is mentioned in 2 records about 2 children from 2 "
                                        "agencies")


def test_a_missing_episode_its_return_and_interview_record_what_they_mention(instrument, personas, people):
    reported = datetime(2026, 5, 10, 21, 0, tzinfo=LONDON)
    episode = missing.record_missing_episode(
        actor=personas["alice"], child=people["kayleigh"], reported_at=reported, last_seen_where="Town centre",
        circumstances="Seen getting into a car, reg AB12 CDE.", now=reported + timedelta(hours=1))
    missing.record_return(actor=personas["alice"], episode=episode, returned_at=reported + timedelta(hours=20),
                          found_where="Home", with_whom="An older male, phone 07700 900123",
                          vehicle_registration="AB12 ?", travel_modes=["car"],
                          now=reported + timedelta(hours=21))
    interview = missing.record_return_interview(
        actor=personas["dana"], episode=episode, outcome="completed", offered_at=reported + timedelta(hours=30),
        offered_by_agency=personas["dana"].agency, completed_at=reported + timedelta(hours=40),
        conducted_by="Dana", summary="Said she was driven to TF1 2AB by a friend's cousin.",
        now=reported + timedelta(hours=41))
    episode_mentions = Mention.objects.filter(source_type="missing.missingepisode", source_id=episode.pk)
    assert sorted(episode_mentions.values_list("entity__key", flat=True)) == ["+447700900123", "AB12*", "AB12CDE"]
    partial = episode_mentions.get(entity__key="AB12*")
    assert (partial.status, partial.relationship) == ("confirmed", "child travelled in while missing")
    interview_mention = Mention.objects.get(source_type="missing.returninterview", source_id=interview.pk)
    assert interview_mention.entity.key == "postcode:TF1 2AB"
    assert interview_mention.source_title == "Return home interview recorded by Wrekin Children's Services"
    # One agency, one child: no link yet. The school naming the same car about Daniel makes one.
    assert not LinkAlert.objects.exists()
    refer(personas["bob"], people["daniel"], narrative="Picked up.", mentions=[{"kind": "vehicle", "value": "ab12cde"}])
    alert = LinkAlert.objects.get(anchor_entity__key="AB12CDE")
    assert alert.record_count == 2 and alert.basis == "partial"
