"""Archiving the trail's older events: a signed file that verifies on its own, and fails when
a line is changed, dropped or re-signed without the key (SECURITY.md, 'Audit trail')."""

import hashlib
import io
import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.utils import translation

from mediation import audit, audit_archive
from tests.mediation.test_audit import legacy_trail

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def trail(counselor, time_machine):
    """Two legacy events, then keyed events in May and in November 2026."""
    time_machine.move_to(datetime(2026, 5, 10, 9, tzinfo=SHANGHAI), tick=False)
    legacy_trail(2)
    for n in range(3):
        audit.record(actor=counselor, action="test.may", details={"n": n})
    time_machine.move_to(datetime(2026, 11, 30, 10, tzinfo=SHANGHAI), tick=False)
    for n in range(2):
        audit.record(actor=counselor, action="test.november", details={"n": n})


def test_the_archive_holds_every_event_before_the_day_and_verifies(trail, tmp_path):
    output = tmp_path / "audit-2026-06.jsonl"
    out = io.StringIO()

    call_command("audit", "archive", "--before", "2026-06-01", "--output", str(output), stdout=out)

    lines = [json.loads(line) for line in output.read_text().splitlines()]
    actions = [line["event"]["action"] for line in lines[1:-1]]
    assert actions == ["legacy.event", "legacy.event", audit.SWITCH_OVER, *["test.may"] * 3]
    assert lines[-1]["count"] == 6
    assert lines[-1]["last"] == 6
    assert output.stat().st_mode & 0o077 == 0
    assert audit_archive.verify_file(output).count == 6


@pytest.mark.parametrize("damage", ["alter", "drop", "resign"])
def test_an_altered_archive_fails_verification_and_says_why(trail, tmp_path, damage):
    output = tmp_path / "archive.jsonl"
    audit_archive.export(before=datetime(2026, 6, 1, tzinfo=SHANGHAI), output=output)
    lines = output.read_text().splitlines()
    if damage == "alter":
        lines[4] = lines[4].replace('"test.may"', '"test.forged"')
    elif damage == "drop":
        del lines[3]
    else:
        trailer = json.loads(lines[-1])
        lines[4] = lines[4].replace('"test.may"', '"test.forged"')
        trailer["digest"] = hashlib.sha256(("\n".join(lines[:-1]) + "\n").encode()).hexdigest()
        lines[-1] = json.dumps(trailer)
    output.write_text("\n".join(lines) + "\n")

    with translation.override("en"), pytest.raises(audit_archive.ArchiveBroken) as broken:
        audit_archive.verify_file(output)

    assert "altered" in str(broken.value)


def test_the_verify_archive_command_exits_non_zero_on_a_damaged_file(trail, tmp_path):
    output = tmp_path / "archive.jsonl"
    audit_archive.export(before=datetime(2026, 12, 1, tzinfo=SHANGHAI), output=output)
    good = io.StringIO()
    call_command("audit", "verify-archive", str(output), stdout=good)
    output.write_text(output.read_text().replace('"test.november"', '"test.forged"', 1))

    with pytest.raises(SystemExit) as exited:
        call_command(
            "audit", "verify-archive", str(output), stdout=io.StringIO(), stderr=io.StringIO()
        )

    assert "8" in good.getvalue()
    assert exited.value.code == 1


def test_nothing_is_deleted_by_archiving(trail, tmp_path):
    before = audit.head()

    audit_archive.export(before=datetime(2026, 6, 1, tzinfo=SHANGHAI), output=tmp_path / "a")

    assert audit.head() == before
    assert audit.AuditEvent.objects.count() == 8
