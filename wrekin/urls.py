from django.urls import include, path

urlpatterns = [
    path("", include("wrekin.core.urls")),
    path("accounts/", include("wrekin.accounts.urls")),
    path("people/", include("wrekin.people.urls")),
    path("audit/", include("wrekin.audit.urls")),
]
