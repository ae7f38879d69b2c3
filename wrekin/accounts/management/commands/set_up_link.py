"""`wrekin set_up_link USERNAME`: a new one-time set-up link for an account that has not set up its sign-in.

The operator's way to re-issue a link (administrators use the Accounts page). Any older link stops
working. The link is printed once; only its hash is stored.
"""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from wrekin.accounts.actions import EnrolmentRefused, IssuedEnrolmentLink, issue_enrolment_link
from wrekin.accounts.models import User

DEVELOPMENT_BASE_URL = "http://127.0.0.1:8000"


def add_base_url_argument(parser) -> None:
    parser.add_argument("--base-url", default=None,
                        help="The service's address as people reach it, e.g. https://wrekin.example.org "
                             "(default: WREKIN_BASE_URL, or http://127.0.0.1:8000 outside production)")


def base_url_for(option: str | None) -> str:
    base = option or settings.WREKIN_BASE_URL
    if not base and not settings.PRODUCTION:
        base = DEVELOPMENT_BASE_URL
    return base.rstrip("/")


def describe_link(issued: IssuedEnrolmentLink | None, base_url_option: str | None) -> str:
    if issued is None:
        return "No set-up link was issued."
    base = base_url_for(base_url_option)
    where = issued.url(base) if base else f"{issued.path}  (put the service's address in front: set WREKIN_BASE_URL)"
    expires = issued.link.expires_at.astimezone().strftime("%d %b %Y %H:%M %Z")
    return (f"Set-up link (works once, until {expires}; pass it on privately — it is not shown again):\n"
            f"  {where}")


class Command(BaseCommand):
    help = ("Issue a new one-time set-up link for USERNAME, an account that has not set up its sign-in yet. "
            "Any older link stops working.")

    def add_arguments(self, parser):
        parser.add_argument("username")
        add_base_url_argument(parser)

    def handle(self, *args, username, base_url, **options):
        try:
            user = User.objects.get(username=username)
        except User.DoesNotExist:
            raise CommandError(f"No user called {username!r}") from None
        try:
            issued = issue_enrolment_link(actor=None, user=user)
        except EnrolmentRefused as refused:
            raise CommandError(str(refused)) from None
        self.stdout.write(describe_link(issued, base_url))
