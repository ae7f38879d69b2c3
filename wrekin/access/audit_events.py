from wrekin.audit.vocabulary import register

register("access.known_to_shown", "Shown that a child is known to another team", is_read=True)
register("access.break_glass", "Opened a record with break-glass")
register("access.break_glass_ended", "Ended break-glass access")
register("access.break_glass_reviewed", "Reviewed a break-glass access")
register("access.break_glass_refused", "Break-glass refused")
register("access.restricted", "Restricted a record to named users")
register("access.restricted_user_added", "Named a user on a restricted record")
register("access.notifications_viewed", "Read notifications", is_read=True)
register("access.unusual_access", "Unusual access pattern detected")
register("access.sharing_recorded", "Recorded a decision to share or not to share")
register("access.sharing_viewed", "Viewed sharing records", is_read=True)
