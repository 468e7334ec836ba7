"""Helpers for the second factor's tests: a user enrolled, codes at a frozen time."""

import pyotp
from django.test import Client

from security import actions

LOGIN = "/login/"
OTP = "/security/otp/"
ENROL = "/security/enrol/"


def enrol(user) -> tuple[str, list[str]]:
    """Enrol `user` (at the current, usually frozen, time): their secret and recovery codes.
    The code used to confirm is then spent: the next login needs a later step."""
    secret = actions.secret_of(actions.start_enrolment(user))
    codes = actions.confirm_enrolment(user, pyotp.TOTP(secret).now(), request=None)
    return secret, codes


def password_step(client: Client, username: str, *, next_url: str = "") -> str:
    """Post the password; where the login sent the browser."""
    data = {"username": username, "password": "pw-" + username}
    if next_url:
        data["next"] = next_url
    response = client.post(LOGIN, data)
    assert response.status_code == 302, response.content.decode()[:500]
    return response["Location"]


def logged_in_as(client: Client):
    return client.session.get("_auth_user_id")


def recovery_code_for(user) -> str:
    """A usable second factor for `user` in a test of something else (an API token of an
    administrator): enrols them if needed, else issues new recovery codes; one of them."""
    if actions.device_of(user) is None:
        return enrol(user)[1][0]
    return actions._issue_codes(user, request=None)[0]
