"""`huiyin create-admins`: the first three administrators of a new installation."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from orgs.accounts import must_change_password
from orgs.models import Membership, Role

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("create_admins", *args, stdout=out)
    return out.getvalue()


def test_makes_three_separate_administrators_who_must_change_their_password():
    printed = run("--admin", "xitong", "--security", "anquan", "--auditor", "shenji")
    users = get_user_model().objects.filter(username__in=["xitong", "anquan", "shenji"])
    assert users.count() == 3
    roles = dict(Membership.objects.values_list("user__username", "role"))
    assert roles == {"xitong": Role.ADMIN, "anquan": Role.SECURITY, "shenji": Role.AUDITOR}
    for user in users:
        assert not user.is_superuser
        assert must_change_password(user)
        password = next(
            line.split("\t")[2] for line in printed.splitlines() if f"\t{user.username}\t" in line
        )
        assert user.check_password(password)
    passwords = [line.split("\t")[2] for line in printed.splitlines() if line.count("\t") == 2]
    assert len(set(passwords)) == 3


def test_refuses_once_an_administrator_exists(cast):
    with pytest.raises(CommandError, match="已有管理员账号"):
        run()


def test_refuses_one_person_for_two_roles():
    with pytest.raises(CommandError, match="三个不同的账号"):
        run("--admin", "same", "--security", "same")
    assert not get_user_model().objects.filter(username="same").exists()
