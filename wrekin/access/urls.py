from django.urls import path

from wrekin.access import views

app_name = "access"

urlpatterns = [
    path("notifications/", views.notifications, name="notifications"),
    path("people/<int:pk>/break-glass/", views.break_glass, name="break_glass"),
    path("break-glass/<int:grant_id>/end/", views.end_break_glass, name="end_break_glass"),
    path("break-glass/", views.break_glass_reviews, name="break_glass_reviews"),
    path("break-glass/<int:grant_id>/review/", views.review_break_glass, name="review_break_glass"),
    path("people/<int:pk>/restrict/", views.restrict, name="restrict"),
    path("people/<int:pk>/sharing/", views.person_sharing, name="person_sharing"),
    path("sharing/", views.sharing_register, name="sharing_register"),
]
