from django.urls import path

from wrekin.intelligence import views

app_name = "intelligence"

urlpatterns = [
    path("people/", views.persons_of_concern, name="persons_of_concern"),
    path("people/completeness/", views.completeness, name="completeness"),
    path("people/<int:pk>/disruption/", views.disruption_log, name="disruption_log"),
    path("people/<int:pk>/disruption/new/", views.record_disruption, name="record_disruption"),
    path("people/<int:pk>/demographics/", views.demographics, name="demographics"),
    path("disruption/<int:pk>/", views.disruption_detail, name="disruption_detail"),
    path("disruption/<int:pk>/update/", views.update_disruption, name="update_disruption"),
]
