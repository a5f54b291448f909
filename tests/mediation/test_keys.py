"""Key rotation on the real database, killed half-way and run again (SECURITY.md, 'Keys')."""

import json
import os
import signal
import subprocess
import sys
from dataclasses import replace

import pytest
from django.conf import settings

from mediation import audit, crypto, keyring, sealing, services
from mediation import keys as key_operations
from mediation.models import Party, SessionNote
from mediation.services.parties import earlier_cases_for
from tests.conftest import TEST_RING, TEST_SUITE, fixed_ring
from tests.factories import held_session_with_note, open_divorce_case
from tests.mediation.test_audit import subprocess_env

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def manage(*args, key_file, check=True, suite=None):
    env = subprocess_env()
    for name in list(env):
        if name.startswith(
            ("TONGXIN_KEYS", "TONGXIN_ACTIVE", "TONGXIN_BLIND", "TONGXIN_AUDIT_KEYS")
        ):
            env.pop(name)
    env["TONGXIN_KEY_FILE"] = str(key_file)
    if suite:
        env["TONGXIN_CRYPTO_SUITE"] = suite
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=check,
        timeout=300,
    )


def many_parties(case, count):
    """Sealed rows in bulk (the rule-checking service is exercised elsewhere)."""
    rows = []
    for n in range(count):
        party = Party(case=case, position=3 + n)
        sealing.seal(party, name=f"当事人{n}")
        rows.append(party)
    Party.objects.bulk_create(rows)


