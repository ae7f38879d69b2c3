"""The link check keeps each alert's counts up as records arrive, without recounting: after any sequence of saves
(several things named at once, partial marks fitting several full marks, people by name and age, mentions
rejected on review) every alert's counts and explanation equal a full recount of the mentions it holds.

Children: kayleigh (known to police and CSC), daniel (school), jayden (health). alice is police, bob school,
charlie health, erin CSC (coordinator).
"""

from __future__ import annotations

import random

from wrekin.intelligence.alerts import review_mention
from wrekin.intelligence.linking import explain, link_counts
from wrekin.intelligence.models import LinkAlert, LinkAlertMention, LinkBasis, Mention, MentionStatus

THINGS = [("vehicle", "AB12 CDE"), ("vehicle", "ab12cdf"), ("vehicle", "AB12 ?"), ("vehicle", "ends CDE"),
          ("phone", "07700 900123"), ("phone", "+447700900124"), ("location", "TF3 4AB"),
          ("person", "Danny Smith", {"approximate_age": 24}), ("person", "Daniel Smyth", {"approximate_age": 25}),
          ("person", "Dan Smith")]
WRITERS = ["alice", "bob", "charlie", "erin", "frank"]
CHILDREN = ["kayleigh", "daniel", "jayden"]


def _recount(alert: LinkAlert):
    return link_counts(Mention.objects.filter(
        pk__in=LinkAlertMention.objects.filter(alert=alert).values("mention_id")))


def _assert_every_alert_matches_a_recount(step) -> None:
    for alert in LinkAlert.objects.all():
        recount = _recount(alert)
        assert (alert.mention_count, alert.record_count, alert.child_count, alert.agency_count,
                alert.unconfirmed_count) == (recount.mentions, recount.records, recount.children, recount.agencies,
                                             recount.unconfirmed), (step, alert.link_key)
        assert (alert.first_mentioned_at, alert.last_mentioned_at) == (recount.first, recount.last), step
        if alert.basis != LinkBasis.PERSON:
            # The explanation is written from the counts: the same text as one written from a recount.
            assert alert.explanation.startswith(explain(alert.anchor_entity.label, recount).split(".")[0]), step


def test_counts_after_many_saves_equal_a_full_recount(save, people):
    rng = random.Random(4)
    for step in range(40):
        things = rng.sample(THINGS, rng.randint(1, 3))
        narrative = "Seen in AB12 CDE again." if rng.random() < 0.25 else ""
        save(rng.choice(WRITERS), people[rng.choice(CHILDREN)], things, narrative=narrative, days=step)
        _assert_every_alert_matches_a_recount(step)
    assert LinkAlert.objects.filter(basis=LinkBasis.PARTIAL).exists()
    assert LinkAlert.objects.filter(basis=LinkBasis.PERSON).exists()


def test_a_rejected_mention_is_not_counted_when_others_join_later(save, people, personas):
    save("alice", people["kayleigh"], narrative="Got into AB12 CDE outside school.")
    save("bob", people["daniel"], [("vehicle", "AB12 CDE")], days=1)
    [found] = Mention.objects.filter(status=MentionStatus.UNCONFIRMED)
    review_mention(actor=personas["alice"], mention_id=found.pk, decision="reject", reason="Misread the plate")
    _assert_every_alert_matches_a_recount("rejected")
    # A later record from the same agency about the same child: its record is new, its child and agency are
    # held only by the rejected mention, so they count again.
    save("alice", people["kayleigh"], [("vehicle", "AB12 CDE"), ("phone", "07700 900123")], days=2)
    _assert_every_alert_matches_a_recount("after")
    alert = LinkAlert.objects.get(link_key__startswith="entity:")
    assert (alert.record_count, alert.child_count, alert.agency_count) == (2, 2, 2)


def test_one_save_naming_a_full_mark_and_partials_that_fit_it_counts_each_once(save, people):
    save("alice", people["kayleigh"], [("vehicle", "AB12 CDE")])
    save("bob", people["daniel"], [("vehicle", "AB12 CDE")], days=1)
    save("charlie", people["jayden"], [("vehicle", "AB12 ?"), ("vehicle", "ends CDE"), ("vehicle", "ab12cde")],
         days=2)
    _assert_every_alert_matches_a_recount("partials")
    alert = LinkAlert.objects.get()
    assert alert.basis == LinkBasis.PARTIAL
    assert (alert.mention_count, alert.record_count, alert.child_count, alert.agency_count) == (5, 3, 3, 3)
