"""What a figure is: a column of a group, a group of figures, a rate of two sums, and the counts
they are read from. Plain values, no query (reports/figures.py is the catalogue made of them)."""

from dataclasses import dataclass
from datetime import date

from django.utils.functional import Promise

# (figure key, office id, first day of the month) -> count
Counts = dict[tuple[str, int, date], int]

# The scope of a figure summed over every office of a page.
ALL = "ALL"


@dataclass(frozen=True)
class Column:
    key: str
    label: Promise | str

    @property
    def anchor(self) -> str:
        """Where the figure is defined: its group's definition."""
        return f"def-{self.key.split('.')[0]}"


@dataclass(frozen=True)
class Group:
    """One block of figures about one set of things (a partition when it has a total)."""

    key: str
    title: Promise | str
    definition: Promise | str
    columns: tuple[Column, ...]
    total: Column | None = None
    defined: bool = True  # False for a page's own selection of other groups' figures

    @property
    def anchor(self) -> str:
        return f"def-{self.key}"

    @property
    def all_columns(self) -> tuple[Column, ...]:
        return (*self.columns, self.total) if self.total else self.columns


@dataclass(frozen=True)
class Rate:
    key: str
    label: Promise | str
    numerator: tuple[str, ...]
    denominator: tuple[str, ...]
    definition: Promise | str

    @property
    def anchor(self) -> str:
        return f"def-{self.key}"
