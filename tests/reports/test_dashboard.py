"""The dashboard as people look at it: the last full month first, presets, a comparison with the
period before and the year before, one month named once, the women's federation's figures first
for the federation, and charts that never draw a hidden count as zero."""

import itertools
import re
from datetime import datetime
from zoneinfo import ZoneInfo

from django.urls import reverse

from reports import charts

BEIJING = ZoneInfo("Asia/Shanghai")


def headline(html: str) -> str:
    start = html.index(">", html.index('data-testid="headline"')) + 1
    return re.sub(r"<[^>]+>", "", html[start : html.index("</p>", start)])


def test_the_dashboard_opens_on_the_last_full_month_named_once(
    client, civil_affairs, busy_month, time_machine
):
    time_machine.move_to(datetime(2021, 5, 17, 10, tzinfo=BEIJING), tick=False)
    client.force_login(civil_affairs)

    html = client.get(reverse("reports:dashboard")).text

    text = headline(html)
    assert text.startswith("2021年4月，共有8对夫妻和好。")
    assert "至" not in text.split("。")[0]
    assert "自调解室2021年3月开设以来，共有8对夫妻和好。" in text
    assert 'value="2021-04"' in html
    assert '<a class="nav-link active" aria-current="page" href="?preset=last_month">' in html


def test_presets_choose_the_period_and_keep_the_offices(
    client, civil_affairs, busy_month, time_machine
):
    time_machine.move_to(datetime(2021, 6, 2, 10, tzinfo=BEIJING), tick=False)
    client.force_login(civil_affairs)
    dashboard = reverse("reports:dashboard")

    quarter = client.get(dashboard, {"preset": "this_quarter", "offices": ["XLT"]}).text
    since = client.get(dashboard, {"preset": "since_opening"}).text
    year = client.get(dashboard, {"preset": "this_year"}).text

    assert headline(quarter).startswith("2021年第二季度，共有8对夫妻和好")
    assert 'href="?preset=last_month&amp;offices=XLT"' in quarter
    assert headline(since).startswith("2021年3月至2021年6月，共有8对夫妻和好")
    assert headline(year).startswith("2021年1月至2021年6月")
    for label in ("上月", "本季度", "本年", "调解室开设以来"):
        assert f">{label}</a>" in since


def test_each_key_figure_is_compared_with_the_period_before_and_the_year_before(
    client, civil_affairs, busy_month
):
    client.force_login(civil_affairs)

    html = client.get(reverse("reports:dashboard"), {"first": "2021-04", "last": "2021-04"}).text

    table = html[html.index('id="table-key_figures"') :]
    table = table[: table.index("</table>")]
    for column in ("本月（2021年4月）", "上月（2021年3月）", "去年同月（2020年4月）"):
        assert column in table
    row = table[table.index("和好夫妻对数") :]
    assert re.findall(r'class="tx-num[^"]*">([^<]+)<', row[: row.index("</tr>")]) == [
        "8",
        "0",
        "0",
    ]


def test_the_womens_federation_sees_its_figures_first(
    client, civil_affairs, womens_federation, busy_month
):
    period = {"first": "2021-03", "last": "2021-05"}
    client.force_login(womens_federation)
    fulian = client.get(reverse("reports:dashboard"), period).text
    client.force_login(civil_affairs)
    minzheng = client.get(reverse("reports:dashboard"), period).text

    assert fulian.index('id="fulian"') < fulian.index('id="trend-heading"')
    assert minzheng.index('id="fulian"') > minzheng.index('id="trend-heading"')
    for column in ("完成安全评估", "转介妇联", "转介法律援助", "已联系到"):
        assert column in fulian


def test_a_hidden_count_is_a_marked_gap_never_a_point_on_the_zero_line():
    svg = charts.line_chart(
        "逐月情况",
        ["2021年3月", "2021年4月", "2021年5月"],
        [("和好夫妻对数", [12, "<5", 9]), ("视为撤回的申请", [0, "×", 7])],
    )

    bottom = 300 - 60
    zero_points = re.findall(rf'<circle cx="([\d.]+)" cy="{bottom}\.0"', svg)
    assert len(zero_points) == 1  # the real zero of March, nothing for the hidden April
    assert svg.count('class="tx-gap"') == 1
    assert re.findall(r'class="tx-gap-label"[^>]*>([^<]+)<', svg) == ["&lt;5", "×"]
    assert svg.count("<polyline") == 0  # each series is broken into single points


def test_month_labels_are_thinned_so_that_none_overlaps_the_next():
    labels = [f"{2021 + (m + 2) // 12}年{(m + 2) % 12 + 1}月" for m in range(69)]

    svg = charts.line_chart("逐月情况", labels, [("和好夫妻对数", list(range(69)))])

    xs = [float(x) for x in re.findall(r'class="tx-x-label" x="([\d.]+)"', svg)]
    widest = max(charts.text_width(label) for label in labels)
    assert 3 <= len(xs) < 69
    assert all(b - a >= widest for a, b in itertools.pairwise(xs))
    assert svg.rstrip("</svg>").count(labels[-1]) == 1  # the last month is always labelled
