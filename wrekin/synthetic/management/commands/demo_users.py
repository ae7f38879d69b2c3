"""`wrekin demo_users`: who to sign in as after `wrekin seed`, and their one-time set-up links."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand

from wrekin.accounts.actions import has_enrolled, issue_enrolment_link
from wrekin.accounts.management.commands.set_up_link import add_base_url_argument, base_url_for
from wrekin.accounts.models import Membership, Role
from wrekin.synthetic.staff import DEMO_USERS, demo_password


class Command(BaseCommand):
    help = ("List the synthetic partnership's demo users, their agency and role, and the demo password; issue a "
            "new set-up link for each demo user who has not set up an authenticator app yet.")

    def add_arguments(self, parser):
        add_base_url_argument(parser)

    def handle(self, *args, base_url=None, **options):
        memberships = {
            m.user.username: m
            for m in Membership.objects.select_related("user", "agency").filter(
                user__username__in=[u.username for u in DEMO_USERS])
        }
        if not memberships:
            self.stdout.write("There are no demo users yet: run `wrekin seed` first.")
            return
        password = demo_password()
        roles = dict(Role.choices)
        rows = [("Username", "Name", "Agency", "Role", "Password")]
        for spec in DEMO_USERS:
            membership = memberships.get(spec.username)
            if membership is None:
                continue
            rows.append((spec.username, membership.user.get_full_name(), membership.agency.name,
                         roles.get(membership.role, membership.role), password))
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
        for n, row in enumerate(rows):
            self.stdout.write("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
            if n == 0:
                self.stdout.write("  ".join("-" * width for width in widths))
        if getattr(settings, "MFA_REQUIRED", True):
            self._set_up_links(memberships, base_url)
            if not getattr(settings, "PRODUCTION", False):
                self.stdout.write("No app to hand? After the password, `wrekin demo_otp USERNAME` prints the code "
                                  "the app would show (development only).")
        else:
            self.stdout.write("\nMFA is switched off (WREKIN_MFA=off): never do this outside a local demo.")
        self.stdout.write("The password is WREKIN_DEMO_PASSWORD if set. Other staff named on records have no "
                          "password and cannot sign in.")

    def _set_up_links(self, memberships: dict[str, Membership], base_url: str | None) -> None:
        """A fresh one-time link for each demo user not yet enrolled; each run replaces the previous links."""
        base = base_url_for(base_url)
        pending = [(spec.username, memberships[spec.username].user) for spec in DEMO_USERS
                   if spec.username in memberships and memberships[spec.username].user.is_active
                   and not has_enrolled(memberships[spec.username].user)]
        if not pending:
            self.stdout.write("\nEvery demo user has set up an authenticator app: sign in with the password and "
                              "a code.")
            return
        self.stdout.write("\nMFA is required for every account. At first sign-in open your set-up link, sign in "
                          "with the password and set up an authenticator app. Each link works once; running "
                          "`wrekin demo_users` again issues new ones (the old ones stop working):")
        width = max(len(username) for username, _ in pending)
        for username, user in pending:
            issued = issue_enrolment_link(actor=None, user=user)
            self.stdout.write(f"  {username.ljust(width)}  {issued.url(base) if base else issued.path}")
        self.stdout.write("Demo users who have set up their app already just sign in with the password and a code.")
