"""Small counts are hidden, and no hidden count can be worked out from what is shown.

The attacker is exact: an integer solver that knows every shown number, every relation, that
"<5" means 1-4 and "×" means 5 or more, and asks for the smallest and largest value each hidden
cell could have. If they are equal, the cell is disclosed.
"""

import random
from collections.abc import Hashable

import pytest
from ortools.sat.python import cp_model

from reports.suppression import (
    HIDDEN_LABEL,
    SMALL_LABEL,
    Relation,
    State,
    display,
    suppress,
)


def table(rows: list[list[int]], name: str = "t"):
    """A 2-way table with row totals, column totals and the grand total, as cells and sums."""
    values: dict[Hashable, int] = {}
    relations: list[Relation] = []
    n = len(rows[0])
    for i, row in enumerate(rows):
        for j, value in enumerate(row):
            values[(name, i, j)] = value
        values[(name, i, "total")] = sum(row)
        relations.append(Relation((name, i, "total"), tuple((name, i, j) for j in range(n))))
    for j in range(n):
        values[(name, "total", j)] = sum(row[j] for row in rows)
        relations.append(
            Relation((name, "total", j), tuple((name, i, j) for i in range(len(rows))))
        )
    values[(name, "total", "total")] = sum(map(sum, rows))
    relations.append(
        Relation((name, "total", "total"), tuple((name, "total", j) for j in range(n)))
    )
    relations.append(
        Relation((name, "total", "total"), tuple((name, i, "total") for i in range(len(rows))))
    )
    return values, relations


def disclosed(values, relations, states) -> list:
    """Hidden cells whose value the exact attacker pins down."""
    found = []
    for target, state in states.items():
        if state is State.SHOWN:
            continue
        bounds = []
        for sense in ("min", "max"):
            model = cp_model.CpModel()
            variables = {}
            for key, value in values.items():
                if states[key] is State.SHOWN:
                    variables[key] = model.new_constant(value)
                elif states[key] is State.SMALL:
                    variables[key] = model.new_int_var(1, 4, str(key))
                elif states[key] is State.WITHHELD:
                    variables[key] = model.new_int_var(0, 100_000, str(key))
                else:
                    variables[key] = model.new_int_var(5, 100_000, str(key))
            for relation in relations:
                model.add(variables[relation.total] == sum(variables[p] for p in relation.parts))
            (model.minimize if sense == "min" else model.maximize)(variables[target])
            solver = cp_model.CpSolver()
            solver.parameters.num_workers = 1
            status = solver.solve(model)
            assert status == cp_model.OPTIMAL
            bounds.append(solver.value(variables[target]))
        if bounds[0] == bounds[1]:
            found.append(target)
    return found


def test_counts_under_five_show_as_less_than_five_and_zero_and_big_counts_show():
    values, relations = table([[3, 12, 0], [7, 9, 10]])

    states = suppress(values, relations)

    assert display(3, states[("t", 0, 0)]) == SMALL_LABEL
    assert display(0, states[("t", 0, 2)]) == "0"
    assert states[("t", 1, 1)] in (State.SHOWN, State.HIDDEN)
    assert display(26, State.SHOWN) == "26"
    assert display(26, State.HIDDEN) == HIDDEN_LABEL


def test_a_single_small_cell_gets_three_complements_forming_a_rectangle():
    values, relations = table([[3, 12, 8], [7, 9, 10], [20, 30, 40]])

    states = suppress(values, relations)

    hidden = [key for key, state in states.items() if state is not State.SHOWN]
    assert len(hidden) == 4
    assert disclosed(values, relations, states) == []


def test_the_row_total_cannot_reveal_the_one_small_cell_of_a_row():
    values, relations = table([[2, 50], [60, 70]])

    states = suppress(values, relations)

    assert states[("t", 0, 1)] is not State.SHOWN or states[("t", 0, "total")] is not State.SHOWN
    assert disclosed(values, relations, states) == []


def test_a_table_with_nothing_small_hides_nothing():
    values, relations = table([[30, 12], [7, 9]])

    assert set(suppress(values, relations).values()) == {State.SHOWN}


def test_one_office_one_column_is_still_safe():
    values, relations = table([[3]])

    states = suppress(values, relations)

    assert set(states.values()) == {State.SMALL}
    assert disclosed(values, relations, states) == []


@pytest.mark.parametrize("seed", range(120))
def test_no_hidden_cell_of_a_random_table_can_be_recovered(seed):
    rng = random.Random(seed)
    rows = [
        [rng.choice([0, 0, 1, 2, 3, 4, 5, 6, 8, 15, 40]) for _ in range(rng.randint(1, 5))]
        for _ in range(rng.randint(1, 5))
    ]
    width = len(rows[0])
    rows = [(row + [0] * width)[:width] for row in rows]
    values, relations = table(rows)

    states = suppress(values, relations)

    for key, value in values.items():
        if 0 < value < 5:
            assert states[key] in (State.SMALL, State.WITHHELD)
        if value == 0:
            assert states[key] in (State.SHOWN, State.WITHHELD)
    assert disclosed(values, relations, states) == []


@pytest.mark.parametrize("seed", range(40))
def test_linked_tables_a_month_and_its_trend_cannot_be_differenced(seed):
    """Two months of a 2x3 table, and their sum as a third table: every month cell and every
    cumulative cell is linked, as on the dashboard and in the report."""
    rng = random.Random(1000 + seed)
    months = [
        [[rng.choice([0, 1, 2, 3, 6, 9, 20]) for _ in range(3)] for _ in range(2)] for _ in range(2)
    ]
    values, relations = {}, []
    for index, rows in enumerate(months):
        month_values, month_relations = table(rows, name=f"m{index}")
        values |= month_values
        relations += month_relations
    cumulative = [[months[0][i][j] + months[1][i][j] for j in range(3)] for i in range(2)]
    cumulative_values, cumulative_relations = table(cumulative, name="cum")
    values |= cumulative_values
    relations += cumulative_relations
    for key in cumulative_values:
        relations.append(Relation(key, (("m0", *key[1:]), ("m1", *key[1:]))))

    states = suppress(values, relations)

    assert disclosed(values, relations, states) == []


def test_small_cells_that_would_give_each_other_away_are_withheld():
    """Four "<5" cells adding up to a "<5" total would all be 1: they are withheld instead."""
    values, relations = table([[1, 0, 1, 1, 1], [30, 40, 50, 60, 70]])

    states = suppress(values, relations)

    assert State.WITHHELD in states.values()
    assert disclosed(values, relations, states) == []


def test_parts_that_do_not_add_up_are_refused():
    with pytest.raises(ValueError, match="do not add up"):
        suppress({"a": 1, "b": 2, "t": 4}, [Relation("t", ("a", "b"))])
