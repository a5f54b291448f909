"""The official-calendar pages, for civil-affairs and system administrators only."""

from datetime import date
from http import HTTPStatus

import pytest
from django.urls import reverse
from django.utils import timezone

from mediation.forms import CalendarYearForm
from mediation.models import OfficialCalendarYear

# The role fixtures are looked up by name, so the database mark is declared here.
pytestmark = pytest.mark.django_db

PAGES = [
    ("mediation:calendar-list", []),
    ("mediation:calendar-year", [2026]),
    ("mediation:calendar-enter", []),
]

NOTICE_2027 = {
    "year": "2027",
    "holidays": "元旦：1月1日（周五）至3日（周日）放假调休，共3天。\n2027-02-06 2027-02-14 春节\n",
    "makeup_workdays": "2027-02-20，2027年10月9日（周六）",
    "source": "国务院办公厅关于2027年部分节假日安排的通知（测试）",
}


@pytest.mark.parametrize(("name", "args"), PAGES)
@pytest.mark.parametrize("role", ["counselor", "supervisor", "womens_federation"])
def test_roles_without_the_calendar_permission_get_404(client, request, role, name, args):
    client.force_login(request.getfixturevalue(role))

    response = client.get(reverse(name, args=args))

    assert response.status_code == HTTPStatus.NOT_FOUND


@pytest.mark.parametrize(("name", "args"), PAGES)
@pytest.mark.parametrize("role", ["civil_affairs", "sysadmin"])
def test_civil_affairs_and_system_administrators_reach_every_page(
    client, request, role, name, args
):
    client.force_login(request.getfixturevalue(role))

    response = client.get(reverse(name, args=args))

    assert response.status_code == HTTPStatus.OK


def test_the_list_shows_every_loaded_year_and_warns_about_next_year(
    client, civil_affairs, django_assert_num_queries
):
    next_year = timezone.localdate().year + 1
    OfficialCalendarYear.objects.filter(year=next_year).delete()
    client.force_login(civil_affairs)

    # session, user, two permission look-ups, the roles for the navigation, the session's save
    # (savepoint, update, release), the bell's unread count, and one query for all years with
    # their counts.
    with django_assert_num_queries(11):
        response = client.get(reverse("mediation:calendar-list"))

    assert "官方日历" in response.text
    assert reverse("mediation:calendar-year", args=[2004]) in response.text
    assert f"{next_year}年的官方日历尚未录入" in response.text
    assert f"?year={next_year}" in response.text


def test_the_year_page_lists_holidays_and_make_up_days_in_chinese(client, civil_affairs):
    client.force_login(civil_affairs)

    response = client.get(reverse("mediation:calendar-year", args=[2026]))

    assert "国庆节" in response.text
    assert "2026年10月1日至2026年10月7日，共7天" in response.text
    assert "2026年9月20日 (星期日)" in response.text
    assert "来自 chinese-calendar 软件包" in response.text


def test_a_year_not_loaded_has_no_page(client, civil_affairs):
    client.force_login(civil_affairs)

    response = client.get(reverse("mediation:calendar-year", args=[2031]))

    assert response.status_code == HTTPStatus.NOT_FOUND


def test_the_entry_form_proposes_the_next_year(client, civil_affairs):
    client.force_login(civil_affairs)

    response = client.get(reverse("mediation:calendar-enter"))

    assert f'value="{timezone.localdate().year + 1}"' in response.text


def test_entering_the_notice_as_copied_stores_the_year_and_shows_it(client, civil_affairs):
    client.force_login(civil_affairs)

    response = client.post(reverse("mediation:calendar-enter"), NOTICE_2027, follow=True)

    year = OfficialCalendarYear.objects.get(year=2027)
    assert response.redirect_chain[-1][0] == reverse("mediation:calendar-year", args=[2027])
    assert "2027年的官方日历已保存" in response.text
    assert year.entered_by == civil_affairs
    assert year.source == NOTICE_2027["source"]
    assert list(year.days.values_list("date", "name")[:3]) == [
        (date(2027, 1, 1), "元旦"),
        (date(2027, 1, 2), "元旦"),
        (date(2027, 1, 3), "元旦"),
    ]
    assert set(year.days.filter(kind="work").values_list("date", flat=True)) == {
        date(2027, 2, 20),
        date(2027, 10, 9),
    }


