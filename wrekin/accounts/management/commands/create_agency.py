from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from wrekin.accounts.actions import create_agency, ensure_partnership
from wrekin.accounts.models import Agency, AgencyType, Partnership


class Command(BaseCommand):
    help = "Create an agency in the partnership."

    def add_arguments(self, parser):
        parser.add_argument("code", help="Short code, for example TF-POLICE")
        parser.add_argument("--name", required=True)
        parser.add_argument("--type", required=True, choices=AgencyType.values)
        parser.add_argument("--partnership", help="Partnership code (default: the only one, or a new one)")
        parser.add_argument("--partnership-name", default="Local safeguarding partnership")
        parser.add_argument("--contact-email", default="")
        parser.add_argument("--contact-phone", default="")

    def handle(self, *args, code, name, type, partnership, partnership_name, contact_email, contact_phone,
               **options):
        if Agency.objects.filter(code__iexact=code).exists():
            raise CommandError(f"An agency with code {code!r} already exists")
        partnership_code = partnership or settings.WREKIN_PARTNERSHIP_CODE
        if partnership_code:
            target = ensure_partnership(code=partnership_code, name=partnership_name)
        else:
            existing = list(Partnership.objects.all()[:2])
            if len(existing) > 1:
                raise CommandError("There is more than one partnership: name one with --partnership")
            target = existing[0] if existing else ensure_partnership(code="partnership",
                                                                     name=partnership_name)
        try:
            agency = create_agency(code=code, name=name, type=type, partnership=target,
                                   contact_email=contact_email, contact_phone=contact_phone)
        except ValueError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"Created agency {agency.code} ({agency.get_type_display()}) in {target.name}")