def test_rotation_killed_half_way_and_resumed_leaves_every_row_readable_with_the_new_key(
    counselor, xlt, tmp_path
):
    key_file = tmp_path / "keys.json"
    manage("keys", "generate", "--output", str(key_file), key_file=key_file)
    old_ring = crypto.KeyRing.from_json(key_file.read_text())
    keyring.use(old_ring)
    try:
        case = open_divorce_case(xlt, counselor)
        _, note = held_session_with_note(case, counselor, body="示例笔记：轮换前写的")
        many_parties(case, 1500)
    finally:
        keyring.use(TEST_RING)

    manage("keys", "add", "--file", str(key_file), key_file=key_file)
    new_ring = crypto.KeyRing.from_json(key_file.read_text())
    env = subprocess_env()
    for name in list(env):
        if name.startswith(
            ("TONGXIN_KEYS", "TONGXIN_ACTIVE", "TONGXIN_BLIND", "TONGXIN_AUDIT_KEYS")
        ):
            env.pop(name)
    env["TONGXIN_KEY_FILE"] = str(key_file)
    process = subprocess.Popen(
        [sys.executable, "manage.py", "keys", "rotate", "--batch", "20"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    for line in process.stdout:
        if line.strip().startswith("mediation.Party:"):
            os.kill(process.pid, signal.SIGKILL)
            break
    process.wait()
    half_way = Party.objects.filter(key_id=old_ring.active_id).count()

    finished = manage("keys", "rotate", key_file=key_file)
    manage("keys", "retire", old_ring.active_id, "--file", str(key_file), key_file=key_file)
    status = manage("keys", "status", key_file=key_file, check=False)

    assert 0 < half_way < Party.objects.count(), "the first run was killed half-way"
    assert "rows done" in finished.stdout
    assert status.returncode == 0, status.stderr
    assert old_ring.active_id not in json.loads(key_file.read_text())["keys"]
    only_new = new_ring.without_master_key(old_ring.active_id)
    keyring.use(only_new)
    try:
        opened = services.read_note(user=counselor, note=SessionNote.objects.get(pk=note.pk))
        names = {
            sealing.open_fields(p, "name")["name"] for p in Party.objects.filter(position__gte=3)
        }
    finally:
        keyring.use(TEST_RING)
    assert opened.values["body"] == "示例笔记：轮换前写的"
    assert len(names) == 1500


def test_status_exits_non_zero_when_a_row_needs_a_key_that_is_not_loaded(counselor, xlt, tmp_path):
    key_file = tmp_path / "keys.json"
    manage("keys", "generate", "--output", str(key_file), key_file=key_file)
    keyring.use(
        replace(
            TEST_RING, keys={"elsewhere": bytes([7]) * 32}, algorithms={}, active_id="elsewhere"
        )
    )
    try:
        open_divorce_case(xlt, counselor)
        case = open_divorce_case(xlt, counselor)
        services.update_party(party=case.parties.first(), updated_by=counselor, name="某人")
    finally:
        keyring.use(TEST_RING)

    status = manage("keys", "status", key_file=key_file, check=False)

    assert status.returncode == 1
    assert "NOT LOADED" in status.stdout


ID_NUMBER = "11010519491231002X"


def sealed_ciphers() -> set[str]:
    """The cipher of every wrapped data key and every sealed value in the database."""
    found = set()
    for model in sealing.sealed_models():
        columns = ["wrapped_key", *sealing.sealed_columns(model)]
        for row in model._default_manager.values_list(*columns):
            found |= {crypto.cipher_of_value(blob).name for blob in row if blob is not None}
    return found


@pytest.mark.parametrize(("start", "end"), [("aes", "sm"), ("sm", "aes")])
def test_rotation_moves_every_value_and_index_to_the_other_suite_and_everything_still_opens(
    counselor, xlt, settings, start, end
):
    first_ring, end_suite = fixed_ring(start), crypto.SUITES[end]
    settings.TONGXIN_CRYPTO_SUITE = start
    keyring.use(first_ring)
    try:
        earlier = open_divorce_case(xlt, counselor)
        services.update_party(
            party=earlier.parties.first(), updated_by=counselor, name="甲", id_number=ID_NUMBER
        )
        case = open_divorce_case(xlt, counselor)
        _, note = held_session_with_note(case, counselor, body="示例笔记：换算法之前")
        before = sealed_ciphers()

        moved = first_ring.with_master_key(
            "test-b", crypto.new_key(end_suite.cipher), end_suite.cipher
        ).with_audit_key("audit-b", bytes(range(100, 132)), end_suite.mac)
        settings.TONGXIN_CRYPTO_SUITE = end
        keyring.use(moved)
        half = services.update_party(
            party=case.parties.first(), updated_by=counselor, name="乙", id_number=ID_NUMBER
        )
        mixed = sealed_ciphers()
        progress = key_operations.rotate(batch_size=2)
        after = sealed_ciphers()
        indexes = key_operations.blind_index_status()
        keyring.use(
            replace(
                moved,
                keys={"test-b": moved.keys["test-b"]},
                algorithms={"test-b": end_suite.cipher.name},
            )
        )
        opened = services.read_note(user=counselor, note=SessionNote.objects.get(pk=note.pk))
        name = services.read_party_identity(
            user=counselor, party=Party.objects.get(pk=half.pk)
        ).values["name"]
        found = earlier_cases_for(Party.objects.get(pk=half.pk))
        audit.chain_pending()
        audit.write_checkpoint()
        verified = audit.verify()
    finally:
        keyring.use(TEST_RING)

    assert before == {crypto.SUITES[start].cipher.name}
    assert mixed == {crypto.SUITES[start].cipher.name, end_suite.cipher.name}  # old rows still old
    assert progress.done > 0
    assert not progress.unavailable
    assert after == {end_suite.cipher.name}  # no value of the old cipher remains
    assert dict(indexes) == {end_suite.mac: 2}
    assert opened.values["body"] == "示例笔记：换算法之前"
    assert name == "乙"
    assert [c.pk for c in found] == [earlier.pk]
    assert verified.ok, verified.reason


def test_with_the_sm_suite_keys_add_and_rotate_leave_no_aes_value_and_status_is_clean(
    counselor, xlt, tmp_path
):
    """The acceptance of issue 10: an AES deployment moves to SM4-GCM and HMAC-SM3."""
    key_file = tmp_path / "keys.json"
    manage("keys", "generate", "--suite", "aes", "--output", str(key_file), key_file=key_file)
    aes_ring = crypto.KeyRing.from_json(key_file.read_text())
    keyring.use(aes_ring)
    try:
        case = open_divorce_case(xlt, counselor)
        services.update_party(
            party=case.parties.first(), updated_by=counselor, name="丙", id_number=ID_NUMBER
        )
        _, note = held_session_with_note(case, counselor, body="示例笔记：国密之前")
    finally:
        keyring.use(TEST_RING)

    added = manage(
        "keys", "add", "--suite", "sm", "--file", str(key_file), key_file=key_file, suite="sm"
    )
    pending = manage("keys", "status", key_file=key_file, suite="sm")
    rotated = manage("keys", "rotate", key_file=key_file, suite="sm")
    status = manage("keys", "status", key_file=key_file, suite="sm")
    sm_ring = crypto.KeyRing.from_json(key_file.read_text())

    assert "sm4-gcm" in added.stdout
    assert "hmac-sm3" in added.stdout
    assert "run keys rotate" in pending.stdout
    assert "clean" not in pending.stdout
    assert "rows done" in rotated.stdout
    assert "clean" in status.stdout, status.stdout
    assert sealed_ciphers() == {"sm4-gcm"}
    assert sm_ring.validate(crypto.SUITES["sm"]) == []
    keyring.use(sm_ring.without_master_key(aes_ring.active_id))
    try:
        opened = services.read_note(user=counselor, note=SessionNote.objects.get(pk=note.pk))
    finally:
        keyring.use(TEST_RING)
    assert opened.values["body"] == "示例笔记：国密之前"


def test_keys_add_if_needed_gives_an_older_ring_an_audit_key_once(tmp_path, db):
    key_file = tmp_path / "keys.json"
    older = replace(TEST_RING, audit_keys={}, audit_algorithms={}, audit_active_id="")
    key_file.write_text(older.to_json())

    first = manage("keys", "add", "--file", str(key_file), "--if-needed", key_file=key_file)
    again = manage("keys", "add", "--file", str(key_file), "--if-needed", key_file=key_file)
    ring = crypto.KeyRing.from_json(key_file.read_text())

    assert "audit key" in first.stdout
    assert "keeping it" in again.stdout
    assert ring.keys == older.keys
    assert ring.validate(crypto.SUITES[TEST_SUITE]) == []
