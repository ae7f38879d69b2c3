"""`wrekin seed_activity`: give a seeded partnership nine months of casework, through the real actions."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from wrekin.accounts.models import User
from wrekin.core.timeline import worklist_for
from wrekin.referrals.models import Referral
from wrekin.synthetic.activity import DEFAULT_CHILDREN, ActivityError, seed_activity
from wrekin.synthetic.staff import DEFAULT_PARTNERSHIP_CODE, DEMO_USERS


class Command(BaseCommand):
    help = (
        "Play out about nine months of multi-agency work, ending today, about --children of the seeded children: "
        "referrals, triage, screenings, cases, plans, missing episodes, strategy discussions, MACE meetings and "
        "disruption, each recorded by the real action as a demo user or other seeded staff (so it is all audited). "
        "Run after `wrekin seed`. The same --seed gives the same history."
    )

    def add_arguments(self, parser):
        parser.add_argument("--children", type=int, default=DEFAULT_CHILDREN,
                            help=f"How many children get a history (default {DEFAULT_CHILDREN})")
        parser.add_argument("--seed", type=int, default=1, help="Random seed: same seed, same history")
        parser.add_argument("--if-empty", action="store_true",
                            help="Do nothing if any referral exists already (for demo start-up scripts)")
        parser.add_argument("--allow-production", action="store_true",
                            help="Run even though WREKIN_ENV=production (a public demonstration site only)")

    def handle(self, *args, children, seed, if_empty, allow_production, **options):
        if getattr(settings, "PRODUCTION", False) and not allow_production:
            raise CommandError("Refusing to add synthetic casework to a production database. "
                               "For a demonstration site, add --allow-production.")
        if children < 1:
            raise CommandError("--children must be at least 1")
        if Referral.objects.exists():
            if if_empty:
                self.stdout.write("activity already seeded: referrals exist, so nothing was added")
                return
            raise CommandError("Referrals already exist: seed_activity adds a history to a freshly seeded "
                               "partnership only. Use --if-empty in start-up scripts.")
        code = getattr(settings, "WREKIN_PARTNERSHIP_CODE", "") or DEFAULT_PARTNERSHIP_CODE
        verbose = options.get("verbosity", 1) > 1
        try:
            result = seed_activity(
                code=code, children=children, seed=seed,
                progress=(lambda message: self.stdout.write(f"  {message}")) if verbose else None,
            )
        except ActivityError as error:
            raise CommandError(f"Nothing was added: {error}") from None

        counts = result.counts
        children_text = f"{result.children} {'child' if result.children == 1 else 'children'}"
        self.stdout.write(
            f"Seeded activity for {children_text} from seed {seed} in {result.seconds:.1f} s "
            f"({result.steps:,} actions, {result.first_day:%-d %B %Y} to {result.last_day:%-d %B %Y}):\n"
            f"  {counts['referrals']} referrals, {counts['screenings']} screenings, {counts['cases']} cases with "
            f"{counts['plan_actions']} plan actions and {counts['case_reviews']} reviews\n"
            f"  {counts['missing_episodes']} missing episodes, {counts['return_interviews']} return home interviews, "
            f"{counts['missing_pattern_alerts']} missing-pattern alerts, "
            f"{counts['strategy_discussions']} strategy discussions\n"
            f"  {counts['mace_meetings']} MACE meetings ({counts['mace_agenda_items']} agenda items, "
            f"{counts['mace_actions']} actions), {counts['disruption_actions']} disruption actions\n"
            f"  {counts['audit_events']:,} audit events"
        )
        self.stdout.write("Work waiting on each demo user's home page:")
        users = User.objects.in_bulk([spec.username for spec in DEMO_USERS], field_name="username")
        for spec in DEMO_USERS:
            user = users.get(spec.username)
            items = worklist_for(user) if user else []
            headings = sorted({item.heading for item in items})
            self.stdout.write(f"  {spec.username:<7} {len(items):>3} items"
                              + (f" ({', '.join(headings)})" if headings else " (no work list for this role)"))
