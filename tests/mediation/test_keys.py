"""Key rotation on the real database, killed half-way and run again (SECURITY.md, 'Keys')."""

import json
import os
import signal
import subprocess
import sys

import pytest
from django.conf import settings

from mediation import crypto, keyring, sealing, services
from mediation.models import Party, SessionNote
from tests.conftest import TEST_RING
from tests.factories import held_session_with_note, open_divorce_case
from tests.mediation.test_audit import subprocess_env

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def manage(*args, key_file, check=True):
    env = subprocess_env()
    for name in ("TONGXIN_KEYS", "TONGXIN_ACTIVE_KEY", "TONGXIN_BLIND_INDEX_KEY"):
        env.pop(name)
    env["TONGXIN_KEY_FILE"] = str(key_file)
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
    for name in ("TONGXIN_KEYS", "TONGXIN_ACTIVE_KEY", "TONGXIN_BLIND_INDEX_KEY"):
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
    only_new = crypto.KeyRing(
        keys={new_ring.active_id: new_ring.keys[new_ring.active_id]},
        active_id=new_ring.active_id,
        blind_index_key=new_ring.blind_index_key,
    )
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
        crypto.KeyRing(
            keys={"elsewhere": bytes([7]) * 32},
            active_id="elsewhere",
            blind_index_key=bytes([8]) * 32,
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
