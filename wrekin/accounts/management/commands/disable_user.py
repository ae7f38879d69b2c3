from django.core.management.base import BaseCommand, CommandError

from wrekin.accounts.actions import disable_user
from wrekin.accounts.models import User


class Command(BaseCommand):
    help = "Disable an account: it can no longer sign in, and its open sessions end now. Nothing is deleted."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--reason", default="", help="Why (kept on the audit trail), e.g. 'Left on 31 March'")

    def handle(self, *args, username, reason, **options):
        try:
            user = User.objects.get(username=username)
        except User.DoesNotExist:
            raise CommandError(f"No user called {username!r}") from None
        disable_user(actor=None, user=user, reason=reason)
        self.stdout.write(f"Disabled {user.username}: signed out everywhere and cannot sign in.")
