from django.urls import path

from wrekin.referrals import views

app_name = "referrals"

urlpatterns = [
    path("new/", views.start, name="start"),
    path("new/child/", views.create_for_new_child, name="create_for_new_child"),
    path("people/<int:pk>/refer/", views.create, name="create"),
    path("people/<int:pk>/screenings/", views.person_screenings, name="person_screenings"),
    path("people/<int:pk>/screenings/new/", views.screening_create, name="screening_create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/triage/", views.triage, name="triage"),
    path("triage/", views.triage_queue, name="triage_queue"),
    path("screenings/awaiting-approval/", views.approvals, name="approvals"),
    path("screenings/<int:pk>/", views.screening_detail, name="screening_detail"),
    path("screenings/<int:pk>/approval/", views.screening_approval, name="screening_approval"),
]
