from django.urls import path

from wrekin.mace import views

app_name = "mace"

urlpatterns = [
    path("", views.meetings, name="meetings"),
    path("new/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/invite/", views.invite, name="invite"),
    path("<int:pk>/attendance/", views.attendance, name="attendance"),
    path("<int:pk>/items/add/", views.add_item, name="add_item"),
    path("<int:pk>/items/<int:item_pk>/decision/", views.add_decision, name="add_decision"),
    path("<int:pk>/actions/add/", views.add_action, name="add_action"),
    path("<int:pk>/actions/<int:action_pk>/", views.update_action, name="update_action"),
    path("<int:pk>/minutes/", views.minutes, name="minutes"),
    path("<int:pk>/minutes/approve/", views.approve_minutes, name="approve_minutes"),
    path("<int:pk>/addenda/add/", views.add_addendum, name="add_addendum"),
]
