"""Development only: print the code a user's authenticator app would show now.

For trying the demonstration without an authenticator app. Refused in production.
"""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from wrekin.accounts.models import User


class Command(BaseCommand):
    help = "Development only: print the current 6-digit sign-in code for USERNAME's authenticator."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        if settings.PRODUCTION:
            raise CommandError("demo_otp is for development only and is refused when WREKIN_ENV=production")
        try:
            user = User.objects.get(username=username)
        except User.DoesNotExist:
            raise CommandError(f"No user called {username!r}") from None
        devices = TOTPDevice.objects.filter(user=user)
        # The confirmed device if there is one, else the one the enrolment page created.
        device = devices.filter(confirmed=True).order_by("pk").first() or devices.order_by("pk").first()
        if device is None:
            raise CommandError(
                f"{username} has no authenticator yet: open their set-up link, sign in with the password "
                "and choose an authenticator app first, and the set-up page will make one"
            )
        now = time.time()
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        totp.time = now
        current_t = totp.t()
        # A code is accepted once: if this time step's code was used already, give the next one,
        # which the server accepts too (it allows one step of clock drift).
        usable_t = max(current_t, device.last_t + 1)
        if usable_t > current_t + device.tolerance:
            raise CommandError("The latest code has been used already: wait a few seconds and try again")
        totp.time = now + (usable_t - current_t) * device.step
        self.stdout.write(f"{totp.token():0{device.digits}d}")
