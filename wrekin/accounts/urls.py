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
    path("security-keys/app/", views.add_authenticator_app, name="add_authenticator_app"),
    path("security-keys/<int:pk>/remove/", views.remove_passkey, name="remove_passkey"),
    # One-time set-up links (the token is in the path once; the page it leads to drops it).
    path("set-up/", login_not_required(views.set_up_start), name="set_up_start"),
    path("set-up/password/", views.set_up_password, name="set_up_password"),
    path("set-up/passkey/", views.set_up_passkey, name="set_up_passkey"),
    path("set-up/<str:token>/", views.set_up, name="set_up"),
    # Administrators: the partnership's accounts, new set-up links, and changes to who can sign in.
    path("users/", views.account_list, name="users"),
    path("users/new/", views.create_account, name="create_user"),
    path("users/<int:pk>/disable/", views.disable_account, name="disable_user"),
    path("users/<int:pk>/enable/", views.enable_account, name="enable_user"),
    path("users/<int:pk>/reset-sign-in/", views.reset_authenticator, name="reset_authenticator"),
    path("users/<int:pk>/set-up-link/", views.issue_set_up_link, name="issue_set_up_link"),
]
