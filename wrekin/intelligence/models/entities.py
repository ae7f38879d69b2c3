"""Entities and mentions: the things records talk about, and each time a record talks about one.

An **Entity** is one vehicle, phone, location, business, online handle or person-as-named, held
once per partnership under its normalised *key* ("AB12CDE", "+447700900123"), so that every
record naming it points at the same row. A **Mention** ties an entity to the record that named it
(any app's record: `source_type` "app_label.model" + `source_id`), the child that record is
about, who recorded it and when, the relationship stated and the text as typed.

Mentions extracted by the machine start *unconfirmed*; a person confirms or rejects them.
Rejected mentions never link. Nothing here is deleted: a wrong mention is rejected, not removed.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class EntityType(models.TextChoices):
    VEHICLE = "vehicle", "Vehicle"
    PHONE = "phone", "Phone"
    LOCATION = "location", "Location"
    BUSINESS = "business", "Business"
    ONLINE = "online", "Online handle"
    PERSON = "person", "Person (as named)"


class VehicleMarkFormat(models.TextChoices):
    """UK registration mark formats (DVLA), so an analyst can see what was recognised."""

    CURRENT = "current", "Current (AB12 CDE, since 2001)"
    PREFIX = "prefix", "Prefix (A123 BCD, 1983–2001)"
    SUFFIX = "suffix", "Suffix (ABC 123D, 1963–1983)"
    DATELESS = "dateless", "Dateless (ABC 123, 1 AB...)"
    NORTHERN_IRELAND = "northern_ireland", "Northern Ireland (ABZ 1234)"
    PARTIAL = "partial", "Partial mark"
    UNRECOGNISED = "unrecognised", "Not a recognised format"


class PremisesType(models.TextChoices):
    HOTEL = "hotel", "Hotel"
    TAKEAWAY = "takeaway", "Takeaway"
    TAXI_RANK = "taxi_rank", "Taxi rank"
    PARK = "park", "Park"
    HOUSE = "house", "House or flat"
    SHOP = "shop", "Shop"
    OTHER = "other", "Other"


class BusinessKind(models.TextChoices):
    TAXI_OPERATOR = "taxi_operator", "Taxi or private hire operator"
    TAKEAWAY = "takeaway", "Takeaway"
    HOTEL = "hotel", "Hotel"
    OTHER = "other", "Other"


class Entity(models.Model):
    """One vehicle, phone, location, business, online handle or named person, once per partnership.

    `key` is the normalised identity the link check matches on; `display` is how it is shown
    ("AB12 CDE"). The type-specific columns are blank for other types. A partial vehicle mark
    ("AB12 ?", "starts AB12") is its own entity with `is_partial`, key "AB12*" (`?` one unknown
    character, `*` an unknown run), its known leading and trailing characters in
    `partial_prefix` and `partial_suffix`, and a regular expression over full keys in `pattern`;
    it links to every full mark the pattern accepts, never to a mark it rejects.
    """

    partnership = models.ForeignKey("accounts.Partnership", on_delete=models.PROTECT, related_name="+")
    type = models.CharField(max_length=10, choices=EntityType.choices)
    key = models.CharField(max_length=200, help_text="Normalised identity, e.g. AB12CDE or +447700900123")
    display = models.CharField(max_length=200, help_text="How it is shown, e.g. AB12 CDE")

    # Partial identities (vehicle marks today): match by pattern, not by key.
    is_partial = models.BooleanField(default=False)
    partial_prefix = models.CharField(max_length=20, blank=True,
                                      help_text='Leading characters known for certain; "?" when neither end is known')
    partial_suffix = models.CharField(max_length=20, blank=True,
                                      help_text="Trailing characters known for certain (may be empty)")
    pattern = models.CharField(max_length=200, blank=True, help_text="Regular expression over full keys")
    # Full vehicle marks: the key reversed, so a partial mark known only by its end ("ends CDE")
    # finds full marks by an index range instead of reading every vehicle.
    reversed_key = models.CharField(max_length=20, blank=True)

    # Vehicle
    mark_format = models.CharField(max_length=20, choices=VehicleMarkFormat.choices, blank=True)
    make = models.CharField(max_length=60, blank=True)
    model = models.CharField(max_length=60, blank=True)
    colour = models.CharField(max_length=40, blank=True)

    # Location
    address = models.CharField(max_length=300, blank=True)
    postcode = models.CharField(max_length=8, blank=True, help_text="Formatted, e.g. TF1 2AB")
    premises_name = models.CharField(max_length=200, blank=True)
    premises_type = models.CharField(max_length=12, choices=PremisesType.choices, blank=True)

    # Business
    business_kind = models.CharField(max_length=15, choices=BusinessKind.choices, blank=True)
    licence_number = models.CharField(max_length=60, blank=True,
                                      help_text="Operator, premises or driver licence number")

    # Online handle: key is "platform:handle" (platform may be empty when not known)
    platform = models.CharField(max_length=40, blank=True, help_text="Lower case, e.g. snapchat")
    handle = models.CharField(max_length=100, blank=True, help_text="Lower case, without @")

    # Person as named: the name; its phonetic key finds spelling variants and nicknames quickly.
    name = models.CharField(max_length=200, blank=True)
    name_key = models.CharField(max_length=12, blank=True, help_text="Phonetic key of the first name")
    family_key = models.CharField(max_length=12, blank=True,
                                  help_text="Initial of the last name, when more than one name was given")

    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")

    class Meta:
        verbose_name_plural = "entities"
        ordering = ["type", "display", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "type", "key"], name="intelligence_entity_identity"),
        ]
        indexes = [
            # Partial marks: a full mark finds the partials whose prefix it starts with (equality on
            # each of its leading substrings), and a partial finds full marks by key range.
            # Only partial marks have a prefix or suffix (a partial with neither known end has the
            # prefix "?"), so these indexes hold the partials alone in practice.
            models.Index(fields=["partnership", "type", "partial_prefix"], name="intel_entity_partial_prefix"),
            models.Index(fields=["partnership", "type", "partial_suffix"], name="intel_entity_partial_suffix"),
            models.Index(fields=["partnership", "type", "reversed_key"], name="intel_entity_reversed_key"),
            models.Index(fields=["partnership", "type", "handle"], name="intel_entity_handle"),
            models.Index(fields=["partnership", "type", "name_key", "family_key"], name="intel_entity_name_key"),
            models.Index(fields=["partnership", "type", "licence_number"], name="intel_entity_licence"),
        ]

    def __str__(self) -> str:
        return f"{self.get_type_display()} {self.display}"

    @property
    def label(self) -> str:
        """Plain words for explanations: "vehicle AB12 CDE", "phone +447700900123"."""
        noun = {EntityType.VEHICLE: "partial vehicle mark" if self.is_partial else "vehicle",
                EntityType.PHONE: "phone", EntityType.LOCATION: "location", EntityType.BUSINESS: "business",
                EntityType.ONLINE: "online handle", EntityType.PERSON: "person named"}[self.type]
        return f"{noun} {self.display}"

    def description(self) -> str:
        """The type-specific details in one line, for lists."""
        if self.type == EntityType.VEHICLE:
            parts = [self.colour, self.make, self.model]
        elif self.type == EntityType.LOCATION:
            parts = [self.get_premises_type_display() if self.premises_type else "", self.premises_name,
                     self.address, self.postcode]
        elif self.type == EntityType.BUSINESS:
            parts = [self.get_business_kind_display() if self.business_kind else "",
                     f"licence {self.licence_number}" if self.licence_number else ""]
        elif self.type == EntityType.ONLINE:
            parts = [self.platform.title() if self.platform else "platform not known"]
        else:
            parts = []
        return ", ".join(p for p in parts if p)


class MentionStatus(models.TextChoices):
    UNCONFIRMED = "unconfirmed", "Unconfirmed (found by the machine)"
    CONFIRMED = "confirmed", "Confirmed"
    REJECTED = "rejected", "Rejected"


class MentionOrigin(models.TextChoices):
    STRUCTURED = "structured", "Entered in a field"
    EXTRACTED = "extracted", "Found in the narrative"


class ResolutionStatus(models.TextChoices):
    SUGGESTED = "suggested", "Suggested by the machine"
    # The narrative used a name on this person of concern's record (and no one else's the writer may see):
    # linked as that person, unconfirmed, until a person confirms or corrects it.
    NAMED = "named", "Named in the text (not confirmed)"
    CONFIRMED = "confirmed", "Confirmed"


class Mention(models.Model):
    """One record naming one entity.

    The source is generic: `source_type` is the record's "app_label.model" (e.g.
    "referrals.referral") and `source_id` its primary key; `child` is the child the record is
    about, when there is one. Person mentions carry what was said about the person in this
    record (nickname, approximate age, description) and may be resolved to a Person of concern:
    suggested by name search, named (a name on one person of concern's record, found in a narrative),
    confirmed by a person.
    """

    partnership = models.ForeignKey("accounts.Partnership", on_delete=models.PROTECT, related_name="+")
    entity = models.ForeignKey(Entity, on_delete=models.PROTECT, related_name="mentions")
    source_type = models.CharField(max_length=100, help_text='"app_label.model", e.g. referrals.referral')
    source_id = models.PositiveBigIntegerField()
    source_title = models.CharField(max_length=200, blank=True,
                                    help_text="How the source record is named, e.g. Referral from Test Constabulary")
    child = models.ForeignKey("people.Person", null=True, blank=True, on_delete=models.PROTECT,
                              related_name="entity_mentions")

    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    recorded_by_agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    relationship = models.CharField(max_length=200, blank=True,
                                    help_text='As stated, e.g. "child was picked up in"')
    as_typed = models.CharField(max_length=300, help_text="The text exactly as written")
    detail = models.CharField(max_length=500, blank=True)
    origin = models.CharField(max_length=10, choices=MentionOrigin.choices)
    # Where in the source narrative an extracted mention was found (characters), when it was.
    span_start = models.PositiveIntegerField(null=True, blank=True)
    span_end = models.PositiveIntegerField(null=True, blank=True)

    status = models.CharField(max_length=12, choices=MentionStatus.choices)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_reason = models.TextField(blank=True)

    # Person mentions only.
    nickname = models.CharField(max_length=100, blank=True)
    approximate_age = models.PositiveSmallIntegerField(null=True, blank=True)
    # The year the person was born if the approximate age was right when recorded: ages given years
    # apart then compare directly, and the link check narrows candidates by it. A mention named as a
    # person of concern (resolution "named") with no age stated carries that person's birth year.
    birth_year = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    description = models.CharField(max_length=500, blank=True)
    resolved_person = models.ForeignKey("people.Person", null=True, blank=True, on_delete=models.PROTECT,
                                        related_name="resolved_mentions")
    resolution_status = models.CharField(max_length=10, choices=ResolutionStatus.choices, blank=True)
    resolution_score = models.FloatField(null=True, blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-recorded_at", "-pk"]
        indexes = [
            models.Index(fields=["entity", "status"], name="intel_mention_entity_status"),
            models.Index(fields=["source_type", "source_id"], name="intel_mention_source"),
            models.Index(fields=["child", "recorded_at"], name="intel_mention_child"),
            models.Index(fields=["resolved_person"], name="intel_mention_resolved"),
            # Every mention confirmed or named as one person of concern (the link check's "same person"), by an
            # index of only the mentions that are resolved: with almost every mention unresolved, SQLite's
            # statistics on the full index make it read the whole table instead.
            models.Index(fields=["resolved_person", "resolution_status"], name="intel_mention_identified",
                         condition=models.Q(resolved_person__isnull=False)),
        ]

    def __str__(self) -> str:
        return f"Mention {self.pk} of entity {self.entity_id} in {self.source_key}"

    @property
    def source_key(self) -> str:
        """"app_label.model:id", the same form as ChronologyEntry.source and the alerts API's record_ids."""
        return f"{self.source_type}:{self.source_id}"

    @property
    def is_unconfirmed(self) -> bool:
        return self.status == MentionStatus.UNCONFIRMED
