"""`wrekin reset_authenticator USERNAME --reason "..."`: reset a lost authenticator from the command line.

The same action as the administrators' *Reset sign-in* page, for when there is no other administrator to
do it (the last administrator has lost their phone): every authenticator app and passkey of the account is
removed, its sessions end, its open set-up links stop working, and a new one-time link is printed once.
Audited as `user.second_factors_reset` with no actor (an operator) and the reason given.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from wrekin.accounts.actions import EnrolmentRefused, reset_authenticator
from wrekin.accounts.management.commands.set_up_link import add_base_url_argument, describe_link
from wrekin.accounts.models import User


class Command(BaseCommand):
    help = ("Remove every authenticator app and passkey of USERNAME, end their sessions and print a new "
            "one-time set-up link, so they can set up their sign-in again. Audited with --reason.")

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--reason", required=True,
                            help="Why (kept on the audit trail), e.g. 'Lost phone, confirmed by line manager'")
        add_base_url_argument(parser)

    def handle(self, *args, username, reason, base_url, **options):
        try:
            user = User.objects.get(username=username)
        except User.DoesNotExist:
            raise CommandError(f"No user called {username!r}") from None
        try:
            issued = reset_authenticator(actor=None, user=user, reason=reason)
        except (EnrolmentRefused, ValueError) as refused:
            raise CommandError(str(refused)) from None
        self.stdout.write(f"Reset {user.username}'s sign-in: their authenticator apps and passkeys are removed "
                          "and they are signed out everywhere.")
        self.stdout.write(describe_link(issued, base_url))
