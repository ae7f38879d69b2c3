from django.urls import path

from wrekin.people import views

app_name = "people"

urlpatterns = [
    path("", views.search, name="search"),
    path("new/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/names/add/", views.add_name, name="add_name"),
    path("<int:pk>/addresses/add/", views.add_address, name="add_address"),
    path("<int:pk>/phones/add/", views.add_phone, name="add_phone"),
]
