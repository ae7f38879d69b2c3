from django.urls import path

from wrekin.missing import views

app_name = "missing"

urlpatterns = [
    path("people/<int:pk>/", views.child_episodes, name="child_episodes"),
    path("people/<int:pk>/record/", views.record_episode, name="record_episode"),
    path("episodes/<int:pk>/", views.episode_detail, name="episode_detail"),
    path("episodes/<int:pk>/return/", views.record_return, name="record_return"),
    path("episodes/<int:pk>/interview/", views.record_interview, name="record_interview"),
    path("interviews/", views.interviews_due, name="interviews_due"),
    path("interviews/<int:pk>/outcome/", views.record_interview_outcome, name="record_interview_outcome"),
    path("alerts/", views.pattern_alerts, name="alerts"),
    path("alerts/<int:pk>/", views.alert_detail, name="alert_detail"),
]
