"""The figure catalogue (reports/figures.py): every figure a page prints is defined once, every
sum and rate is made of defined figures, and every column links to a definition on the page."""

from django.utils import translation

from reports.figures import GROUPS, MZT_GROUPS, RATES, SERVICE_HOURS, SUM_LABELS, SUMS


def base_figures() -> set[str]:
    return {column.key for group in GROUPS for column in group.columns}


def test_no_figure_is_defined_twice():
    keys = [column.key for group in GROUPS for column in group.all_columns]

    assert len(keys) == len(set(keys))
    assert not base_figures() & set(SUMS)


def test_a_group_total_is_the_sum_of_its_columns():
    for group in GROUPS:
        if group.total:
            assert SUMS[group.total.key] == tuple(column.key for column in group.columns)


def test_every_sum_and_rate_is_made_of_defined_figures():
    known = base_figures() | set(SUMS)

    for parts in SUMS.values():
        assert set(parts) <= base_figures()
    for rate in RATES:
        assert set(rate.numerator) | set(rate.denominator) <= known, rate.key
    assert set(SUM_LABELS) <= set(SUMS)


def test_every_column_links_to_a_definition_the_page_prints():
    definitions = {group.anchor for group in GROUPS if group.defined}

    for group in GROUPS:
        for column in group.all_columns:
            assert column.anchor in definitions, column.key
    assert len({rate.anchor for rate in RATES} | definitions) == len(RATES) + len(GROUPS)


def test_the_mzt_084_table_has_categories_sessions_services_results_and_satisfaction():
    assert [group.key for group in MZT_GROUPS] == [
        "cases",
        "sessions",
        "services",
        "results",
        "satisfaction",
    ]


def test_the_service_hours_definition_gives_the_registrys_duty_hours():
    with translation.override("zh-hans"):
        definition = str(SERVICE_HOURS.definition)

    assert "08:30–12:00" in definition
    assert "13:30–17:00" in definition
