"""Property-based checks of the whole API against its own OpenAPI document (schemathesis).

For every operation, a few dozen generated requests with a valid token (an exploitation
coordinator's, who can see the partnership's children) must never answer 5xx, must answer
only documented status codes, and must answer bodies that match the documented schemas.
Schemathesis also checks that a request without the token is refused and that
unsupported methods answer 405.

`positive_data_acceptance` is left out on purpose: a request can match the schema and still
be rightly refused — a child id that does not exist (404), a date that has not happened yet
or an indicator code the instrument does not have (422).
"""

from __future__ import annotations

import pytest

schemathesis = pytest.importorskip("schemathesis")

from django.core.signals import request_finished, request_started  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.db import close_old_connections  # noqa: E402
from hypothesis import HealthCheck, settings  # noqa: E402
from schemathesis.checks import load_all_checks  # noqa: E402
from schemathesis.specs.openapi.checks import positive_data_acceptance  # noqa: E402

from wrekin.api.main import api  # noqa: E402

load_all_checks()

schema = schemathesis.openapi.from_dict(api.get_openapi_schema())
schema.app = get_wsgi_application()

EXAMPLES = 30


@pytest.fixture
def keep_the_test_connection():
    """Schemathesis calls the WSGI application directly, which closes database connections at the end
    of each request; that would end the test's transaction (on PostgreSQL). Django's own test client
    disconnects the same handler for the same reason."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def coordinator_token(keep_the_test_connection, token_for, people, instrument):
    return token_for("erin")


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.filter_too_much])
@pytest.mark.django_db
def test_the_api_keeps_its_promises(case, coordinator_token):
    case.call_and_validate(headers={"Authorization": f"Bearer {coordinator_token}"},
                           excluded_checks=[positive_data_acceptance])
