"""The statistics pages: who may see them, that they show counts and never people, and that
the monthly report is made in the background and archived."""

import io
import re
import uuid
import zipfile
from datetime import date
from http import HTTPStatus
from typing import Any

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django_tasks_db.management.commands import db_worker
from pypdf import PdfReader

from mediation.models import CounselingSession
from mediation.roles import Role
from reports import periods, services
from reports.models import MonthlyReport
from tests.factories import make_user
from tests.reports.conftest import SECRET_ID_NUMBERS, SECRET_NAMES, SECRET_NOTE

SECRETS = (*SECRET_NAMES, *SECRET_ID_NUMBERS, SECRET_NOTE, "13800000000")
IMMEDIATE = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
PERIOD = {"first": "2021-03", "last": "2021-05"}


def assert_no_secrets(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text


@pytest.fixture
def statistics_users(civil_affairs, womens_federation):
    return [civil_affairs, womens_federation]


def report_urls() -> list[str]:
    some = uuid.uuid4()
    return [
        reverse("reports:dashboard"),
        reverse("reports:dashboard-export", args=["csv"]),
        reverse("reports:dashboard-export", args=["xlsx"]),
        reverse("reports:report-list"),
        reverse("reports:report-status", args=[some]),
        reverse("reports:report-download", args=[some]),
    ]


@pytest.mark.parametrize("role", [Role.COUNSELOR, Role.SUPERVISOR, Role.SYSADMIN])
def test_everyone_but_the_statistics_roles_gets_404_on_every_statistics_page(client, xlt, role):
    client.force_login(make_user(role, xlt, username=f"no_{role}"))

    for url in report_urls():
        assert client.get(url).status_code == HTTPStatus.NOT_FOUND, url
    response = client.post(reverse("reports:report-create"), {"month": "2021-04"})
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert MonthlyReport.objects.count() == 0


def test_both_statistics_roles_see_the_dashboard(client, statistics_users, pilot):
    for user in statistics_users:
        client.force_login(user)

        response = client.get(reverse("reports:dashboard"), PERIOD)

        assert response.status_code == HTTPStatus.OK
        assert "婚姻家庭辅导工作统计表" in response.text
        assert "<svg" in response.text


def test_every_figure_links_to_its_definition_on_the_page(client, civil_affairs, pilot):
    client.force_login(civil_affairs)

    html = client.get(reverse("reports:dashboard"), PERIOD).text

    anchors = set(re.findall(r'href="#(def-[\w.]+)"', html))
    targets = set(re.findall(r'id="(def-[\w.]+)"', html))
    assert {"def-cases", "def-outcomes", "def-applications", "def-rate.uptake"} <= anchors
    assert anchors <= targets


def test_the_dashboard_hides_small_counts_and_keeps_lapsed_apart(client, civil_affairs, pilot):
    client.force_login(civil_affairs)

    html = client.get(reverse("reports:dashboard"), PERIOD).text

    assert "&lt;5" in html
    table = html[html.index('id="table-outcomes"') :]
    table = table[: table.index("</table>")]
    assert "视为撤回" in table
    assert "和好（撤回申请）" in table
    assert not re.search(r'class="tx-num">[1-4]<', html)


def _walk(resolver, prefix=""):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            namespace = f"{pattern.namespace}:" if pattern.namespace else prefix
            yield from _walk(pattern, namespace)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{prefix}{pattern.name}", pattern


def _arguments(
    pattern: URLPattern, values: dict[str, list], by_name: dict[str, list] | None = None
) -> list[dict]:
    """Every combination of the values for the route's converters; an argument named in
    `by_name` takes only the values given there."""
    converters = pattern.pattern.converters
    names = list(converters)
    if not names:
        return [{}]
    choices: list[dict[str, Any]] = [{}]
    for name in names:
        kind = type(converters[name]).__name__
        options = (by_name or {}).get(name) or values.get(kind, values["StringConverter"])
        choices = [dict(c, **{name: option}) for c in choices for option in options]
    return choices


def test_statistics_roles_reach_no_case_anywhere(client, statistics_users, pilot):
    """Every named route of the project, called with the real uuids, ids and codes of the pilot:
    a case route is a 404, and no page that answers shows a name, an ID number or a note. A case
    route's case is the real case (its other arguments take every value): another record's uuid
    in its place names no case, which tests/test_urls.py checks for every case route."""
    session = CounselingSession.objects.filter(case=pilot.d).first()
    values = {
        "UUIDConverter": [
            pilot.d.uuid,
            session.uuid,
            *pilot.d.parties.values_list("uuid", flat=True),
        ],
        "IntConverter": [1, 2, pilot.d.pk, session.pk, 2021],
        "StringConverter": ["PS", pilot.d.number, str(pilot.d.uuid)],
        "SlugConverter": ["PS", pilot.d.number],
        "PathConverter": [pilot.d.number],
    }
    routes = list(_walk(get_resolver()))
    assert routes
    # Another app's broken page must not hide what this test looks for.
    client.raise_request_exception = False
    for user in statistics_users:
        client.force_login(user)
        for name, pattern in routes:
            if name in ("logout", "set_language", "mediation:sign-out-everywhere"):
                continue
            for kwargs in _arguments(pattern, values, {"case_uuid": [pilot.d.uuid]}):
                try:
                    url = reverse(name, kwargs=kwargs)
                except Exception:
                    continue
                got, posted = client.get(url), client.post(url, {})
                if "case_uuid" in kwargs:
                    # A POST-only page may refuse a GET before looking at the case at all.
                    assert got.status_code in (HTTPStatus.NOT_FOUND, 405), url
                    assert posted.status_code == HTTPStatus.NOT_FOUND, url
                for response in (got, posted):
                    if response.get("Content-Type", "").startswith("text/"):
                        assert_no_secrets(response.content.decode())


def test_no_name_id_number_or_note_reaches_the_dashboard_exports_or_pdf(
    client, civil_affairs, pilot
):
    client.force_login(civil_affairs)

    assert_no_secrets(client.get(reverse("reports:dashboard"), PERIOD).text)
    csv = client.get(reverse("reports:dashboard-export", args=["csv"]), PERIOD)
    assert_no_secrets(csv.content.decode("utf-8-sig"))
    xlsx = client.get(reverse("reports:dashboard-export", args=["xlsx"]), PERIOD)
    with zipfile.ZipFile(io.BytesIO(xlsx.content)) as archive:
        for name in archive.namelist():
            assert_no_secrets(archive.read(name).decode("utf-8", "replace"))
    report = services.make_report(
        period=periods.month(date(2021, 4, 1)), offices=[], confirmed_by=civil_affairs
    )
    data = services.report_path(report).read_bytes()
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    assert_no_secrets(text)
    for secret in SECRETS:
        assert secret.encode("utf-8") not in data
        assert secret.encode("utf-16-be") not in data
    assert_no_secrets(client.get(reverse("reports:report-list")).text)


def test_exports_carry_the_same_suppressed_cells_as_the_page(client, civil_affairs, busy_month):
    client.force_login(civil_affairs)
    params = {"first": "2021-04", "last": "2021-04"}

    csv = client.get(reverse("reports:dashboard-export", args=["csv"]), params)
    text = csv.content.decode("utf-8-sig")

    assert csv["Content-Disposition"].endswith('.csv"')
    assert "兴隆台区婚姻登记处" in text
    outcome_lines = [line for line in text.splitlines() if line.startswith("兴隆台区婚姻登记处")]
    assert any(",8," in line for line in outcome_lines)
    assert "<5" in text
    assert not re.search(r",[1-4](,|$)", text)


def test_the_archive_lists_reports_in_a_fixed_number_of_queries(
    client, civil_affairs, pilot, django_assert_num_queries
):
    for month in (3, 4):
        report = services.request_report(
            period=periods.month(date(2021, month, 1)), offices=[], made_by=civil_affairs
        )
        services.confirm_report(report=report, confirmed_by=civil_affairs)
    services.request_report(period=periods.quarter(2021, 2), offices=[], made_by=civil_affairs)
    client.force_login(civil_affairs)
    client.get(reverse("reports:report-list"))

    with django_assert_num_queries(13):  # 12, and the bell's unread count
        response = client.get(reverse("reports:report-list"))

    assert response.text.count('data-status="queued"') == 2
    assert response.text.count('data-status="draft"') == 1


@override_settings(TASKS=IMMEDIATE)
def test_a_report_asked_for_in_the_browser_is_a_draft_until_its_maker_confirms_it(
    client, civil_affairs, pilot
):
    client.force_login(civil_affairs)

    response = client.post(reverse("reports:report-create"), {"month": "2021-04"})

    assert response.status_code == HTTPStatus.FOUND
    report = MonthlyReport.objects.get()
    assert response["Location"] == reverse("reports:report-detail", args=[report.uuid])
    assert report.status == "draft"
    assert not report.number
    assert not report.file_path
    draft = client.get(reverse("reports:report-preview", args=[report.uuid]))
    assert draft["Content-Type"] == "application/pdf"
    assert "草稿" in "".join(p.extract_text() for p in PdfReader(io.BytesIO(draft.content)).pages)
    assert not MonthlyReport.objects.exclude(number="").exists()

    client.post(reverse("reports:report-confirm", args=[report.uuid]))

    report.refresh_from_db()
    assert report.status == "done"
    assert report.made_by == civil_affairs
    assert report.confirmed_by == civil_affairs
    assert report.issuer == "刘民政"
    listing = client.get(reverse("reports:report-list")).text
    assert report.sha256 in listing
    assert "刘民政" in listing
    download = client.get(reverse("reports:report-download", args=[report.uuid]))
    assert b"".join(download.streaming_content).startswith(b"%PDF")


def test_the_task_worker_renders_a_queued_report_while_the_page_polls(
    client, civil_affairs, pilot, monkeypatch
):
    # The worker closes idle connections between tasks; inside a test transaction that would
    # close the test's own connection, so only that housekeeping is switched off.

    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    client.force_login(civil_affairs)
    client.post(reverse("reports:report-create"), {"month": "2021-04", "offices": ["PS"]})
    report = MonthlyReport.objects.get()
    client.post(reverse("reports:report-confirm", args=[report.uuid]))
    status_url = reverse("reports:report-status", args=[report.uuid])

    waiting = client.get(status_url).text
    call_command("db_worker", "--batch", "--no-startup-delay", "--queue-name", "*")
    done = client.get(status_url).text

    assert "<progress" in waiting
    assert 'hx-trigger="every 1s"' in waiting
    report.refresh_from_db()
    assert report.status == "done"
    assert report.office_codes == "PS"
    assert "hx-trigger" not in done
    assert report.sha256 in done


def test_a_download_whose_file_changed_is_refused(client, civil_affairs, pilot):
    report = services.make_report(
        period=periods.month(date(2021, 4, 1)), offices=[], confirmed_by=civil_affairs
    )
    path = services.report_path(report)
    path.chmod(0o640)
    path.write_bytes(b"%PDF-forged")
    client.force_login(civil_affairs)

    response = client.get(reverse("reports:report-download", args=[report.uuid]))

    assert response.status_code == HTTPStatus.FOUND
