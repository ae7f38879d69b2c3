"""Audit event types written by casework. Imported from CaseworkConfig.ready()."""

from wrekin.audit.vocabulary import register

# Reads
register("case.viewed", "Opened a case", is_read=True)
register("case.list_viewed", "Listed cases", is_read=True)
register("case.person_cases_viewed", "Opened a child's casework summary", is_read=True)
register("chronology.viewed", "Read a child's chronology", is_read=True)
register("chronology.exported", "Exported a child's chronology")
# Changes
register("case.opened", "Opened a case for a child")
register("case.lead_changed", "Changed a case's lead professional")
register("case.team_member_added", "Added a professional to a case team")
register("case.team_member_removed", "Removed a professional from a case team")
register("case.risk_level_recorded", "Recorded a risk level")
register("case.plan_agreed", "Agreed a safeguarding plan")
register("case.plan_action_added", "Added a plan action")
register("case.plan_action_completed", "Completed or cancelled a plan action")
register("case.review_recorded", "Recorded a case review")
register("case.closure_requested", "Asked for a case to be closed")
register("case.closure_approved", "Approved a case closure")
register("case.closure_returned", "Returned a closure request without closing")
register("strategy_discussion.recorded", "Recorded a strategy discussion")
register("strategy_discussion.clock_met", "Recorded a strategy discussion deadline as met")
