"""People known to the partnership: children, persons of concern and associates."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models

from wrekin.people.names import name_key


class PersonKind(models.TextChoices):
    CHILD = "child", "Child or young person"
    PERSON_OF_CONCERN = "person_of_concern", "Person of concern"
    ASSOCIATE = "associate", "Associate"


class Sex(models.TextChoices):
    # The DfE "Sex" item (2024-25 onwards): F, M, U. Blank means nobody has asked yet.
    FEMALE = "F", "Female"
    MALE = "M", "Male"
    UNKNOWN = "U", "Not known"


class Ethnicity(models.TextChoices):
    """DfE main ethnicity codes. REFU and NOBT are answers; blank means never asked."""

    WBRI = "WBRI", "White – British"
    WIRI = "WIRI", "White – Irish"
    WIRT = "WIRT", "Traveller of Irish heritage"
    WROM = "WROM", "Gypsy / Roma"
    WOTH = "WOTH", "Any other White background"
    MWBC = "MWBC", "White and Black Caribbean"
    MWBA = "MWBA", "White and Black African"
    MWAS = "MWAS", "White and Asian"
    MOTH = "MOTH", "Any other mixed background"
    AIND = "AIND", "Indian"
    APKN = "APKN", "Pakistani"
    ABAN = "ABAN", "Bangladeshi"
    AOTH = "AOTH", "Any other Asian background"
    BCRB = "BCRB", "Black Caribbean"
    BAFR = "BAFR", "Black African"
    BOTH = "BOTH", "Any other Black background"
    CHNE = "CHNE", "Chinese"
    OOTH = "OOTH", "Any other ethnic group"
    REFU = "REFU", "Refused"
    NOBT = "NOBT", "Information not yet obtained"


class Disability(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    NOT_KNOWN = "not_known", "Not known"


class SpecialEducationalNeeds(models.TextChoices):
    NONE = "N", "No special educational needs"
    SUPPORT = "K", "SEN support"
    EHC_PLAN = "E", "Education, health and care plan"
    NOT_KNOWN = "U", "Not known"


class Person(models.Model):
    partnership = models.ForeignKey("accounts.Partnership", on_delete=models.PROTECT, related_name="people")
    kind = models.CharField(max_length=20, choices=PersonKind.choices, default=PersonKind.CHILD)
    given_name = models.CharField(max_length=100)
    middle_names = models.CharField(max_length=200, blank=True)
    family_name = models.CharField(max_length=100, blank=True)
    known_as = models.CharField(max_length=100, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    # When the date of birth is not known: an estimate and the day it was made, so it ages.
    approximate_age = models.PositiveSmallIntegerField(null=True, blank=True)
    approximate_age_recorded_on = models.DateField(null=True, blank=True)
    sex = models.CharField(max_length=1, choices=Sex.choices, blank=True)
    ethnicity = models.CharField(max_length=4, choices=Ethnicity.choices, blank=True)
    # For persons of concern the officer-observed ethnicity is recorded beside the self-defined one.
    ethnicity_observed = models.CharField(max_length=4, choices=Ethnicity.choices, blank=True)
    nationality = models.CharField(max_length=100, blank=True)
    disability = models.CharField(max_length=10, choices=Disability.choices, blank=True)
    special_educational_needs = models.CharField(
        max_length=1, choices=SpecialEducationalNeeds.choices, blank=True
    )
    nhs_number = models.CharField(max_length=10, blank=True, db_index=True)
    upn = models.CharField("unique pupil number", max_length=13, blank=True, db_index=True)
    school = models.CharField(max_length=200, blank=True)
    looked_after = models.BooleanField(null=True, blank=True)
    placed_out_of_area = models.BooleanField(null=True, blank=True)
    occupation = models.CharField(max_length=200, blank=True)
    # A restricted record (e.g. a staff member's relative) opens only to users named in
    # access.RestrictedAccess, whatever their role.
    is_restricted = models.BooleanField(default=False)
    # Set when this record was merged into another (wrekin.linkage.merges): the person lives on as
    # `merged_into`, this row is hidden from lists and searches, and an unmerge clears both fields.
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="merged_people")
    merged_at = models.DateTimeField(null=True, blank=True)

    # Search keys, kept in step with the names by save() (and by bulk loaders explicitly).
    given_key = models.CharField(max_length=12, blank=True, editable=False)
    family_key = models.CharField(max_length=12, blank=True, editable=False)
    known_as_key = models.CharField(max_length=12, blank=True, editable=False)
    birth_year = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)

    recorded_by_agency = models.ForeignKey(
        "accounts.Agency", on_delete=models.PROTECT, related_name="people_recorded"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["family_name", "given_name", "pk"]
        indexes = [
            models.Index(fields=["partnership", "family_key", "birth_year"]),
            models.Index(fields=["partnership", "given_key", "birth_year"]),
            models.Index(fields=["partnership", "known_as_key"]),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.given_name, self.middle_names, self.family_name) if part)

    def refresh_search_keys(self) -> None:
        self.given_key = name_key(self.given_name)
        self.family_key = name_key(self.family_name)
        self.known_as_key = name_key(self.known_as)
        self.birth_year = self.estimated_birth_year()

    def estimated_birth_year(self) -> int | None:
        if self.date_of_birth:
            return self.date_of_birth.year
        if self.approximate_age is not None and self.approximate_age_recorded_on:
            return self.approximate_age_recorded_on.year - self.approximate_age
        return None

    def age_on(self, day: date) -> int | None:
        if self.date_of_birth:
            dob = self.date_of_birth
            return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))
        if self.approximate_age is not None and self.approximate_age_recorded_on:
            return self.approximate_age + (day - self.approximate_age_recorded_on).days // 365
        return None

    def save(self, *args, **kwargs):
        self.refresh_search_keys()
        super().save(*args, **kwargs)


class NameKind(models.TextChoices):
    ALIAS = "alias", "Alias"
    NICKNAME = "nickname", "Nickname or street name"
    PREVIOUS = "previous", "Previous name"
    SPELLING = "spelling", "Other spelling"


class PersonName(models.Model):
    """Other names a person is known by: aliases, nicknames, previous names."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="other_names")
    kind = models.CharField(max_length=10, choices=NameKind.choices)
    given_name = models.CharField(max_length=100, blank=True)
    family_name = models.CharField(max_length=100, blank=True)
    given_key = models.CharField(max_length=12, blank=True, editable=False, db_index=True)
    family_key = models.CharField(max_length=12, blank=True, editable=False, db_index=True)
    recorded_by_agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return " ".join(part for part in (self.given_name, self.family_name) if part)

    def save(self, *args, **kwargs):
        self.given_key = name_key(self.given_name)
        self.family_key = name_key(self.family_name)
        super().save(*args, **kwargs)


