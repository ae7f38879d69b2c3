"""Audit vocabulary of linkage: imports, the review queue, merges and the trained model."""

from wrekin.audit.vocabulary import register

# Imports of agency extracts
register("linkage.import_uploaded", "Uploaded an agency extract")
register("linkage.import_mapped", "Chose the columns of an agency extract")
register("linkage.import_previewed", "Previewed the records of an agency extract", is_read=True)
register("linkage.import_started", "Started an import of an agency extract")
register("linkage.import_completed", "Imported an agency extract")
register("linkage.import_failed", "An import of an agency extract failed; nothing was imported")
register("linkage.import_discarded", "Discarded an uploaded agency extract")
register("linkage.import_viewed", "Viewed an import's progress and report", is_read=True)
register("linkage.person_imported", "Recorded a person from an agency extract")
register("linkage.source_record_updated", "Updated an agency's record of a person from a new extract")
# Review queue
register("linkage.pair_proposed", "Proposed two records as possibly one person")
register("linkage.review_queue_viewed", "Viewed the linkage review queue", is_read=True)
register("linkage.pair_viewed", "Compared two records side by side", is_read=True)
register("linkage.pair_confirmed", "Decided two records are one person")
register("linkage.pair_rejected", "Decided two records are two people")
# Merges
register("linkage.person_merged", "Merged another record into this person")
register("linkage.person_merged_into", "This record was merged into another person")
register("linkage.person_unmerged", "Undid a merge into this person")
register("linkage.person_restored", "This record was restored by undoing a merge")
register("linkage.linked_records_viewed", "Viewed a person's linked records and merges", is_read=True)
register("linkage.merge_viewed", "Viewed what a merge moved", is_read=True)
# The trained model
register("linkage.model_installed", "Installed a trained linkage model")
