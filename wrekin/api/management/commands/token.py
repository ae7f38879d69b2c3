"""`wrekin token create|list|revoke`: issue and withdraw API tokens from the server's command line."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from wrekin.accounts.models import User
from wrekin.api.actions import create_api_token, revoke_api_token
from wrekin.api.models import DEFAULT_LIFETIME_DAYS, SCOPES, ApiToken


class Command(BaseCommand):
    help = "Create, list or revoke the API tokens a partner system uses to act as a user."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser(
            "create", help="Issue a token acting as USERNAME. The token is printed once, on the last line.",
        )
        create.add_argument("username")
        create.add_argument("--scope", action="append", dest="scopes", choices=sorted(SCOPES),
                            metavar="SCOPE",
                            help=f"Repeat for each scope (default: all). One of: {', '.join(SCOPES)}")
        create.add_argument("--days", type=int, default=DEFAULT_LIFETIME_DAYS,
                            help=f"How long the token lasts (default {DEFAULT_LIFETIME_DAYS} days)")
        create.add_argument("--name", default="",
                            help="What the token is for, e.g. 'School MIS referral feed'")
        listing = sub.add_parser("list", help="List a user's tokens (never the tokens themselves)")
        listing.add_argument("username")
        revoke = sub.add_parser("revoke", help="Stop a token working at once")
        revoke.add_argument("token_id", type=int)

    def handle(self, *args, action, **options):
        if action == "create":
            self._create(options["username"], options["scopes"], options["days"], options["name"])
        elif action == "list":
            self._list(options["username"])
        else:
            self._revoke(options["token_id"])

    def _user(self, username: str) -> User:
        try:
            return User.objects.get(username__iexact=username)
        except User.DoesNotExist:
            raise CommandError(f"No user called {username!r}") from None

    def _create(self, username: str, scopes: list[str] | None, days: int, name: str) -> None:
        user = self._user(username)
        name = name or f"API token for {user.username}"
        try:
            issued = create_api_token(actor=None, user=user, name=name, scopes=scopes, days=days)
        except ValueError as error:
            raise CommandError(str(error)) from None
        token = issued.token
        self.stdout.write(
            f"Created API token {token.pk} ({token.name}) acting as {user.username}, "
            f"{user.membership.get_role_display()}, {user.agency.name}"
        )
        self.stdout.write(f"Scopes: {' '.join(token.scopes)}")
        self.stdout.write(f"Expires: {timezone.localtime(token.expires_at):%Y-%m-%d %H:%M %Z}")
        self.stdout.write("Copy the token now: it is not stored and cannot be shown again.")
        self.stdout.write(issued.raw)

    def _list(self, username: str) -> None:
        user = self._user(username)
        now = timezone.now()
        tokens = list(ApiToken.objects.filter(user=user))
        if not tokens:
            self.stdout.write(f"{user.username} has no API tokens")
            return
        for token in tokens:
            last_used = (f"{timezone.localtime(token.last_used_at):%Y-%m-%d %H:%M}" if token.last_used_at
                         else "never used")
            self.stdout.write(
                f"{token.pk}\t{token.display_prefix}\t{token.status_at(now)}\t"
                f"expires {timezone.localtime(token.expires_at):%Y-%m-%d}\t{last_used}\t"
                f"{' '.join(token.scopes)}\t{token.name}"
            )

    def _revoke(self, token_id: int) -> None:
        try:
            token = revoke_api_token(actor=None, token_id=token_id)
        except ValueError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"Revoked API token {token.pk} ({token.name}) of {token.user.username}")
