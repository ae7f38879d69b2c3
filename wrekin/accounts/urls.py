from django.contrib.auth.decorators import login_not_required
from django.urls import path

from wrekin.accounts import views

app_name = "accounts"

urlpatterns = [
    path("sign-in/", login_not_required(views.SignInView.as_view()), name="login"),
    path("sign-out/", views.SignOutView.as_view(), name="logout"),
    path("second-factor/", views.mfa, name="mfa"),
    path("confirm/", views.step_up, name="step_up"),
    path("security-keys/", views.passkey_list, name="passkeys"),
    path("security-keys/add/", views.add_passkey, name="add_passkey"),
    path("security-keys/<int:pk>/remove/", views.remove_passkey, name="remove_passkey"),
]
