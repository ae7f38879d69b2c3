"""The operators' commands: create_agency, create_user, disable_user and (development only) demo_otp."""

from __future__ import annotations

import io
import re
import sys

import pytest
from django.core.management import CommandError, call_command
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.accounts.conftest import code_for, use_set_up_link
from tests.conftest import sign_in
from wrekin.accounts.models import Agency, Membership, Partnership, Role, User
from wrekin.audit.models import AuditEvent

STRONG = "correct-horse-battery-wrekin"


def run(*args, stdin: str | None = None, monkeypatch=None, tty=False):
    if stdin is not None:
        stream = _Terminal(stdin) if tty else io.StringIO(stdin)
        monkeypatch.setattr(sys, "stdin", stream)
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


class _Terminal(io.StringIO):
    def isatty(self):
        return True


@pytest.fixture
def police(db):
    run("create_agency", "TF-POLICE", "--name", "Telford Police", "--type", "police")
    return Agency.objects.get(code="TF-POLICE")


# --- create_agency ----------------------------------------------------------------------------

def test_create_agency(db):
    out, _ = run("create_agency", "TF-POLICE", "--name", "Telford Police", "--type", "police",
                 "--contact-email", "duty@police.example")
    agency = Agency.objects.get(code="TF-POLICE")
    assert agency.name == "Telford Police" and agency.type == "police"
    assert agency.contact_email == "duty@police.example"
    assert "Created agency TF-POLICE (Police)" in out
    # The first agency brings its partnership into being; later ones join it.
    run("create_agency", "TF-CSC", "--name", "Telford Children's Services", "--type", "childrens_social_care")
    assert Partnership.objects.count() == 1
    assert Agency.objects.get(code="TF-CSC").partnership == agency.partnership
    event = AuditEvent.objects.get(event_type="agency.created", object_id=str(agency.pk))
    assert event.agency == agency and event.details == {"type": "police"}
    assert AuditEvent.objects.filter(event_type="agency.created").count() == 2
    assert AuditEvent.objects.filter(event_type="partnership.created").count() == 1


def test_create_agency_in_a_named_partnership(db):
    run("create_agency", "A", "--name", "A", "--type", "health", "--partnership", "north",
        "--partnership-name", "North Partnership")
    assert Agency.objects.get(code="A").partnership.name == "North Partnership"


def test_create_agency_refuses_an_unknown_type(db):
    with pytest.raises(CommandError, match="invalid choice: 'army'"):
        run("create_agency", "X", "--name", "X", "--type", "army")
    assert not Agency.objects.exists()


def test_create_agency_refuses_a_duplicate_code(police):
    with pytest.raises(CommandError, match="already exists"):
        run("create_agency", "TF-POLICE", "--name", "Another", "--type", "police")
    with pytest.raises(CommandError, match="already exists"):
        run("create_agency", "tf-police", "--name", "Another", "--type", "police")
    assert Agency.objects.count() == 1
    assert AuditEvent.objects.filter(event_type="agency.created").count() == 1


def test_create_agency_refuses_a_code_with_spaces(db):
    with pytest.raises(CommandError, match="letters, digits, hyphens"):
        run("create_agency", "TF POLICE", "--name", "X", "--type", "police")


def test_create_agency_asks_which_partnership_when_there_are_several(db, settings):
    settings.WREKIN_PARTNERSHIP_CODE = ""
    Partnership.objects.create(code="one", name="One")
    Partnership.objects.create(code="two", name="Two")
    with pytest.raises(CommandError, match="more than one partnership"):
        run("create_agency", "X", "--name", "X", "--type", "police")


# --- create_user --------------------------------------------------------------------------------

def test_create_user_with_a_password_from_standard_input(police, monkeypatch, capsys):
    out, err = run("create_user", "alice", "--agency", "TF-POLICE", "--role", "practitioner",
                   "--first-name", "Alice", "--password-stdin", stdin=STRONG + "\n", monkeypatch=monkeypatch)
    user = User.objects.get(username="alice")
    assert user.first_name == "Alice" and user.is_active
    assert user.membership.agency == police and user.membership.role == Role.PRACTITIONER
    assert user.password.startswith("argon2")
    assert user.check_password(STRONG)
    assert "Created user alice: Practitioner, Telford Police" in out
    # The password is never echoed, logged or put on the audit trail.
    captured = capsys.readouterr()
    assert STRONG not in out + err + captured.out + captured.err
    event = AuditEvent.objects.get(event_type="user.created")
    assert event.object_id == str(user.pk) and event.agency == police
    assert event.details == {"role": "practitioner"}
    assert STRONG not in repr(list(AuditEvent.objects.values_list()))


def test_create_user_at_a_terminal_asks_twice_without_echo(police, monkeypatch):
    prompts = []

    def fake_getpass(prompt):
        prompts.append(prompt)
        return STRONG

    monkeypatch.setattr("getpass.getpass", fake_getpass)
    out, err = run("create_user", "alice", "--agency", "TF-POLICE", "--role", "analyst", "--password-stdin",
                   stdin="", tty=True, monkeypatch=monkeypatch)
    assert prompts == ["Password: ", "Password (again): "]
    assert STRONG not in out + err
    assert User.objects.get(username="alice").check_password(STRONG)


