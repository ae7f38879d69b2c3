from django.urls import include, path

urlpatterns = [
    path("", include("wrekin.core.urls")),
    path("accounts/", include("wrekin.accounts.urls")),
    path("people/", include("wrekin.people.urls")),
    path("referrals/", include("wrekin.referrals.urls")),
    path("cases/", include("wrekin.casework.urls")),
    path("missing/", include("wrekin.missing.urls")),
    path("mace/", include("wrekin.mace.urls")),
    path("intelligence/", include("wrekin.intelligence.urls")),
    path("linkage/", include("wrekin.linkage.urls")),
    path("access/", include("wrekin.access.urls")),
    path("audit/", include("wrekin.audit.urls")),
    path("api/v1/", include("wrekin.api.urls")),
]
