from django.conf import settings
from django.urls import reverse


def _navigation(request, membership) -> list[dict]:
    """The service navigation: what this user's role can reach, and which item is current."""
    from wrekin.access.disruption import can_see_disruption
    from wrekin.access.intelligence import can_see_intelligence, can_triage_alerts
    from wrekin.access.linkage import can_see_linkage
    from wrekin.access.mace import can_see_mace
    from wrekin.access.missing import can_see_pattern_alerts, holds_return_interviews
    from wrekin.access.models import Notification
    from wrekin.access.policy import can_see_case_content, can_view_audit
    from wrekin.access.referrals import can_approve_screenings, can_refer, can_triage
    from wrekin.accounts.models import Role

    user = request.user
    # (label, url name, the namespaces or view names that make it current)
    items: list[tuple[str, str, set[str]]] = [("Home", "core:home", {"core"})]
    if can_see_case_content(user):
        items.append(("People", "people:search", {"people"}))
        items.append(("Cases", "casework:list", {"casework"}))
    if can_triage(user):
        items.append(("Triage queue", "referrals:triage_queue", {"referrals:triage_queue", "referrals:triage"}))
    if can_approve_screenings(user):
        items.append(("Screenings to approve", "referrals:approvals",
                      {"referrals:approvals", "referrals:screening_approval"}))
    if can_refer(user):
        items.append(("Make a referral", "referrals:start",
                      {"referrals:start", "referrals:create", "referrals:create_for_new_child"}))
    if holds_return_interviews(user):
        items.append(("Return interviews", "missing:interviews_due", {"missing"}))
    elif can_see_pattern_alerts(user):
        items.append(("Missing patterns", "missing:alerts", {"missing"}))
    if can_see_mace(user):
        items.append(("MACE", "mace:meetings", {"mace"}))
    if can_triage_alerts(user):
        items.append(("Link alerts", "intelligence:alerts",
                      {"intelligence:alerts", "intelligence:alert_detail", "intelligence:entity_detail"}))
        items.append(("Network", "intelligence:network",
                      {"intelligence:network", "intelligence:hotspots", "intelligence:persons_ranked"}))
    if can_see_intelligence(user):
        items.append(("Intelligence reports", "intelligence:reports",
                      {"intelligence:reports", "intelligence:report_create", "intelligence:report_detail"}))
    if can_see_disruption(user):
        items.append(("Persons of concern", "intelligence:persons_of_concern",
                      {"intelligence:persons_of_concern", "intelligence:disruption_log",
                       "intelligence:record_disruption", "intelligence:demographics",
                       "intelligence:disruption_detail", "intelligence:completeness"}))
    if can_see_linkage(user):
        items.append(("Record linkage", "linkage:imports", {"linkage"}))
    if can_view_audit(user):
        items.append(("Audit trail", "audit:events", {"audit"}))
        items.append(("Break-glass reviews", "access:break_glass_reviews",
                      {"access:break_glass_reviews", "access:review_break_glass"}))
    if user.role in (Role.AUDITOR, Role.COORDINATOR):
        items.append(("Sharing register", "access:sharing_register", {"access:sharing_register"}))
    if user.role == Role.ADMINISTRATOR:
        items.append(("Accounts", "accounts:users", {"accounts:users", "accounts:issue_set_up_link",
                                                     "accounts:create_user", "accounts:disable_user",
                                                     "accounts:enable_user", "accounts:reset_authenticator"}))
    unread = getattr(user, "unread_notifications", None)
    if unread is None:  # a user loaded some other way than by the sign-in backend
        unread = Notification.objects.filter(recipient=user, read_at__isnull=True).count()
    items.append((f"Notifications ({unread})" if unread else "Notifications", "access:notifications",
                  {"access:notifications"}))
    match = getattr(request, "resolver_match", None)
    keys = {match.view_name, match.namespace} if match is not None else set()
    return [{"label": label, "url": reverse(name), "active": bool(keys & current)}
            for label, name, current in items]


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
