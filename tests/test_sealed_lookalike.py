"""A value that only looks sealed (issue 16 fix round): "sm4:…" typed by a person is
encrypted like any other text, and a stored value that does not open with the keyring
(legacy plain text, an altered value, a key gone) reads as it is stored — never a 500."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test import Client

from cases.models import Proposer
from cases.tests.factories import Cast
from huiyin import crypto
from huiyin.sealed import opened, reveal, stored_key_id
from opinions.actions import register_opinion
from opinions.models import Opinion

pytestmark = pytest.mark.django_db
LOOKALIKE = "sm4:AAAAnot-our-ciphertext"


@pytest.fixture
def clock():
    at = datetime(2026, 4, 15, 10, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
    with time_machine.travel(at, tick=False):
        yield


def _raw(model, pk, column):
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {connection.ops.quote_name(column)} FROM {model._meta.db_table} "
            f"WHERE {connection.ops.quote_name(model._meta.pk.column)} = %s",
            [pk],
        )
        return cursor.fetchone()[0]


def _set_raw(model, pk, column, value):
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {model._meta.db_table} SET {connection.ops.quote_name(column)} = %s "
            f"WHERE {connection.ops.quote_name(model._meta.pk.column)} = %s",
            [value, pk],
        )


def test_a_typed_lookalike_is_encrypted_and_reads_back(clock):
    cast = Cast()
    case = register_opinion(
        by=cast.coordinator, channel="email", content="医院停车难", email=LOOKALIKE
    )
    stored = _raw(Opinion, case.pk, "email")
    assert stored != LOOKALIKE and crypto.is_encrypted_text(stored)
    assert crypto.decrypt_text(stored) == LOOKALIKE
    assert Opinion.objects.get(pk=case.pk).email == LOOKALIKE
    assert Opinion.objects.filter(pk=case.pk).values_list("email", flat=True)[0] == LOOKALIKE


def test_our_ciphertext_is_passed_through_not_sealed_twice(clock):
    proposer = Proposer.objects.create(name="沈代表", kind="deputy")
    sealed = crypto.encrypt_text("13700003333")
    Proposer.objects.filter(pk=proposer.pk).update(phone=sealed)
    assert _raw(Proposer, proposer.pk, "phone") == sealed
    assert Proposer.objects.get(pk=proposer.pk).phone == "13700003333"


@pytest.mark.parametrize(
    "stored",
    [
        LOOKALIKE,  # an earlier build stored it as it was typed
        "sm4:!!!",  # not base64
        crypto.TEXT_PREFIX + "SFlTNAFr",  # a blob cut short
    ],
)
def test_a_stored_value_that_does_not_open_reads_as_stored(clock, stored):
    cast = Cast()
    case = register_opinion(by=cast.coordinator, channel="email", content="看病难", email="a@b.cn")
    _set_raw(Opinion, case.pk, "email", stored)
    assert Opinion.objects.get(pk=case.pk).email == stored
    assert reveal(stored) == stored and opened(stored) is None and stored_key_id(stored) is None
    client = Client()
    client.force_login(cast.coordinator)
    response = client.get(f"/cases/{case.pk}/")
    assert response.status_code == 200
    reveal_page = client.post(f"/opinions/{case.pk}/reveal-phone/")
    assert reveal_page.status_code == 200


def test_a_value_of_a_dropped_key_reads_as_stored(clock, monkeypatch):
    other = crypto.Keyring(keys={"gone": b"\x01" * 16}, current_id="gone", index_key=b"\x02" * 32)
    foreign = crypto.encrypt_text("13900001111", ring=other)
    assert reveal(foreign) == foreign and stored_key_id(foreign) is None
    ours = crypto.encrypt_text("13900001111")
    assert reveal(ours) == "13900001111"
    assert stored_key_id(ours) == crypto.data_keyring().current_id
