"""Password authentication that loads the user's membership with the user.

Every request needs the user's agency and role (the access policy starts from
them); loading them in the same query as the user saves one query per request.
"""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend
from django.db.models import Count, Q

from wrekin.accounts.models import Membership, User


class MembershipModelBackend(ModelBackend):
    def get_user(self, user_id):
        # The unread-notification count shown in every page's navigation rides in the same query.
        unread = Count("notifications", filter=Q(notifications__read_at__isnull=True))
        try:
            user = (User._default_manager.select_related("membership__agency__partnership")
                    .annotate(unread_notifications=unread).get(pk=user_id))
        except User.DoesNotExist:
            return None
        if not self.user_can_authenticate(user):
            return None
        try:
            membership = user.membership
        except Membership.DoesNotExist:
            membership = None
        # Same rule as User.active_membership: an inactive membership or agency grants nothing.
        user._active_membership = (
            membership if membership is not None and membership.is_active and membership.agency.is_active else None
        )
        return user