class PersonAddress(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="addresses")
    line1 = models.CharField("address line 1", max_length=200)
    line2 = models.CharField("address line 2", max_length=200, blank=True)
    town = models.CharField("town or city", max_length=100, blank=True)
    postcode = models.CharField(max_length=8, blank=True, db_index=True)
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)
    recorded_by_agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-valid_from", "-pk"]
        verbose_name_plural = "addresses"

    def __str__(self) -> str:
        return ", ".join(part for part in (self.line1, self.line2, self.town, self.postcode) if part)

    @property
    def is_current(self) -> bool:
        return self.valid_to is None


class PersonPhone(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="phones")
    number = models.CharField(max_length=20, help_text="E.164, for example +447700900123", db_index=True)
    as_given = models.CharField(max_length=40, blank=True)
    label = models.CharField(max_length=60, blank=True)
    recorded_by_agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.number


class InvolvementKind(models.TextChoices):
    RECORDED = "recorded", "Recorded this person"
    WORKING_WITH = "working_with", "Working with this person"
    INVESTIGATING = "investigating", "Investigating"


class Involvement(models.Model):
    """An agency's involvement with a person: the relationship the access policy starts from."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="involvements")
    agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="involvements")
    kind = models.CharField(max_length=20, choices=InvolvementKind.choices)
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    summary = models.TextField(blank=True)
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-started_on", "-pk"]
        indexes = [models.Index(fields=["agency", "person"])]

    def __str__(self) -> str:
        return f"{self.agency} — {self.get_kind_display()}"


class RelationshipKind(models.TextChoices):
    PARENT = "parent", "Parent or carer"
    SIBLING = "sibling", "Sibling"
    PEER = "peer", "Friend or peer"
    BOYFRIEND = "boyfriend", "Described as boyfriend or girlfriend"
    ASSOCIATE = "associate", "Associate"
    CONTROLLING_ADULT = "controlling_adult", "Older or controlling adult"


class PersonRelationship(models.Model):
    """A stated connection between two people, with who recorded it."""

    from_person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="relationships_from")
    to_person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="relationships_to")
    kind = models.CharField(max_length=20, choices=RelationshipKind.choices)
    recorded_by_agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="+")
    recorded_on = models.DateField()
    note = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"{self.from_person_id} {self.kind} {self.to_person_id}"
