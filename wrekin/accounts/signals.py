"""Sign-in and sign-out go on the audit trail."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from wrekin.audit.actions import record_event


@receiver(user_logged_in)
def _signed_in(sender, request, user, **kwargs):
    record_event("user.signed_in", actor=user)


@receiver(user_logged_out)
def _signed_out(sender, request, user, **kwargs):
    if user is not None:
        record_event("user.signed_out", actor=user)


@receiver(user_login_failed)
def _sign_in_failed(sender, credentials, request=None, **kwargs):
    # The typed username may be someone's name or a mistyped password: keep none of it.
    record_event("user.sign_in_failed")
