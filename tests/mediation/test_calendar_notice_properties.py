"""The reader of the State Council's holiday notice (CalendarYearForm), over any text
(Hypothesis): it gives the holidays and make-up days it read, or errors a clerk can read, and
never fails otherwise."""

from datetime import date, timedelta

from hypothesis import example, given
from hypothesis import strategies as st

from mediation.forms import CalendarYearForm

NOTICE_WORDS = st.sampled_from(
    ["元旦", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节", "放假", "调休", "至", "到",
     "~", "—", "-", "/", ".", "年", "月", "日", "（星期六）", "(周日)", "共3天", "，", "、", "；",
     "\n", " ", "\u3000"]
)  # fmt: skip
NOTICE_TEXT = st.lists(
    st.one_of(
        NOTICE_WORDS,
        st.integers(0, 3000).map(str),
        st.characters(categories=["Nd"]),
        st.text(max_size=5),
    ),
    max_size=30,
).map("".join)


def form(year, holidays: str, makeup: str) -> CalendarYearForm:
    return CalendarYearForm(
        data={
            "year": year,
            "holidays": holidays,
            "makeup_workdays": makeup,
            "source": "国办发明电〔2026〕1号",
        }
    )


@given(
    st.one_of(st.integers(1990, 2110).map(str), st.text(max_size=6)),
    NOTICE_TEXT | st.text(),
    NOTICE_TEXT | st.text(),
)
@example("2027", "2027-01-01 2027-01-03 元旦\n2月6日至12日 春节", "2027-02-20")
@example("2027", "٢٠٢٧-٠١-٠١ 元旦", "")
@example("2027", "0000-01-01 元旦", "99日")
@example("2027", "2027-02-30 元旦", "2027年13月1日")
def test_any_text_gives_days_or_errors_a_clerk_can_read(year, holidays, makeup):
    notice = form(year, holidays, makeup)

    if notice.is_valid():
        entered = notice.cleaned_data["year"]
        for first, last, name in notice.cleaned_data["holidays"]:
            assert first <= last
            assert first.year == last.year == entered
            assert name.strip()
        for day in notice.cleaned_data["makeup_workdays"]:
            assert day.year == entered
            assert day.weekday() >= 5
    else:
        assert notice.errors
        for messages in notice.errors.values():
            assert all(isinstance(message, str) and message for message in messages)


@st.composite
def notices(draw):
    """A year's notice written as the form's help text says: first day, last day, name."""
    year = draw(st.integers(2000, 2100))
    holidays = []
    for name in draw(st.lists(st.sampled_from(["元旦", "春节", "清明节", "国庆节"]), max_size=4)):
        first = date(year, 1, 1) + timedelta(days=draw(st.integers(0, 350)))
        last = min(first + timedelta(days=draw(st.integers(0, 8))), date(year, 12, 31))
        holidays.append((first, last, name))
    weekend_days = [
        date(year, 1, 1) + timedelta(days=offset)
        for offset in range(365)
        if (date(year, 1, 1) + timedelta(days=offset)).weekday() >= 5
    ]
    makeup = draw(st.lists(st.sampled_from(weekend_days), max_size=3))
    return year, holidays, makeup


@given(notices(), st.sampled_from(["{:%Y-%m-%d}", "{:%Y/%m/%d}", "{0.year}年{0.month}月{0.day}日"]))
def test_a_notice_written_as_the_help_text_says_is_read_back_exactly(notice, style):
    year, holidays, makeup = notice
    lines = [f"{style.format(first)} {style.format(last)} {name}" for first, last, name in holidays]
    entered = form(
        str(year), "\n".join(lines) or "元旦", " ".join(style.format(day) for day in makeup)
    )

    if not holidays:
        assert not entered.is_valid()
        return
    assert entered.is_valid(), entered.errors
    assert entered.cleaned_data["holidays"] == holidays
    assert entered.cleaned_data["makeup_workdays"] == makeup
