"""Audit event types of the network pages and exports.

Imported by wrekin.intelligence.network (and so by the pages that use it). Details hold counts, filter codes
and cluster numbers only: never a name, mark or number.
"""

from wrekin.audit.vocabulary import register

register("network.viewed", "Opened the network of children, persons of concern and entities", is_read=True)
register("network.exported", "Exported the network for an analysts' tool (GraphML or CSV)", is_read=True)
register("network.persons_ranked_viewed", "Viewed persons of concern ranked by the children linked to them",
         is_read=True)
register("network.hotspots_viewed", "Viewed hotspots: locations and businesses by the children mentioned there",
         is_read=True)