def test_create_user_at_a_terminal_refuses_passwords_that_differ(police, monkeypatch):
    answers = iter([STRONG, STRONG + "x"])
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(answers))
    with pytest.raises(CommandError, match="did not match"):
        run("create_user", "alice", "--agency", "TF-POLICE", "--role", "analyst", "--password-stdin",
            stdin="", tty=True, monkeypatch=monkeypatch)
    assert not User.objects.exists()


def test_create_user_without_a_password_has_an_unusable_one(police):
    out, _ = run("create_user", "bob", "--agency", "TF-POLICE", "--role", "manager")
    assert not User.objects.get(username="bob").has_usable_password()
    assert "no password yet" in out


@pytest.mark.parametrize("password, message", [
    ("short-pass", "This password is too short. It must contain at least 12 characters."),
    ("password1234", "This password is too common."),
    ("739201846152", "This password is entirely numeric."),
])
def test_create_user_refuses_a_weak_password_with_the_validators_message(police, monkeypatch, password,
                                                                        message):
    with pytest.raises(CommandError) as refused:
        run("create_user", "alice", "--agency", "TF-POLICE", "--role", "practitioner", "--password-stdin",
            stdin=password + "\n", monkeypatch=monkeypatch)
    assert str(refused.value).startswith("Password refused: ")
    assert message in str(refused.value)
    assert password not in str(refused.value)
    assert not User.objects.exists() and not Membership.objects.exists()
    assert not AuditEvent.objects.filter(event_type="user.created").exists()


def test_create_user_refuses_a_password_like_the_username(police, monkeypatch):
    with pytest.raises(CommandError, match="too similar to the username"):
        run("create_user", "kayleigh.smithson", "--agency", "TF-POLICE", "--role", "practitioner",
            "--password-stdin", stdin="kayleigh.smithson1\n", monkeypatch=monkeypatch)


def test_create_user_refuses_an_empty_password_on_standard_input(police, monkeypatch):
    with pytest.raises(CommandError, match="No password was given"):
        run("create_user", "alice", "--agency", "TF-POLICE", "--role", "practitioner", "--password-stdin",
            stdin="\n", monkeypatch=monkeypatch)


def test_create_user_refuses_an_unknown_role(police):
    with pytest.raises(CommandError, match="invalid choice: 'superhero'"):
        run("create_user", "alice", "--agency", "TF-POLICE", "--role", "superhero")
    assert not User.objects.exists()


def test_create_user_refuses_an_unknown_agency(police):
    with pytest.raises(CommandError, match="No agency with code 'TF-NOPE'"):
        run("create_user", "alice", "--agency", "TF-NOPE", "--role", "practitioner")
    assert not User.objects.exists()


def test_create_user_refuses_a_duplicate_username(police):
    run("create_user", "alice", "--agency", "TF-POLICE", "--role", "practitioner")
    for name in ("alice", "Alice"):
        with pytest.raises(CommandError, match="already exists"):
            run("create_user", name, "--agency", "TF-POLICE", "--role", "analyst")
    assert User.objects.count() == 1
    assert User.objects.get().membership.role == Role.PRACTITIONER
    assert AuditEvent.objects.filter(event_type="user.created").count() == 1


# --- disable_user ---------------------------------------------------------------------------------

def test_disable_user_command(client, personas):
    sign_in(client, personas["alice"])
    out, _ = run("disable_user", "alice")
    assert "Disabled alice" in out
    assert not User.objects.get(username="alice").is_active
    event = AuditEvent.objects.get(event_type="user.disabled")
    assert event.actor is None and event.details["sessions_ended"] == 1 and event.reason == ""
    assert client.get("/")["Location"].startswith("/accounts/sign-in/")


def test_disable_user_command_refuses_an_unknown_user(db):
    with pytest.raises(CommandError, match="No user called 'zed'"):
        run("disable_user", "zed")


# --- demo_otp -----------------------------------------------------------------------------------

def test_demo_otp_prints_the_current_code(client, personas):
    device = TOTPDevice.objects.get(user=personas["alice"])
    out, _ = run("demo_otp", "alice")
    assert re.fullmatch(r"\d{6}\n", out)
    assert device.verify_token(out.strip())


def test_demo_otp_works_for_the_device_made_at_enrolment(client, personas):
    bob = personas["bob"]
    TOTPDevice.objects.filter(user=bob).delete()
    with pytest.raises(CommandError, match="open their set-up link, sign in with the password and choose an "):
        run("demo_otp", "bob")
    use_set_up_link(client, bob)
    client.post("/accounts/sign-in/", {"username": "bob", "password": "a-long-test-passphrase-42"})
    client.get("/accounts/second-factor/?method=app")  # the enrolment page creates the device
    out, _ = run("demo_otp", "bob")
    assert out.strip() == code_for(TOTPDevice.objects.get(user=bob))
    response = client.post("/accounts/second-factor/", {"code": out.strip()})
    assert response.status_code == 302
    assert TOTPDevice.objects.get(user=bob).confirmed


def test_demo_otp_gives_a_fresh_code_when_the_current_one_was_used(personas):
    device = TOTPDevice.objects.get(user=personas["alice"])
    used = code_for(device)
    assert device.verify_token(used)
    out, _ = run("demo_otp", "alice")
    assert out.strip() != used
    device.refresh_from_db()
    assert device.verify_token(out.strip())


def test_demo_otp_refuses_an_unknown_user(db):
    with pytest.raises(CommandError, match="No user called"):
        run("demo_otp", "zed")


def test_demo_otp_is_refused_in_production(personas, settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="development only"):
        run("demo_otp", "alice")
