"""Link alerts: a shared entity has connected records about different children or from different agencies.

One alert per link (`link_key`, unique in a partnership): later records naming the same entity
update the alert — its mentions, counts and explanation — instead of raising another, and an
alert already actioned or dismissed opens again as new when new records arrive. Triage moves an
alert new → reviewed → actioned, or to dismissed with a reason; every move is a
LinkAlertTransition row and an audit event.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from wrekin.intelligence.models.entities import Entity, Mention


class LinkAlertStatus(models.TextChoices):
    NEW = "new", "New"
    REVIEWED = "reviewed", "Reviewed"
    ACTIONED = "actioned", "Actioned"
    DISMISSED = "dismissed", "Dismissed"


class LinkBasis(models.TextChoices):
    EXACT = "exact", "Same entity after normalisation"
    PARTIAL = "partial", "Partial vehicle mark fits a full mark"
    PERSON = "person", "Person named in a similar way, of a compatible age"


class LinkAlert(models.Model):
    partnership = models.ForeignKey("accounts.Partnership", on_delete=models.PROTECT, related_name="+")
    # "entity:<id>" for vehicles, phones, places, businesses and handles (the anchor entity);
    # "person:<id>" for a resolved person of concern; "person-mention:<id>" for a group of
    # person mentions joined by name and age (the earliest mention of the group).
    link_key = models.CharField(max_length=60)
    anchor_entity = models.ForeignKey(Entity, on_delete=models.PROTECT, related_name="anchored_alerts")
    basis = models.CharField(max_length=10, choices=LinkBasis.choices)
    entities = models.ManyToManyField(Entity, related_name="link_alerts")
    mentions = models.ManyToManyField(Mention, through="LinkAlertMention", related_name="link_alerts")

    status = models.CharField(max_length=10, choices=LinkAlertStatus.choices, default=LinkAlertStatus.NEW)
    explanation = models.TextField()
    # Counts as of the last update; the explanation is written from them.
    mention_count = models.PositiveIntegerField(default=0)
    record_count = models.PositiveIntegerField(default=0)
    child_count = models.PositiveIntegerField(default=0)
    agency_count = models.PositiveIntegerField(default=0)
    unconfirmed_count = models.PositiveIntegerField(default=0, help_text="Mentions not yet confirmed by a person")
    first_mentioned_at = models.DateTimeField()
    last_mentioned_at = models.DateTimeField()
    raised_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    # How many records the last triage decision was made on: more records re-open the alert.
    triaged_record_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-updated_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "link_key"], name="intelligence_one_alert_per_link"),
        ]
        indexes = [models.Index(fields=["partnership", "status", "updated_at"], name="intel_alert_status")]

    def __str__(self) -> str:
        return f"Link alert {self.pk}"

    @property
    def is_unconfirmed(self) -> bool:
        """Some linking mention is machine-found and not yet confirmed: shown as "unconfirmed"."""
        return self.unconfirmed_count > 0

    @property
    def is_open(self) -> bool:
        return self.status in (LinkAlertStatus.NEW, LinkAlertStatus.REVIEWED)


class LinkAlertMention(models.Model):
    """A mention joined to an alert, and why it belongs (e.g. "partial mark AB12 ? fits AB12 CDE")."""

    alert = models.ForeignKey(LinkAlert, on_delete=models.CASCADE, related_name="alert_mentions")
    mention = models.ForeignKey(Mention, on_delete=models.PROTECT, related_name="alert_links")
    reason = models.CharField(max_length=300)
    added_at = models.DateTimeField()

    class Meta:
        ordering = ["added_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["alert", "mention"], name="intelligence_alert_mention_once"),
        ]


class LinkAlertTransition(models.Model):
    """Every change of an alert's status, by whom and why. Never edited.

    `actor` is empty when the system re-opened the alert because new records arrived.
    """

    alert = models.ForeignKey(LinkAlert, on_delete=models.PROTECT, related_name="transitions")
    from_status = models.CharField(max_length=10, choices=LinkAlertStatus.choices)
    to_status = models.CharField(max_length=10, choices=LinkAlertStatus.choices)
    reason = models.TextField(blank=True)
    record_count = models.PositiveIntegerField(help_text="Records linked when the change was made")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    actor_agency = models.ForeignKey("accounts.Agency", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    occurred_at = models.DateTimeField()

    class Meta:
        ordering = ["occurred_at", "pk"]

    def __str__(self) -> str:
        return f"Alert {self.alert_id}: {self.from_status} → {self.to_status}"
