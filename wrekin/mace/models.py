"""Multi-agency child exploitation (MACE) meetings.

A meeting belongs to one partnership and is seen only by its chair, its invited
attendees and the partnership's exploitation coordinators (wrekin/access/mace.py).
Its agenda names children, persons of concern and locations; decisions belong to
agenda items; actions have an owner, an agency and a due date.

Once the chair approves the minutes, the minutes, agenda items, decisions and
attendance are a record of what happened and never change again: the actions in
wrekin/mace/actions.py refuse to touch them. Corrections are addenda, appended.
Actions keep their own life (open, done, cancelled) after approval: that is
follow-up, not history.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.db import models

# The partnership's usual review cycle for a child discussed at MACE.
DEFAULT_REVIEW_INTERVAL = timedelta(weeks=12)


class MaceMeeting(models.Model):
    partnership = models.ForeignKey("accounts.Partnership", on_delete=models.PROTECT,
                                    related_name="mace_meetings")
    held_on = models.DateField("date of the meeting")
    venue = models.CharField(max_length=200, blank=True,
                             help_text="Where, or how, the meeting is held")
    chair = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="mace_chaired")
    # The minutes narrative: drafted (possibly several times), then approved once by the chair.
    minutes = models.TextField(blank=True)
    minutes_drafted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                           on_delete=models.PROTECT, related_name="+")
    minutes_drafted_at = models.DateTimeField(null=True, blank=True)
    minutes_approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                            on_delete=models.PROTECT, related_name="+")
    minutes_approved_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-held_on", "-pk"]
        indexes = [models.Index(fields=["partnership", "held_on"])]

    def __str__(self) -> str:
        return f"MACE meeting, {self.held_on:%-d %B %Y}"

    @property
    def is_approved(self) -> bool:
        return self.minutes_approved_at is not None

    def default_review_date(self) -> date:
        return self.held_on + DEFAULT_REVIEW_INTERVAL


class Attendance(models.TextChoices):
    ATTENDED = "attended", "Attended"
    APOLOGIES = "apologies", "Sent apologies"
    ABSENT = "absent", "Absent"


class MaceAttendee(models.Model):
    """An invited attendee. Their agency is kept as it was when invited: attendance is by agency."""

    meeting = models.ForeignKey(MaceMeeting, on_delete=models.PROTECT, related_name="attendees")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="mace_invitations")
    agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="+")
    # Blank until recorded, on or after the day of the meeting.
    attendance = models.CharField(max_length=10, choices=Attendance.choices, blank=True)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    invited_at = models.DateTimeField(auto_now_add=True)
    attendance_recorded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["agency__name", "user__first_name", "user__username"]
        constraints = [models.UniqueConstraint(fields=["meeting", "user"], name="mace_attendee_once")]

    def __str__(self) -> str:
        return f"{self.user} ({self.agency})"


class AgendaItemKind(models.TextChoices):
    CHILD = "child", "Child or young person"
    PERSON_OF_CONCERN = "person_of_concern", "Person of concern"
    LOCATION = "location", "Location"


class MaceAgendaItem(models.Model):
    meeting = models.ForeignKey(MaceMeeting, on_delete=models.PROTECT, related_name="items")
    kind = models.CharField(max_length=20, choices=AgendaItemKind.choices)
    # A child or a person of concern; empty for a location.
    person = models.ForeignKey("people.Person", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="mace_items")
    # Locations are free text until shared location records exist.
    location_name = models.CharField("address or premises name", max_length=200, blank=True)
    location_postcode = models.CharField("postcode", max_length=8, blank=True)
    summary = models.TextField()
    # Children only: when the partnership next looks at this child at MACE.
    next_review_on = models.DateField(null=True, blank=True)
    position = models.PositiveSmallIntegerField()
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["meeting", "position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(kind="location", person__isnull=True)
                           | (~models.Q(kind="location") & models.Q(person__isnull=False))),
                name="mace_item_person_matches_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.subject_name}"

    @property
    def subject_name(self) -> str:
        if self.kind == AgendaItemKind.LOCATION:
            return ", ".join(part for part in (self.location_name, self.location_postcode) if part)
        return self.person.full_name if self.person_id else ""


class MaceDecision(models.Model):
    item = models.ForeignKey(MaceAgendaItem, on_delete=models.PROTECT, related_name="decisions")
    text = models.TextField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["recorded_at", "pk"]

    def __str__(self) -> str:
        return f"Decision {self.pk} on item {self.item_id}"


class ActionStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"


class MaceAction(models.Model):
    meeting = models.ForeignKey(MaceMeeting, on_delete=models.PROTECT, related_name="actions")
    # The agenda item it came from, if any (an action can be about the meeting as a whole).
    item = models.ForeignKey(MaceAgendaItem, null=True, blank=True, on_delete=models.PROTECT,
                             related_name="actions")
    description = models.TextField()
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="mace_actions")
    agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="mace_actions")
    due_on = models.DateField()
    status = models.CharField(max_length=10, choices=ActionStatus.choices, default=ActionStatus.OPEN)
    status_note = models.TextField(blank=True)
    status_changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                          on_delete=models.PROTECT, related_name="+")
    status_changed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["owner", "status", "due_on"])]

    def __str__(self) -> str:
        return f"Action {self.pk} due {self.due_on}"


class MaceAddendum(models.Model):
    """A correction or addition to approved minutes. Appended; never edited."""

    meeting = models.ForeignKey(MaceMeeting, on_delete=models.PROTECT, related_name="addenda")
    text = models.TextField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["added_at", "pk"]
        verbose_name_plural = "addenda"

    def __str__(self) -> str:
        return f"Addendum {self.pk} to meeting {self.meeting_id}"
