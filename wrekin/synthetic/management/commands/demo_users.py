"""`wrekin demo_users`: who to sign in as after `wrekin seed`."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand

from wrekin.accounts.models import Membership, Role
from wrekin.synthetic.staff import DEMO_USERS, demo_password


class Command(BaseCommand):
    help = "List the synthetic partnership's demo users, their agency and role, and the demo password."

    def handle(self, *args, **options):
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
            self.stdout.write("\nAt first sign-in each user sets up an authenticator app: MFA is required for "
                              "every account.")
            if not getattr(settings, "PRODUCTION", False):
                self.stdout.write("No app to hand? Sign in with the password, then `wrekin demo_otp USERNAME` "
                                  "prints the code the app would show (development only).")
        else:
            self.stdout.write("\nMFA is switched off (WREKIN_MFA=off): never do this outside a local demo.")
        self.stdout.write("The password is WREKIN_DEMO_PASSWORD if set. Other staff named on records have no "
                          "password and cannot sign in.")
