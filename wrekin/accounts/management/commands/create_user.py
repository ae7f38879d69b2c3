import getpass
import sys

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from wrekin.accounts.actions import create_user
from wrekin.accounts.management.commands.set_up_link import add_base_url_argument, describe_link
from wrekin.accounts.models import Agency, Role, User


class Command(BaseCommand):
    help = ("Create a user in an agency with a role. "
            "The password comes from standard input, never the command line.")

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--agency", required=True, help="Agency code")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--password-stdin", action="store_true",
                            help="Read the password from standard input (otherwise the account has none "
                                 "until one is set). At a terminal it is asked for twice and not shown.")
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")
        parser.add_argument("--email", default="")
        add_base_url_argument(parser)

    def _read_password(self) -> str:
        if sys.stdin.isatty():
            # Typed at a terminal: never echo it, and ask twice so a typo does not lock anyone out.
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                raise CommandError("The two passwords did not match")
            return password
        return sys.stdin.readline().rstrip("\r\n")

    def handle(self, *args, username, agency, role, password_stdin, first_name, last_name, email, base_url,
               **options):
        if User.objects.filter(username__iexact=username).exists():
            raise CommandError(f"A user called {username!r} already exists")
        try:
            target = Agency.objects.get(code=agency)
        except Agency.DoesNotExist:
            raise CommandError(
                f"No agency with code {agency!r}: create it with `wrekin create_agency`"
            ) from None
        password = self._read_password() if password_stdin else None
        if password_stdin and not password:
            raise CommandError("No password was given on standard input")
        try:
            user = create_user(username=username, agency=target, role=role, password=password,
                               first_name=first_name, last_name=last_name, email=email)
        except ValidationError as error:
            raise CommandError("Password refused: " + " ".join(error.messages)) from None
        except ValueError as error:
            raise CommandError(str(error)) from None
        role_name = user.membership.get_role_display()
        self.stdout.write(f"Created user {user.username}: {role_name}, {target.name}")
        if not password:
            self.stdout.write("The account has no password yet: they choose one through the set-up link.")
        self.stdout.write(describe_link(user.issued_enrolment_link, base_url))
