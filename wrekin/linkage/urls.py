from django.urls import path

from wrekin.linkage import views

app_name = "linkage"

urlpatterns = [
    path("", views.import_list, name="imports"),
    path("imports/new/", views.upload, name="upload"),
    path("imports/<int:pk>/", views.import_detail, name="import_detail"),
    path("imports/<int:pk>/progress/", views.import_progress, name="import_progress"),
    path("imports/<int:pk>/columns/", views.mapping, name="mapping"),
    path("imports/<int:pk>/preview/", views.preview, name="preview"),
    path("imports/<int:pk>/run/", views.run, name="run"),
    path("imports/<int:pk>/discard/", views.discard, name="discard"),
    path("review/", views.review_queue, name="review_queue"),
    path("review/<int:pk>/", views.pair, name="pair"),
    path("people/<int:pk>/", views.person_records, name="person_records"),
    path("people/<int:pk>/merged/", views.merged_person, name="merged_person"),
    path("merges/<int:pk>/", views.merge_detail, name="merge"),
]
