import sys

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from wrekin.accounts.actions import create_user
from wrekin.accounts.models import Agency, Role, User


class Command(BaseCommand):
    help = "Create a user in an agency with a role. The password comes from standard input, never the command line."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--agency", required=True, help="Agency code")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--password-stdin", action="store_true",
                            help="Read the password from standard input (otherwise the account has none "
                                 "until one is set)")
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")
        parser.add_argument("--email", default="")

    def handle(self, *args, username, agency, role, password_stdin, first_name, last_name, email, **options):
        if User.objects.filter(username=username).exists():
            raise CommandError(f"A user called {username!r} already exists")
        try:
            target = Agency.objects.get(code=agency)
        except Agency.DoesNotExist:
            raise CommandError(f"No agency with code {agency!r}: create it with `wrekin create_agency`") from None
        password = sys.stdin.readline().rstrip("\n") if password_stdin else None
        if password_stdin and not password:
            raise CommandError("No password was given on standard input")
        try:
            user = create_user(username=username, agency=target, role=role, password=password,
                               first_name=first_name, last_name=last_name, email=email)
        except ValidationError as error:
            raise CommandError("Password refused: " + " ".join(error.messages)) from None
        self.stdout.write(f"Created user {user.username}: {user.membership.get_role_display()}, {target.name}")
        if not password:
            self.stdout.write("The account has no password yet: set one with `wrekin changepassword`.")
