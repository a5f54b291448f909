"""Small-count suppression for everything a statistics user sees (SECURITY.md, 'Access').
Pure: plain values and sums in, a display state per value out; imports nothing of ours.

Every published number is a cell; `Relation`s say which cells add up to which (row totals,
column totals, a month's figures adding up to the cumulative one...), across all the tables of
one page or report, because a reader can combine them. Counts from 1 to 4 are primary
suppressions, shown as "<5". A hidden cell is safe only when another table exists that agrees
with every number shown, keeps every "<5" cell between 1 and 4 and every complementary cell at 5
or more, and gives that cell a different value. The algorithm finds such an alternative
explicitly for every hidden cell (a 'move': +1/-1 on a few hidden cells that leaves every
relation balanced, such as the four corners of a rectangle); where none exists it hides more
cells (complementary suppression, shown as "×"), choosing the fewest and smallest, and tries
again. Zero is shown (it describes nobody), except where "<5" cells would give each other away
(four "<5" cells adding up to a "<5" total are all 1): then the cells around are withheld
whatever their value, zeros included, also shown as "×".
"""

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, cast

THRESHOLD = 5
MAX_NEW_CELLS = 4
NODE_LIMIT = 4000
BRANCHING = 6


class State(StrEnum):
    SHOWN = "shown"
    SMALL = "small"  # 1-4, shown as "<5"
    HIDDEN = "hidden"  # hidden to protect a small cell, shown as "×"
    WITHHELD = "withheld"  # hidden whatever its value (even 0 or 1-4), shown as "×"


SMALL_LABEL = "<5"
HIDDEN_LABEL = "×"


@dataclass(frozen=True)
class Relation:
    """`total` equals the sum of `parts` (every one of them a published cell)."""

    total: Hashable
    parts: tuple[Hashable, ...]


class SuppressionFailed(RuntimeError):
    """No safe pattern was found: the publication must not go out."""


def display(value: int, state: State) -> str:
    if state is State.SMALL:
        return SMALL_LABEL
    if state in (State.HIDDEN, State.WITHHELD):
        return HIDDEN_LABEL
    return str(value)


def _can_move(value: int, state: State, step: int) -> bool:
    """May a hidden cell (or a shown one about to be hidden) change by `step` and still look the
    same to the reader?"""
    new = value + step
    if state is State.WITHHELD:
        return new >= 0
    if state is State.SMALL:
        return 1 <= new < THRESHOLD
    # A complementary cell is known to be at least THRESHOLD (zeros are never hidden).
    return value >= THRESHOLD and new >= THRESHOLD


