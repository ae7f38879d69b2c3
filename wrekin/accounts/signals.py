"""Sign-in and sign-out go on the audit trail; sign-in starts the session's absolute time limit."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from wrekin.accounts.middleware import record_sign_in_time
from wrekin.audit.actions import record_event


@receiver(user_logged_in)
def _signed_in(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        record_sign_in_time(request.session)
    record_event("user.signed_in", actor=user)


@receiver(user_logged_out)
def _signed_out(sender, request, user, **kwargs):
    if user is not None:
        reason = getattr(request, "wrekin_sign_out_reason", "")
        record_event("user.signed_out", actor=user, details={"reason": reason} if reason else None)


@receiver(user_login_failed)
def _sign_in_failed(sender, credentials, request=None, **kwargs):
    # The typed username may be someone's name or a mistyped password: keep none of it.
    # django-axes handles this signal first and marks the request when the attempt locks out.
    locked_out = bool(getattr(request, "axes_locked_out", False))
    record_event("user.sign_in_failed", details={"locked_out": True} if locked_out else None)
