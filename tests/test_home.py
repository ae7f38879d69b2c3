"""Each role's home page shows its work, gathered from every app's work-list sources."""

from datetime import date, timedelta

from django.urls import reverse

from wrekin.core.timeline import WorkItem, register_worklist_source
from wrekin.core.views import group_work


def test_work_is_grouped_overdue_first_then_soonest():
    today = date(2026, 11, 29)
    items = [
        WorkItem(heading="Return interviews due", title="B", url="/b", due=today + timedelta(days=2)),
        WorkItem(heading="Return interviews due", title="A", url="/a", due=today - timedelta(days=1), overdue=True),
        WorkItem(heading="My cases", title="C", url="/c"),
        WorkItem(heading="Return interviews due", title="D", url="/d", due=today + timedelta(days=1)),
    ]
    groups = group_work(items)
    assert [g["heading"] for g in groups] == ["Return interviews due", "My cases"]
    assert [i.title for i in groups[0]["items"]] == ["A", "D", "B"]
    assert groups[0]["overdue"] == 1


def test_home_shows_registered_work(client_for, people):
    def source(user):
        if user.username == "alice":
            yield WorkItem(heading="Test work", title="Visit Kayleigh", url="/people/", overdue=True,
                           due=date(2026, 1, 1))

    register_worklist_source("tests.home", source)
    try:
        html = client_for("alice").get(reverse("core:home")).content.decode()
        assert "Your work" in html and "Test work" in html and "Visit Kayleigh" in html and "Overdue" in html
        html = client_for("bob").get(reverse("core:home")).content.decode()
        assert "Visit Kayleigh" not in html
    finally:
        from wrekin.core import timeline

        timeline._worklist_sources.pop("tests.home")
