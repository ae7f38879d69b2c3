import logging
import sys

from django.apps import AppConfig
from django.db.models.signals import post_migrate

logger = logging.getLogger(__name__)


def load_instruments_after_migrate(sender, using="default", **kwargs) -> None:
    """Keep the stored instrument versions in step with the files after every migrate.

    A file that cannot be loaded (a changed version that has been used, a typo) must not stop
    a deployment's migrations: it is reported, the stored versions stay as they were, and
    `wrekin load_instruments` fails loudly with the same message until the file is fixed.
    """
    from wrekin.referrals.actions import load_instruments
    from wrekin.referrals.instrument_files import InstrumentFileError

    if using != "default":
        return
    try:
        load_instruments()
    except InstrumentFileError as error:
        logger.error("Screening instruments not loaded: %s", error)
        print(f"Screening instruments not loaded: {error}", file=sys.stderr)


class ReferralsConfig(AppConfig):
    name = "wrekin.referrals"
    label = "referrals"
    verbose_name = "Referrals and screening"

    def ready(self) -> None:
        from wrekin.core.timeline import register_chronology_source, register_worklist_source
        from wrekin.referrals import audit_events, queries  # noqa: F401 - registers the audit vocabulary

        post_migrate.connect(load_instruments_after_migrate, sender=self,
                             dispatch_uid="referrals.load_instruments_after_migrate")
        register_chronology_source("referrals.referrals", queries.referral_chronology)
        register_chronology_source("referrals.screenings", queries.screening_chronology)
        register_worklist_source("referrals.triage", queries.triage_worklist)
        register_worklist_source("referrals.approvals", queries.approval_worklist)
        register_worklist_source("referrals.reviews", queries.review_worklist)
        register_worklist_source("referrals.rescreening", queries.rescreen_worklist)
        register_worklist_source("referrals.returned", queries.returned_worklist)
