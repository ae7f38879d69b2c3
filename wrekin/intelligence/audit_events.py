"""Audit event types of the disruption log. Imported from IntelligenceConfig.ready()."""

from wrekin.audit.vocabulary import register

register("disruption.recorded", "Recorded a disruption action against a person of concern")
register("disruption.updated", "Recorded what happened next in a disruption action")
register("disruption.viewed", "Opened a disruption action", is_read=True)
register("disruption.log_viewed", "Opened a person of concern's disruption log", is_read=True)
register("disruption.children_searched", "Searched for children to name in a disruption action", is_read=True)
register("disruption.persons_of_concern_listed", "Listed persons of concern", is_read=True)
register("disruption.completeness_viewed", "Viewed the demographic completeness of persons of concern",
         is_read=True)
