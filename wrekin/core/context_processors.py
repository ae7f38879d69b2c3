from django.conf import settings
from django.urls import reverse


def _navigation(request, membership) -> list[dict]:
    from wrekin.access.models import Notification
    from wrekin.access.policy import can_record_people, can_see_case_content, can_view_audit
    from wrekin.accounts.models import Role

    user = request.user
    items = [("Home", reverse("core:home"), "core")]
    if can_see_case_content(user):
        items.append(("People", reverse("people:search"), "people"))
    if can_record_people(user):
        items.append(("Record a person", reverse("people:create"), "people-create"))
    if can_view_audit(user):
        items.append(("Audit trail", reverse("audit:events"), "audit"))
        items.append(("Break-glass reviews", reverse("access:break_glass_reviews"), "access-reviews"))
    if user.role in (Role.AUDITOR, Role.COORDINATOR):
        items.append(("Sharing register", reverse("access:sharing_register"), "access-sharing"))
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True).count()
    items.append((f"Notifications ({unread})" if unread else "Notifications", reverse("access:notifications"),
                  "access-notifications"))
    match = getattr(request, "resolver_match", None)
    current = ""
    if match is not None:
        current = {
            "people:create": "people-create",
            "access:notifications": "access-notifications",
            "access:break_glass_reviews": "access-reviews",
            "access:sharing_register": "access-sharing",
        }.get(match.view_name, match.namespace or "")
    return [{"label": label, "url": url, "active": key == current} for label, url, key in items]


def service(request):
    user = getattr(request, "user", None)
    authenticated = user is not None and user.is_authenticated
    membership = user.active_membership if authenticated else None
    return {
        "service_name": settings.WREKIN_SERVICE_NAME,
        "membership": membership,
        "partnership": membership.agency.partnership if membership else None,
        "mfa_required": settings.MFA_REQUIRED,
        "navigation": _navigation(request, membership) if authenticated else [],
    }
