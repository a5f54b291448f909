"""Finding a case by its number, a party's full name or an ID number, within the cases the user
may see. Names and ID numbers are matched through their keyed blind indexes (SECURITY.md,
'Finding a person'), never by opening sealed values; each search is an audit event that says
how it searched and how many it found, never what was typed.
May import models, access, audit, identity and parties (for the name index)."""

import re
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Prefetch
from django.http import HttpRequest
from django.utils.translation import gettext as _

from .. import access, audit
from ..identity import InvalidIdNumber, normalise_id_number
from ..models import Case, CaseAssignment, Outcome, User
from .parties import _id_number_message, id_index_of, name_index_of

BY_NUMBER, BY_NAME, BY_ID_NUMBER = "number", "name", "id_number"
RESULTS_MAX = 50
# XLT-2026-0012, 2026-0012 or 0012: what a case number, or the end of one, looks like.
CASE_NUMBER = re.compile(r"^(?:[A-Za-z]{1,12}-)?(?:\d{4}-)?\d{1,6}$")
# Something typed as an ID number (digits, perhaps a final X), even a mistyped one.
ID_LIKE = re.compile(r"^[0-9０-９]{15,17}[0-9０-９xXｘＸ]?$")  # noqa: RUF001  (IDs typed full-width)


@dataclass
class SearchResult:
    by: str = ""
    cases: list[Case] = field(default_factory=list)
    total: int = 0
    error: str = ""

    @property
    def more(self) -> bool:
        return self.total > len(self.cases)


def _kind(text: str) -> str:
    compact = "".join(text.split())
    if ID_LIKE.match(compact):
        return BY_ID_NUMBER
    if CASE_NUMBER.match(compact):
        return BY_NUMBER
    return BY_NAME


@transaction.atomic
def search_cases(*, user: User, text: str, request: HttpRequest | None = None) -> SearchResult:
    """The cases the user may see that match `text`: a case number (whole or its end), a
    party's full name (normalised, through the name index) or an ID number (normalised and
    checked, through the ID index). Open cases first, newest first; RESULTS_MAX at most, with
    the total. An ID number that fails its check gives the reason and searches nothing."""
    text = text.strip()
    result = SearchResult(by=_kind(text))
    scope = access.cases_for(user, access.Action.VIEW)
    if result.by == BY_NUMBER:
        matches = scope.filter(number__iendswith="".join(text.split()))
    elif result.by == BY_ID_NUMBER:
        try:
            normalised = normalise_id_number(text)
        except InvalidIdNumber as error:
            result.error = _id_number_message(error.code)
            matches = scope.none()
        else:
            matches = scope.filter(parties__id_index=id_index_of(normalised))
    else:
        index = name_index_of(text)
        matches = scope.filter(parties__name_index=index) if index else scope.none()
    active = CaseAssignment.objects.filter(ended_at__isnull=True).select_related("counselor")
    matches = (
        matches.distinct()
        .select_related("office")
        .prefetch_related(
            Prefetch("assignments", queryset=active, to_attr="active_assignments"),
            Prefetch("outcomes", queryset=Outcome.objects.in_force(), to_attr="outcomes_in_force"),
        )
        .order_by("-status", "-opened_at")
    )
    result.total = matches.count()
    result.cases = list(matches[:RESULTS_MAX])
    audit.record(
        actor=user,
        action="case.search",
        request=request,
        details={"by": result.by, "found": result.total},
    )
    if not result.total and not result.error:
        result.error = _("No case you may see matches.")
    return result
