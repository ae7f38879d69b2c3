"""Audit event types of entities, mentions, link alerts and intelligence reports.

Imported from IntelligenceConfig.ready(). Details hold ids, codes and counts only: never the
mark, number, name or narrative itself.
"""

from wrekin.audit.vocabulary import register

register("intelligence.mentions_recorded", "Recorded the entities a record mentions")
register("intelligence.mention_confirmed", "Confirmed a mention found by the machine")
register("intelligence.mention_rejected", "Rejected a mention")
register("intelligence.mention_resolved", "Confirmed which person of concern a named person is")
register("intelligence.mention_viewed", "Opened a mention to review it", is_read=True)
register("intelligence.entity_viewed", "Opened an entity and the mentions of it", is_read=True)
register("link_alert.raised", "A shared entity linked records about different children or agencies")
register("link_alert.updated", "More records joined a link alert")
register("link_alert.reopened", "A triaged link alert opened again because new records arrived")
register("link_alert.status_changed", "Triaged a link alert")
register("link_alert.viewed", "Opened a link alert", is_read=True)
register("link_alert.listed", "Listed link alerts", is_read=True)
register("intelligence_report.recorded", "Recorded an intelligence report")
register("intelligence_report.viewed", "Opened an intelligence report", is_read=True)
register("intelligence_report.listed", "Listed intelligence reports", is_read=True)
register("intelligence_report.subjects_searched", "Searched for people to name in an intelligence report",
         is_read=True)
