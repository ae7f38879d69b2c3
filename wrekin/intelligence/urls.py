from django.urls import path

from wrekin.intelligence import extraction_views, link_views, network_views, views

app_name = "intelligence"

urlpatterns = [
    path("people/", views.persons_of_concern, name="persons_of_concern"),
    path("people/completeness/", views.completeness, name="completeness"),
    path("people/<int:pk>/disruption/", views.disruption_log, name="disruption_log"),
    path("people/<int:pk>/disruption/new/", views.record_disruption, name="record_disruption"),
    path("people/<int:pk>/demographics/", views.demographics, name="demographics"),
    path("disruption/<int:pk>/", views.disruption_detail, name="disruption_detail"),
    path("disruption/<int:pk>/update/", views.update_disruption, name="update_disruption"),
    # Link alerts, entities, mentions and intelligence reports (wrekin/intelligence/link_views.py).
    path("alerts/", link_views.alerts, name="alerts"),
    path("alerts/<int:pk>/", link_views.alert_detail, name="alert_detail"),
    path("entities/<int:pk>/", link_views.entity_detail, name="entity_detail"),
    path("mentions/<int:pk>/", link_views.mention_review, name="mention_review"),
    path("reports/", link_views.reports, name="reports"),
    path("reports/new/", link_views.report_create, name="report_create"),
    path("reports/<int:pk>/", link_views.report_detail, name="report_detail"),
    # Networks: clusters, ranked persons of concern, hotspots, exports (wrekin/intelligence/network_views.py).
    path("network/", network_views.network, name="network"),
    path("network/export.graphml", network_views.network_graphml, name="network_graphml"),
    path("network/export.csv", network_views.network_csv, name="network_csv"),
    path("network/hotspots/", network_views.hotspots, name="hotspots"),
    path("network/persons-of-concern/", network_views.persons_ranked, name="persons_ranked"),
    # Live extraction suggestions for narratives (wrekin/intelligence/extraction_views.py).
    path("extract/", extraction_views.suggest, name="extract_suggestions"),
]
