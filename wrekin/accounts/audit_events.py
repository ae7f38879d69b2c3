"""Audit event types for second factors beyond sign-in itself (step-up, passkeys, set-up links) and for
administrators' changes to accounts (disabling, enabling, resetting second factors).

(Sign-in, sign-out and TOTP enrolment are registered with the trail's core vocabulary in
wrekin/audit/vocabulary.py.) Details carry codes and ids only: never a credential or a code.
"""

from wrekin.audit.vocabulary import register

register("user.step_up_verified", "Confirmed their identity again (step-up)")
register("user.step_up_failed", "Step-up confirmation refused")
register("user.passkey_added", "Added a passkey or security key")
register("user.passkey_removed", "Removed a passkey or security key")
register("user.authenticator_added", "Added an authenticator app beside their passkeys")
register("user.passkey_verified", "Confirmed their identity with a passkey")
register("user.passkey_failed", "Passkey refused")

# One-time set-up (enrolment) links. Details carry the link's id, never its token.
register("user.enrolment_link_issued", "Issued a one-time set-up link")
register("user.enrolment_link_used", "Used a one-time set-up link")
register("user.enrolment_link_refused", "Set-up link refused")
register("user.enrolment_refused", "Second-factor set-up refused: no valid set-up link")
register("user.password_set", "Chose a first password through a set-up link")

# Administrators' changes to accounts (the reason is in the event's `reason`; details hold counts and ids).
register("user.accounts_viewed", "Viewed the partnership's accounts")
register("user.disabled", "Disabled an account")
register("user.enabled", "Enabled an account again (its sign-in to be set up again)")
register("user.second_factors_reset", "Reset an account's authenticator app and passkeys")