@pytest.mark.parametrize(
    ("field", "typed", "message"),
    [
        (
            "makeup_workdays",
            "2027-03-03",
            "2027年3月3日（周三）不是周六或周日：调休上班日只能是周末。",
        ),
        ("holidays", "2026-12-31 2027-01-02 跨年", "不在2027年之内"),
        (
            "holidays",
            "2027-01-03 2027-01-01 元旦",
            "第1行：结束日2027年1月1日（周五）早于起始日2027年1月3日（周日）。",
        ),
        ("holidays", "2027-02-30 春节", "第1行：“2027-02-30”不是有效日期。"),
        ("holidays", "2027-01-01 2027-01-03", "第1行：缺少节假日名称"),
        ("makeup_workdays", "2月20号", "第1行：“2月20号”不是有效日期。"),
        ("source", "", "这个字段是必填项。"),
    ],
)
def test_bad_input_is_explained_in_chinese_and_everything_typed_is_kept(
    client, civil_affairs, field, typed, message
):
    client.force_login(civil_affairs)
    data = NOTICE_2027 | {field: typed}

    response = client.post(reverse("mediation:calendar-enter"), data)

    assert response.status_code == HTTPStatus.OK
    assert message in response.text
    for value in data.values():
        assert value.strip() in response.text
    assert not OfficialCalendarYear.objects.filter(year=2027).exists()


def test_entering_a_year_already_loaded_says_so_next_to_the_year(client, civil_affairs):
    client.force_login(civil_affairs)

    response = client.post(
        reverse("mediation:calendar-enter"),
        {"year": "2026", "holidays": "2026-01-01 2026-01-03 元旦", "source": "重新录入"},
    )

    assert "2026年的日历随系统提供，不能替换。" in response.text
    assert OfficialCalendarYear.objects.get(year=2026).origin == "package"


def test_mistakes_in_both_boxes_are_shown_together(client, civil_affairs):
    client.force_login(civil_affairs)
    data = NOTICE_2027 | {
        "holidays": "2027-01-03 2027-01-01 元旦\n2月6日至14日 春节",
        "makeup_workdays": "2027-03-03",
    }

    response = client.post(reverse("mediation:calendar-enter"), data)

    assert "第1行：结束日2027年1月1日（周五）早于起始日2027年1月3日（周日）。" in response.text
    assert "2027年3月3日（周三）不是周六或周日" in response.text


def test_the_form_reads_the_lines_docs_calendar_md_shows():
    form = CalendarYearForm(
        {
            "year": "2027",
            "holidays": "2027-01-01 2027-01-03 元旦\n"
            "2027年2月6日至2027年2月14日 春节\n"
            "清明节：4月3日（周六）至5日（周一）放假，共3天。\n"
            "2027-06-09 端午节",
            "makeup_workdays": "2月20日（周六）、10月9日（周六）",
            "source": "国办发明电〔2026〕X号",
        }
    )

    assert form.is_valid(), form.errors
    assert form.cleaned_data["holidays"] == [
        (date(2027, 1, 1), date(2027, 1, 3), "元旦"),
        (date(2027, 2, 6), date(2027, 2, 14), "春节"),
        (date(2027, 4, 3), date(2027, 4, 5), "清明节"),
        (date(2027, 6, 9), date(2027, 6, 9), "端午节"),
    ]
    assert form.cleaned_data["makeup_workdays"] == [date(2027, 2, 20), date(2027, 10, 9)]
