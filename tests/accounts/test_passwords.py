"""Password policy: Argon2 first, at least 12 characters, common and numeric passwords refused."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.auth.hashers import check_password, get_hasher, identify_hasher, make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from wrekin.accounts.models import User


def test_argon2_is_the_first_hasher():
    assert settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    assert get_hasher().algorithm == "argon2"
    encoded = make_password("a-long-test-passphrase-42")
    assert encoded.startswith("argon2$") and identify_hasher(encoded).algorithm == "argon2"
    assert check_password("a-long-test-passphrase-42", encoded)


@pytest.mark.django_db
def test_an_older_hash_is_upgraded_to_argon2_at_sign_in():
    user = User.objects.create(username="legacy",
                               password=make_password("a-long-test-passphrase-42", hasher="pbkdf2_sha256"))
    assert user.check_password("a-long-test-passphrase-42")
    user.refresh_from_db()
    assert user.password.startswith("argon2$")


@pytest.mark.parametrize("password, message", [
    ("Tr0ub4dor&3", "This password is too short. It must contain at least 12 characters."),
    ("password1234", "This password is too common."),
    ("qwertyuiop123", "This password is too common."),
    ("846201937546", "This password is entirely numeric."),
])
def test_weak_passwords_are_refused(password, message):
    with pytest.raises(ValidationError) as refused:
        validate_password(password)
    assert message in refused.value.messages


def test_a_password_like_the_users_name_is_refused():
    user = User(username="kayleigh.smithson", first_name="Kayleigh", last_name="Smithson")
    with pytest.raises(ValidationError) as refused:
        validate_password("kayleigh.smithson", user)
    assert any("too similar" in message for message in refused.value.messages)


@pytest.mark.parametrize("password", ["correct-horse-battery-wrekin", "a-long-test-passphrase-42",
                                      "Wellington bus station at 6"])
def test_long_uncommon_passphrases_are_accepted(password):
    validate_password(password, User(username="alice"))
