"""Disruption of persons of concern.

For now this app holds only the disruption log: what the partnership has done to
disrupt a person of concern (notices, orders, requests, referrals, arrests and
their outcomes), optionally naming the children each action protects. Entities
(vehicles, phones, locations, businesses) and intelligence reports join later.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class DisruptionKind(models.TextChoices):
    CAWN_S2 = "cawn_s2", "Child Abduction Warning Notice (s2 Child Abduction Act 1984, child under 16)"
    CAWN_S49 = "cawn_s49", "Child Abduction Warning Notice (s49 Children Act 1989, child in care under 18)"
    SEXUAL_RISK_ORDER = "sexual_risk_order", "Sexual Risk Order"
    SEXUAL_HARM_PREVENTION_ORDER = "shpo", "Sexual Harm Prevention Order"
    HOTEL_INFORMATION_REQUEST = "hotel_request", (
        "Hotel guest-information request (s116 Anti-social Behaviour, Crime and Policing Act 2014)")
    CLOSURE_ORDER = "closure_order", "Premises closure order (Anti-social Behaviour, Crime and Policing Act 2014)"
    LETTER = "letter", "Letter to the person of concern"
    TAXI_LICENSING_REFERRAL = "taxi_referral", "Taxi-licensing referral"
    ARREST = "arrest", "Arrest"
    CHARGE = "charge", "Charge"
    CONVICTION = "conviction", "Conviction"
    NO_FURTHER_ACTION = "nfa", "No further action"

    @classmethod
    def short_label(cls, value: str) -> str:
        return _SHORT_LABELS.get(value, cls(value).label)


_SHORT_LABELS = {
    DisruptionKind.CAWN_S2: "Child Abduction Warning Notice (s2)",
    DisruptionKind.CAWN_S49: "Child Abduction Warning Notice (s49)",
    DisruptionKind.HOTEL_INFORMATION_REQUEST: "Hotel guest-information request",
    DisruptionKind.CLOSURE_ORDER: "Premises closure order",
}

# Kinds that are about a particular hotel or premises.
PREMISES_KINDS = frozenset({DisruptionKind.HOTEL_INFORMATION_REQUEST, DisruptionKind.CLOSURE_ORDER})
# Kinds that protect named children and cannot be recorded without them.
CHILD_PROTECTING_KINDS = frozenset({DisruptionKind.CAWN_S2, DisruptionKind.CAWN_S49})


class DisruptionStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    UNDER_WAY = "under_way", "Under way (for example applied for, awaiting a decision)"
    DONE = "done", "Done (served, granted, made or sent)"
    NOT_ACHIEVED = "not_achieved", "Not achieved (refused, withdrawn or not possible)"

    @classmethod
    def short_label(cls, value: str) -> str:
        return cls(value).label.split(" (")[0]


class NoFurtherActionReason(models.TextChoices):
    EVIDENTIAL_DIFFICULTIES = "evidential_difficulties", "Evidential difficulties"
    VICTIM_DOES_NOT_SUPPORT = "victim_does_not_support", "Victim does not support further action"
    NOT_IN_PUBLIC_INTEREST = "not_in_public_interest", "Not in the public interest"
    OTHER = "other", "Other"


class DisruptionAction(models.Model):
    partnership = models.ForeignKey("accounts.Partnership", on_delete=models.PROTECT, related_name="+")
    person_of_concern = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="disruptions")
    # The children the action protects, if any are named. CAWNs always name at least one.
    children = models.ManyToManyField("people.Person", blank=True, related_name="disruptions_protecting")
    kind = models.CharField(max_length=20, choices=DisruptionKind.choices)
    occurred_on = models.DateField("date")
    status = models.CharField(max_length=15, choices=DisruptionStatus.choices)
    outcome = models.TextField(blank=True)
    reference = models.CharField("crime, court or licensing reference", max_length=60, blank=True)
    # Hotel requests and closure orders: which premises (free text until location records exist).
    premises_name = models.CharField("premises name and address", max_length=200, blank=True)
    premises_postcode = models.CharField("postcode", max_length=8, blank=True)
    # Taxi-licensing referrals: which licence, and which authority issued it (to share with them).
    driver_licence_number = models.CharField(max_length=40, blank=True)
    licensing_authority = models.CharField("issuing licensing authority", max_length=200, blank=True)
    # No further action: the reason is required (Telford's annual report counts NFA reasons).
    nfa_reason = models.CharField("reason for no further action", max_length=30,
                                  choices=NoFurtherActionReason.choices, blank=True)
    nfa_reason_detail = models.TextField("reason in more detail", blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_by_agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-occurred_on", "-pk"]
        indexes = [models.Index(fields=["person_of_concern", "occurred_on"])]

    def __str__(self) -> str:
        return f"{self.get_kind_short()} on {self.occurred_on:%-d %B %Y}"

    def get_kind_short(self) -> str:
        return DisruptionKind.short_label(self.kind)

    def get_status_short(self) -> str:
        return DisruptionStatus.short_label(self.status)


class DisruptionUpdate(models.Model):
    """A later change of status with what happened. Appended, so the first account is never lost."""

    disruption = models.ForeignKey(DisruptionAction, on_delete=models.PROTECT, related_name="updates")
    status = models.CharField(max_length=15, choices=DisruptionStatus.choices)
    note = models.TextField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_by_agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["recorded_at", "pk"]

    def __str__(self) -> str:
        return f"Update {self.pk} to disruption {self.disruption_id}"

    def get_status_short(self) -> str:
        return DisruptionStatus.short_label(self.status)
