"""Audit event types written by the missing app. Details hold ids, codes and counts only."""

from wrekin.audit.vocabulary import register

register("missing.episode_recorded", "Recorded a missing episode")
register("missing.return_recorded", "Recorded a child's return from a missing episode")
register("missing.interview_recorded", "Recorded a return home interview offer or outcome")
register("missing.interview_outcome_recorded", "Recorded the outcome of an offered return home interview")
register("missing.pattern_alert_raised", "Raised a missing-pattern alert")
register("missing.pattern_alert_updated", "Added an episode to a missing-pattern alert")
register("missing.pattern_decision_recorded", "Recorded a decision on a missing-pattern alert")
register("missing.episodes_listed", "Listed a child's missing episodes", is_read=True)
register("missing.episode_viewed", "Opened a missing episode", is_read=True)
register("missing.interviews_due_viewed", "Listed return home interviews due", is_read=True)
register("missing.pattern_alerts_listed", "Listed missing-pattern alerts", is_read=True)
register("missing.pattern_alert_viewed", "Opened a missing-pattern alert", is_read=True)
