"""Audit event types written by the API (tokens, and reads that have no page of their own yet)."""

from wrekin.audit.vocabulary import register

register("api.token_created", "Created an API token")
register("api.token_revoked", "Revoked an API token")
register("api.chronology_viewed", "Read a child's chronology through the API", is_read=True)
register("api.referral_child_matched", "Matched a referral's child to an existing record automatically")
