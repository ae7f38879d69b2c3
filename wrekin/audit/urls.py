from django.urls import path

from wrekin.audit import views

app_name = "audit"

urlpatterns = [
    path("", views.events, name="events"),
    path("people/<int:pk>/", views.person_history, name="person_history"),
    path("users/<str:username>/", views.user_activity, name="user_activity"),
    path("unusual/", views.unusual_access, name="unusual_access"),
]
