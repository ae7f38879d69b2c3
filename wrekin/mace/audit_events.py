"""Audit event types of MACE meetings. Imported from MaceConfig.ready()."""

from wrekin.audit.vocabulary import register

register("mace.meeting_created", "Created a MACE meeting")
register("mace.meeting_viewed", "Opened a MACE meeting", is_read=True)
register("mace.attendee_invited", "Invited an attendee to a MACE meeting")
register("mace.attendance_recorded", "Recorded attendance at a MACE meeting")
register("mace.item_added", "Added an item to a MACE agenda")
register("mace.people_searched", "Searched for people to add to a MACE agenda", is_read=True)
register("mace.decision_recorded", "Recorded a MACE decision")
register("mace.action_added", "Added a MACE action")
register("mace.action_status_changed", "Completed or cancelled a MACE action")
register("mace.minutes_drafted", "Drafted MACE minutes")
register("mace.minutes_approved", "Approved MACE minutes")
register("mace.addendum_added", "Added an addendum to approved MACE minutes")
