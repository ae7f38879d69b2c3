"""The audit vocabulary of referrals, triage, screening instruments and screenings.

Imported by ReferralsConfig.ready(), so the types are registered before anything is written.
"""

from wrekin.audit.vocabulary import register

# Referrals and triage
register("referral.recorded", "Made a referral")
register("referral.viewed", "Opened a referral", is_read=True)
register("referral.queue_viewed", "Viewed the triage queue", is_read=True)
register("referral.triaged", "Recorded a triage decision on a referral")
# Screening instruments (loaded from files by `wrekin load_instruments` and after migrations)
register("instrument.loaded", "Loaded a screening instrument version")
register("instrument.replaced", "Replaced an unused screening instrument version")
# Screenings
register("screening.submitted", "Submitted a screening for approval")
register("screening.viewed", "Opened a screening", is_read=True)
register("screening.list_viewed", "Viewed a child's referrals and screenings", is_read=True)
register("screening.approvals_viewed", "Viewed the screenings awaiting approval", is_read=True)
register("screening.approved", "Approved a screening")
register("screening.returned", "Returned a screening for changes")
register("screening.rescreening_flagged", "Flagged a child for re-screening after new information")
register("screening.rescreening_resolved", "Resolved a re-screening flag with a new screening")
