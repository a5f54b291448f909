"""Statistics leaving the system are audit events (SECURITY.md): every CSV/XLSX download, every
draft shown, every report archived (browser, command, schedule) and every archived PDF
downloaded leaves exactly one event, with codes, months and a checksum but no name, and the
chain stays whole."""

import io
import json
from datetime import date
from http import HTTPStatus

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse

from mediation import audit
from mediation.models import AuditEvent, RegistryOffice
from reports import periods, services
from reports.models import MonthlyReport
from reports.pdf import ReportRenderError
from tests.reports.conftest import DUTY_COUNSELOR_NAMES, SECRET_ID_NUMBERS, SECRET_NAMES

IMMEDIATE = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
APRIL = date(2021, 4, 1)
NAMES = (
    *SECRET_NAMES,
    *SECRET_ID_NUMBERS,
    *DUTY_COUNSELOR_NAMES,
    "刘民政",
    "李咨询",
    "王咨询",
    "兴隆台区婚姻登记处",
    "盘山县婚姻登记处",
)


def events_since(seq: int) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(seq__gt=seq).order_by("seq"))


def last_seq() -> int:
    return AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0


def the_one_event(seq: int, action: str) -> AuditEvent:
    """Exactly one event since `seq`, of `action`, naming nobody; and the chain verifies."""
    events = events_since(seq)
    assert [event.action for event in events] == [action]
    event = events[0]
    written = json.dumps(
        {"details": event.details, "object": event.object_uuid, "office": event.office_code},
        ensure_ascii=False,
    )
    for name in NAMES:
        assert name not in written
    audit.write_checkpoint()  # what the commit would do: a test's transaction never commits
    assert audit.verify().ok
    call_command("audit", "verify", stdout=io.StringIO())  # exits non-zero if broken
    return event


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_download_of_the_statistics_is_one_audit_event(client, civil_affairs, duty, fmt):
    client.force_login(civil_affairs)
    before = last_seq()

    response = client.get(
        reverse("reports:dashboard-export", args=[fmt]),
        {"first": "2021-03", "last": "2021-05", "offices": ["XLT", "PS"]},
    )

    assert response.status_code == HTTPStatus.OK
    event = the_one_event(before, "statistics.export")
    assert event.actor == civil_affairs
    assert event.outcome == "ok"
    assert event.details == {
        "kind": fmt,
        "first": "2021-03",
        "last": "2021-05",
        "offices": ["PS", "XLT"],
    }


def test_looking_at_the_dashboard_is_not_an_export(client, civil_affairs, pilot):
    client.force_login(civil_affairs)
    before = last_seq()

    client.get(reverse("reports:dashboard"), {"first": "2021-03", "last": "2021-05"})

    assert events_since(before) == []


@override_settings(TASKS=IMMEDIATE)
def test_a_report_previewed_confirmed_and_downloaded_in_the_browser_is_one_event_each(
    client, civil_affairs, pilot
):
    client.force_login(civil_affairs)
    before = last_seq()
    client.post(reverse("reports:report-create"), {"month": "2021-04", "offices": ["PS"]})
    report = MonthlyReport.objects.get()
    assert events_since(before) == []

    client.get(reverse("reports:report-preview", args=[report.uuid]))

    shown = the_one_event(before, "statistics.export")
    assert shown.actor == civil_affairs
    assert shown.details["kind"] == "pdf"
    assert "sha256" not in shown.details

    before = last_seq()
    client.post(reverse("reports:report-confirm", args=[report.uuid]))

    report.refresh_from_db()
    made = the_one_event(before, "report.generate")
    assert made.actor == civil_affairs
    assert made.object_type == "monthlyreport"
    assert made.object_uuid == str(report.uuid)
    assert made.details == {
        "kind": "pdf",
        "first": "2021-04",
        "last": "2021-04",
        "offices": ["PS"],
        "sha256": report.sha256,
    }

    before = last_seq()
    response = client.get(reverse("reports:report-download", args=[report.uuid]))

    assert b"".join(response.streaming_content).startswith(b"%PDF")
    downloaded = the_one_event(before, "report.download")
    assert downloaded.actor == civil_affairs
    assert downloaded.outcome == "ok"
    assert downloaded.details["sha256"] == report.sha256


def test_a_report_made_by_the_command_is_one_event(pilot, civil_affairs, tmp_path):
    before = last_seq()

    call_command(
        "monthly_report", "--month", "2021-04", "--user", "mz", "--output", str(tmp_path / "r.pdf")
    )

    event = the_one_event(before, "report.generate")
    assert event.actor == civil_affairs
    assert event.details["offices"] == ["DW", "PS", "STZ", "XLT"]


def test_a_scheduled_report_is_one_event_of_the_system(pilot):
    before = last_seq()

    services.scheduled_reports(today=date(2021, 5, 6))

    event = the_one_event(before, "report.generate")
    assert event.actor is None
    assert event.role == "system"
    assert event.details["first"] == "2021-04"


def test_a_refused_download_is_one_failed_event(client, civil_affairs, pilot):
    report = services.make_report(
        period=periods.month(APRIL), offices=[], confirmed_by=civil_affairs
    )
    path = services.report_path(report)
    path.chmod(0o640)
    path.write_bytes(b"%PDF-forged")
    client.force_login(civil_affairs)
    before = last_seq()

    response = client.get(reverse("reports:report-download", args=[report.uuid]))

    assert response.status_code == HTTPStatus.FOUND
    event = the_one_event(before, "report.download")
    assert event.outcome == "failed"


def test_a_report_that_cannot_be_rendered_is_one_failed_event(pilot, ps):
    # A character no font has: the renderer refuses to print a box instead of it.
    RegistryOffice.objects.filter(pk=ps.pk).update(name="盘山\U000f0041")
    report = services.request_report(period=periods.month(APRIL), offices=[ps], made_by=None)
    report = services.confirm_report(report=report, confirmed_by=None, issuer="定时任务")
    before = last_seq()

    with pytest.raises(ReportRenderError):
        services.generate_report(report=report)

    event = the_one_event(before, "report.generate")
    assert event.outcome == "failed"
    assert "sha256" not in event.details


def export(**overrides):
    values = {
        "actor": None,
        "action": "statistics.export",
        "kind": "csv",
        "first": APRIL,
        "last": APRIL,
        "office_codes": ["PS"],
    }
    return audit.record_statistics_export(**{**values, **overrides})


def test_the_core_writes_an_export_event_from_codes_months_and_a_checksum(ps):
    checksum = "ab" * 32

    event = export(action="report.download", kind="pdf", sha256=checksum, outcome="failed")

    assert event.action == "report.download"
    assert event.outcome == "failed"
    assert event.details == {
        "kind": "pdf",
        "first": "2021-04",
        "last": "2021-04",
        "offices": ["PS"],
        "sha256": checksum,
    }
    audit.write_checkpoint()
    assert audit.verify().ok


@pytest.mark.parametrize(
    ("overrides", "refused"),
    [
        ({"action": "case.read"}, "action and kind"),
        ({"kind": "docx"}, "action and kind"),
        ({"office_codes": ["PS", "欧阳秘密"]}, "office codes"),
        ({"sha256": "欧阳秘密"}, "checksum"),
        ({"first": "欧阳秘密"}, "dates"),
        ({"outcome": "欧阳秘密"}, "outcome"),
    ],
)
def test_the_core_refuses_an_export_event_that_could_carry_a_name(ps, overrides, refused):
    before = last_seq()

    with pytest.raises(ValueError, match=refused) as error:
        export(**overrides)

    assert "欧阳秘密" not in str(error.value)
    assert events_since(before) == []
