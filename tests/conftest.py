"""Shared fixtures: a small partnership and the named personas every test uses.

Personas (one per role, across four agencies, plus people with no access):
- alice   police practitioner          - bob     school practitioner
- charlie health practitioner          - dana    children's social care manager
- erin    exploitation coordinator     - frank   police intelligence analyst
- grace   MACE chair                   - heidi   auditor
- ivan    system administrator         - nina    signed in, but no agency (no access at all)
- oscar   coordinator in *another* partnership (must never see this one's records)
"""

from __future__ import annotations

import functools
from datetime import date

import pytest
from django.contrib.auth.hashers import make_password
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from wrekin.accounts.models import Agency, Membership, Partnership, Role, User
from wrekin.people.models import Involvement, InvolvementKind, Person, PersonKind, PersonName

PASSWORD = "a-long-test-passphrase-42"

PERSONAS = {
    "alice": ("police", Role.PRACTITIONER),
    "bob": ("school", Role.PRACTITIONER),
    "charlie": ("health", Role.PRACTITIONER),
    "dana": ("csc", Role.MANAGER),
    "erin": ("csc", Role.COORDINATOR),
    "frank": ("police", Role.ANALYST),
    "grace": ("csc", Role.MACE_CHAIR),
    "heidi": ("governance", Role.AUDITOR),
    "ivan": ("governance", Role.ADMINISTRATOR),
    "oscar": ("elsewhere", Role.COORDINATOR),
    "nina": (None, None),
}


@pytest.fixture(autouse=True)
def _tasks_run_at_once(settings):
    """Background tasks (imports) run in the test's own process as soon as they are queued, so a test sees them end.

    Production queues them in the database for `wrekin db_worker`; tests/linkage/test_worker.py does that too.
    """
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def partnership(db):
    return Partnership.objects.create(code="wrekin-test", name="Wrekin Test Partnership")


@pytest.fixture
def agencies(partnership):
    other = Partnership.objects.create(code="elsewhere", name="Elsewhere Partnership")
    specs = {
        "police": ("TEST-POLICE", "Test Constabulary", "police", partnership),
        "school": ("TEST-SCHOOL", "Severn Vale Academy", "education", partnership),
        "health": ("TEST-HEALTH", "Wrekin Community Health", "health", partnership),
        "csc": ("TEST-CSC", "Wrekin Children's Services", "childrens_social_care", partnership),
        "governance": ("TEST-IG", "Partnership Information Governance", "other", partnership),
        "elsewhere": ("ELSE-CSC", "Elsewhere Children's Services", "childrens_social_care", other),
    }
    return {
        key: Agency.objects.create(code=code, name=name, type=type_, partnership=p,
                                   contact_email=f"duty@{code.lower()}.example")
        for key, (code, name, type_, p) in specs.items()
    }


@functools.cache
def _password_hash() -> str:
    # Argon2 is deliberately slow; hash the shared test password once per run.
    return make_password(PASSWORD)


@pytest.fixture
def personas(agencies):
    users = {}
    for username, (agency_key, role) in PERSONAS.items():
        user = User.objects.create(username=username, password=_password_hash(), first_name=username.title())
        if agency_key:
            Membership.objects.create(user=user, agency=agencies[agency_key], role=role)
        TOTPDevice.objects.create(user=user, name="test", confirmed=True)
        users[username] = user
    return users


def sign_in(client, user):
    """Sign a test client in with both factors passed, as a real sign-in would leave the session."""
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.get(user=user, confirmed=True).persistent_id
    session.save()
    return client


@pytest.fixture
def client_for(client, personas):
    def _client_for(username: str):
        client.logout()
        return sign_in(client, personas[username])

    return _client_for


def make_person(agency, *, given, family, dob=None, kind=PersonKind.CHILD, involve=(), **extra) -> Person:
    person = Person.objects.create(partnership=agency.partnership, recorded_by_agency=agency, kind=kind,
                                   given_name=given, family_name=family, date_of_birth=dob, **extra)
    Involvement.objects.create(person=person, agency=agency, kind=InvolvementKind.RECORDED,
                               started_on=date(2026, 1, 5))
    for other in involve:
        Involvement.objects.create(person=person, agency=other, kind=InvolvementKind.WORKING_WITH,
                                   started_on=date(2026, 2, 1))
    return person


@pytest.fixture
def people(agencies):
    """A few children and persons of concern, each known to particular agencies."""
    kayleigh = make_person(agencies["police"], given="Kayleigh", family="Smith", dob=date(2010, 3, 4),
                           sex="F", involve=[agencies["csc"]])
    daniel = make_person(agencies["school"], given="Daniel", family="Smyth", dob=date(2010, 3, 4), sex="M",
                         known_as="Danny")
    jayden = make_person(agencies["health"], given="Jayden", family="Clarke", dob=date(2009, 11, 20), sex="M")
    poc = make_person(agencies["police"], given="Mohammed", family="Khan", kind=PersonKind.PERSON_OF_CONCERN,
                      approximate_age=24, approximate_age_recorded_on=date(2026, 1, 5), sex="M")
    PersonName.objects.create(person=poc, kind="nickname", given_name="Mo", family_name="",
                              recorded_by_agency=agencies["police"])
    elsewhere = make_person(agencies["elsewhere"], given="Kayleigh", family="Smith", dob=date(2010, 3, 4))
    return {"kayleigh": kayleigh, "daniel": daniel, "jayden": jayden, "poc": poc, "elsewhere": elsewhere}