class _Solver:
    def __init__(self, values: Mapping[Any, int], relations: Iterable[Relation]) -> None:
        self.values = dict(values)
        for key, value in self.values.items():
            if value < 0:
                raise ValueError(f"negative count for {key!r}")
        self.state = {
            key: State.SMALL if 0 < value < THRESHOLD else State.SHOWN
            for key, value in self.values.items()
        }
        self.constraints: list[dict[Hashable, int]] = []
        for relation in relations:
            keys = (relation.total, *relation.parts)
            if not all(key in self.values for key in keys):
                continue
            if sum(self.values[p] for p in relation.parts) != self.values[relation.total]:
                raise ValueError(f"the parts of {relation.total!r} do not add up to it")
            constraint: dict[Hashable, int] = {}
            for part in relation.parts:
                constraint[part] = constraint.get(part, 0) + 1
            constraint[relation.total] = constraint.get(relation.total, 0) - 1
            self.constraints.append({k: c for k, c in constraint.items() if c})
        self.order = {key: rank for rank, key in enumerate(sorted(self.values, key=repr))}
        self.touching: dict[Hashable, list[int]] = {key: [] for key in self.values}
        for index, constraint in enumerate(self.constraints):
            for key in constraint:
                self.touching[key].append(index)

    # --- one move -------------------------------------------------------------------------
    def find_move(self, target: Hashable, budget: int) -> dict[Hashable, int] | None:
        for step in (1, -1):
            if not _can_move(self.values[target], self.state[target], step):
                continue
            self.nodes = 0
            move = {target: step}
            sums: dict[int, int] = {}
            for index in self.touching[target]:
                sums[index] = self.constraints[index][target] * step
            found = self._extend(move, sums, budget)
            if found is not None:
                return found
        return None

    def _candidates(
        self,
        index: int,
        needed: int,
        move: dict[Hashable, int],
        sums: dict[int, int],
        budget: int,
    ) -> list[tuple[Hashable, int, int]]:
        """Cells of constraint `index` that could take the step that balances it: first those
        that also balance another open sum (they close the cycle), hidden ones before shown ones
        (each shown one costs a hidden cell), smallest first."""
        ranked: list[tuple[int, int, int, int, Hashable, int]] = []
        for key, coef in self.constraints[index].items():
            if key in move:
                continue
            step = needed * coef  # coef is +1 or -1, so coef * step == needed
            state, value = self.state[key], self.values[key]
            if state is State.SHOWN:
                if budget <= 0 or not _can_move(value, State.HIDDEN, step):
                    continue
                cost = 1
            elif _can_move(value, state, step):
                cost = 0
            else:
                continue
            closing = 0
            for other in self.touching[key]:
                if other == index:
                    continue
                before = sums.get(other, 0)
                after = before + self.constraints[other][key] * step
                closing += abs(before) - abs(after)
            ranked.append((-closing, cost, value, self.order[key], key, step))
        ranked.sort()
        return [(key, step, cost) for _c, cost, _v, _r, key, step in ranked[:BRANCHING]]

    def _extend(
        self, move: dict[Hashable, int], sums: dict[int, int], budget: int
    ) -> dict[Hashable, int] | None:
        self.nodes += 1
        if self.nodes > NODE_LIMIT:
            return None
        unbalanced = [index for index, total in sums.items() if total]
        if not unbalanced:
            return dict(move)
        best = self._fewest_candidates(unbalanced, move, sums, budget)
        if not best:
            return None
        for key, step, cost in best:
            move[key] = step
            for index in self.touching[key]:
                sums[index] = sums.get(index, 0) + self.constraints[index][key] * step
            found = self._extend(move, sums, budget - cost)
            for index in self.touching[key]:
                sums[index] -= self.constraints[index][key] * step
            del move[key]
            if found is not None:
                return found
        return None

    def _fewest_candidates(
        self, unbalanced: list[int], move: dict[Hashable, int], sums: dict[int, int], budget: int
    ) -> list[tuple[Hashable, int, int]]:
        """The candidate steps of the unbalanced constraint with the fewest; none if one has
        none (that branch cannot be balanced)."""
        best: list[tuple[Hashable, int, int]] | None = None
        for index in unbalanced:
            needed = -1 if sums[index] > 0 else 1
            candidates = self._candidates(index, needed, move, sums, budget)
            if best is None or len(candidates) < len(best):
                best = candidates
            if not candidates:
                return []
        return best or []

    # --- the whole publication ------------------------------------------------------------
    def hidden(self) -> list[Hashable]:
        order = {State.SMALL: 0, State.HIDDEN: 1, State.WITHHELD: 2}
        keys = [key for key, state in self.state.items() if state is not State.SHOWN]
        return sorted(keys, key=lambda key: (order[self.state[key]], self.order[key]))

    def neighbourhood(self, key: Hashable, hops: int) -> set[Hashable]:
        found, frontier = {key}, {key}
        for _hop in range(hops):
            frontier = {
                other
                for cell in frontier
                for index in self.touching[cell]
                for other in self.constraints[index]
            } - found
            found |= frontier
        return found

    def run(self) -> dict[Hashable, State]:
        protected: set[Hashable] = set()
        pending: list[Hashable] = []
        while True:
            pending = [key for key in pending if key not in protected]
            if not pending:
                pending = [key for key in self.hidden() if key not in protected]
                if not pending:
                    return self.state
                pending.reverse()
            target = pending.pop()
            move = self._move_protecting(target)
            for key in move:
                if self.state[key] is State.SHOWN:
                    self.state[key] = State.HIDDEN
            protected.update(move)

    def _move_protecting(self, target: Hashable) -> dict[Hashable, int]:
        """The cheapest move that protects the target, withholding cells around it if none."""
        hops = 0
        while True:
            for budget in range(MAX_NEW_CELLS + 1):
                move = self.find_move(target, budget)
                if move is not None:
                    return move
            # "<5" cells can give each other away (four "<5" adding up to a "<5" total
            # are all 1): withhold the cells around the target whatever their value, and
            # widen the circle until a move exists.
            hops += 1
            if hops > 2 * len(self.constraints) + 2:
                raise SuppressionFailed(f"no safe suppression pattern for {target!r}")
            for key in self.neighbourhood(target, hops):
                self.state[key] = State.WITHHELD


def suppress[K: Hashable](
    values: Mapping[K, int], relations: Iterable[Relation] = ()
) -> dict[K, State]:
    """The display state of every cell: SHOWN, SMALL ("<5"), HIDDEN or WITHHELD (both "×").

    Guarantee: for every cell not SHOWN there is another set of values that agrees with every
    SHOWN cell and every relation, keeps SMALL cells within 1-4, HIDDEN cells at 5 or more and
    WITHHELD cells at 0 or more, and differs in that cell; so no hidden count can be worked out
    from the totals.
    """
    # The solver keeps the caller's keys as they are: its result has exactly the keys of `values`.
    return cast("dict[K, State]", _Solver(values, relations).run())
