"""Read helpers of the core for the daily pages: the sections of the today page (what is
overdue, today's sessions, deadlines of the coming week, unsigned notes, follow-ups due) and the
supervisor's figures (caseloads, unassigned cases), and the order of the case lists. The autosaved
drafts waiting to be resumed head the page when there are any. Reads only, a fixed number of
queries per page whatever the number of rows; every case is reached through `access.cases_for`.

May import models, access and the pure modules; never a service (names are opened by
services.read_masked_names, which records the read).
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cached_property
from typing import Any, overload

from django.db.models import Case as DbCase
from django.db.models import Count, DateField, Exists, F, Model, OuterRef, Q, QuerySet, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import access
from .models import Case, CaseAssignment, CounselingSession, FollowUp, NoteDraft, SessionNote, User
from .models.cases import CaseQuerySet
from .models.notes import NOTE_SECTIONS

# The cases a section is about: a query (the desk's) or the ids of `work_cases`.
type Cases = CaseQuerySet | Sequence[int]

# Rows each section of the today page shows before "查看全部 (N)".
SECTION_ROWS = 5
DEADLINE_DAYS = 7
FOLLOW_UP_DAYS = 14

DRAFTS, OVERDUE, SESSIONS, DEADLINES, NOTES, FOLLOW_UPS = (
    "drafts",
    "overdue",
    "sessions",
    "deadlines",
    "notes",
    "follow_ups",
)
SECTION_TITLES = {
    DRAFTS: gettext_lazy("Notes saved automatically but not yet saved by you"),
    OVERDUE: gettext_lazy("Overdue"),
    SESSIONS: gettext_lazy("My sessions today"),
    DEADLINES: gettext_lazy("Deadlines in the next 7 days"),
    NOTES: gettext_lazy("Notes not yet signed"),
    FOLLOW_UPS: gettext_lazy("Follow-ups due"),
}
SECTIONS = tuple(SECTION_TITLES)
# Sections left off the today page while they have no rows.
SHOWN_ONLY_WITH_ROWS = frozenset({DRAFTS})


@dataclass
class Row:
    """One thing to do: which case, what, and the date it is about with the date's name."""

    case: Case
    what: str
    day: date | datetime | None
    day_label: str
    url: str
    overdue: bool = False
    provisional: bool = False
    names: str = ""

    @property
    def sort_key(self) -> tuple:
        moment = self.day
        if isinstance(moment, datetime):
            moment = timezone.localtime(moment).date()
        return (moment or date.max, self.case.number)


@dataclass
class Section:
    key: str
    title: str
    rows: list[Row]
    total: int
    url: str = ""
    empty: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def more(self) -> bool:
        return self.total > len(self.rows)


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _as_query(cases: Cases) -> CaseQuerySet:
    return cases if isinstance(cases, QuerySet) else Case.objects.filter(pk__in=cases)


def _case_url(case: Case) -> str:
    return reverse("mediation:case-detail", args=[case.uuid])


# --- what is overdue -----------------------------------------------------------------------------


def overdue_follow_ups(cases: Cases, today: date) -> QuerySet[FollowUp]:
    return FollowUp.objects.filter(
        case__in=cases, status=FollowUp.Status.DUE, due_on__lt=today
    ).select_related("case", "party")


def unrecorded_sessions(cases: Cases, today: date) -> QuerySet[CounselingSession]:
    """Sessions of days gone by still marked booked: held or not, nobody recorded it."""
    return CounselingSession.objects.filter(
        case__in=cases, status=CounselingSession.Status.BOOKED, starts_at__lt=_start_of(today)
    ).select_related("case")


def outcome_overdue(cases: Cases, today: date) -> CaseQuerySet:
    """Open divorce cases whose certificate window is over: the registry outcome is due."""
    return _as_query(cases).open().filter(certificate_window_ends_on__lt=today)


def _follow_up_row(follow_up: FollowUp, *, overdue: bool) -> Row:
    return Row(
        case=follow_up.case,
        what=_("%(months)s-month follow-up of %(party)s")
        % {"months": follow_up.months, "party": follow_up.party.label},
        day=follow_up.due_on,
        day_label=_("due on"),
        url=reverse("mediation:follow-up-record", args=[follow_up.case.uuid, follow_up.pk]),
        overdue=overdue,
    )


def overdue_rows(cases: Cases, today: date, limit: int | None) -> tuple[list[Row], int]:
    """Everything past its date, oldest first: follow-up calls not made, sessions of earlier
    days not recorded as held or missed, divorce cases past their certificate window without a
    registry outcome. `limit` rows at most (None: all), and how many there are."""
    follow_ups, late_follow_ups = _first(
        overdue_follow_ups(cases, today).order_by("due_on", "pk"), limit
    )
    sessions, late_sessions = _first(
        unrecorded_sessions(cases, today).order_by("starts_at", "pk"), limit
    )
    closing, late_closing = _first(
        outcome_overdue(cases, today).order_by("certificate_window_ends_on", "number"), limit
    )
    rows = [_follow_up_row(f, overdue=True) for f in follow_ups]
    rows += [
        Row(
            case=session.case,
            what=_("Session not recorded: was it held?"),
            day=session.starts_at,
            day_label=_("session on"),
            url=reverse("mediation:session-detail", args=[session.case.uuid, session.uuid]),
            overdue=True,
        )
        for session in sessions
    ]
    rows += [
        Row(
            case=case,
            what=_("No registry outcome recorded"),
            day=case.certificate_window_ends_on,
            day_label=_("certificate window ended"),
            url=reverse("mediation:case-outcome", args=[case.uuid]),
            overdue=True,
            provisional=case.deadlines_provisional,
        )
        for case in closing
    ]
    rows.sort(key=lambda row: row.sort_key)
    return (rows[:limit] if limit else rows), late_follow_ups + late_sessions + late_closing


def _first[T: Model](query: QuerySet[T], limit: int | None) -> tuple[list[T], int]:
    """The first `limit` rows of a query (None: all) and how many it has: counted apart only
    when there are more than `limit` (most sections of most days have fewer)."""
    if not limit:
        items = list(query)
        return items, len(items)
    items = list(query[: limit + 1])
    if len(items) > limit:
        return items[:limit], query.count()
    return items, len(items)


# --- the other sections --------------------------------------------------------------------------


def sessions_today(user: Any, cases: Cases, today: date) -> QuerySet[CounselingSession]:
    start = _start_of(today)
    return (
        CounselingSession.objects.filter(
            Q(lead_counselor=user) | Q(co_counselors=user),
            case__in=cases,
            starts_at__gte=start,
            starts_at__lt=start + timedelta(days=1),
        )
        .exclude(status=CounselingSession.Status.CANCELLED)
        .select_related("case", "party", "booked_room")
        .distinct()
        .order_by("starts_at", "pk")
    )


def _session_row(session: CounselingSession) -> Row:
    what = session.get_kind_display()
    if session.party:
        what += f"（{session.party.label}）"
    what += f" · {session.room} · {session.get_status_display()}"
    return Row(
        case=session.case,
        what=what,
        day=session.starts_at,
        day_label=_("starts at"),
        url=reverse("mediation:session-detail", args=[session.case.uuid, session.uuid]),
    )


def deadlines_soon(cases: Cases, today: date) -> CaseQuerySet:
    last = today + timedelta(days=DEADLINE_DAYS)
    return (
        _as_query(cases)
        .open()
        .filter(
            Q(cooling_off_ends_on__gte=today, cooling_off_ends_on__lte=last)
            | Q(certificate_window_ends_on__gte=today, certificate_window_ends_on__lte=last)
        )
    )


def _deadline_row(case: Case, today: date) -> Row:
    cooling = case.cooling_off_ends_on is not None and case.cooling_off_ends_on >= today
    return Row(
        case=case,
        what=case.get_category_display(),
        day=case.cooling_off_ends_on if cooling else case.certificate_window_ends_on,
        day_label=_("cooling-off ends") if cooling else _("certificate window ends"),
        url=_case_url(case),
        provisional=case.deadlines_provisional,
    )


def unsigned_notes(user: Any, cases: Cases) -> QuerySet[SessionNote]:
    return (
        SessionNote.objects.filter(
            author=user, status=SessionNote.Status.DRAFT, session__case__in=cases
        )
        .select_related("session__case")
        .only("pk", "uuid", "status", "session__uuid", "session__starts_at", "session__case")
        .order_by("session__starts_at", "pk")
    )


def _note_row(note: SessionNote) -> Row:
    session = note.session
    return Row(
        case=session.case,
        what=_("Draft note: sign it when it is complete"),
        day=session.starts_at,
        day_label=_("session on"),
        url=reverse("mediation:note-edit", args=[session.case.uuid, session.uuid]),
    )


def waiting_drafts(user: Any, cases: Cases) -> QuerySet[NoteDraft]:
    """The user's autosaved drafts still waiting (an idle sign-out left them), of sessions of
    cases they may still work on whose note they have not signed; never their sealed text."""
    signed = SessionNote.objects.filter(
        session=OuterRef("session"), author=user, status=SessionNote.Status.SIGNED
    )
    return (
        NoteDraft.objects.filter(author=user, session__case__in=cases)
        .exclude(Exists(signed))
        .select_related("session__case")
        .defer(*(f"{name}_sealed" for name in NOTE_SECTIONS))
        .order_by("-saved_at", "pk")
    )


def _draft_row(draft: NoteDraft) -> Row:
    session = draft.session
    return Row(
        case=session.case,
        what=_("Saved automatically at %(time)s: continue")
        % {"time": timezone.localtime(draft.saved_at).strftime("%H:%M")},
        day=session.starts_at,
        day_label=_("session on"),
        url=reverse("mediation:note-edit", args=[session.case.uuid, session.uuid]),
    )


def follow_ups_due(cases: Cases, today: date) -> QuerySet[FollowUp]:
    return (
        FollowUp.objects.filter(
            case__in=cases,
            status=FollowUp.Status.DUE,
            due_on__gte=today,
            due_on__lte=today + timedelta(days=FOLLOW_UP_DAYS),
        )
        .select_related("case", "party")
        .order_by("due_on", "pk")
    )


def work_cases(user: Any, today: date) -> list[int]:
    """The cases of `user`'s today page, read once for all its sections: those the user may
    work on (`access.cases_for`, WORK) that some section can show, open cases and closed ones
    with something still to do (a follow-up due, a session still marked booked or today's,
    the user's unsigned note or autosaved draft). A counsellor's assignments stay when a case
    closes, so the door alone is every case they ever had; the sections then name these few
    ids instead of repeating the door as a subquery in each of their queries."""
    start = _start_of(today)
    assigned = CaseAssignment.objects.filter(counselor=user, ended_at__isnull=True).values(
        "case_id"
    )
    sessions = CounselingSession.objects.filter(case__in=assigned).filter(
        Q(status=CounselingSession.Status.BOOKED)
        | Q(starts_at__gte=start, starts_at__lt=start + timedelta(days=1))
    )
    pending = (
        Case.objects.open()
        .filter(pk__in=assigned)
        .values("pk")
        .union(
            FollowUp.objects.filter(case__in=assigned, status=FollowUp.Status.DUE).values(
                "case_id"
            ),
            sessions.values("case_id"),
            SessionNote.objects.filter(author=user, status=SessionNote.Status.DRAFT).values(
                "session__case_id"
            ),
            NoteDraft.objects.filter(author=user).values("session__case_id"),
        )
    )
    cases = access.cases_for(user, access.Action.WORK).filter(pk__in=pending)
    return list(cases.order_by().values_list("pk", flat=True))


def section_rows(
    key: str,
    user: Any,
    today: date,
    limit: int | None = SECTION_ROWS,
    cases: Cases | None = None,
) -> tuple[list[Row], int]:
    """The rows of one section of the user's today page (`limit` at most) and their number,
    among `cases` (by default the user's, `work_cases`)."""
    if cases is None:
        cases = work_cases(user, today)
    if key == OVERDUE:
        return overdue_rows(cases, today, limit)
    # Only the asked section's query is built (building all five for each section was a sixth of
    # the today page's time).
    queries: dict[str, Callable[[], tuple[QuerySet[Any], Callable[[Any], Row]]]] = {
        DRAFTS: lambda: (waiting_drafts(user, cases), _draft_row),
        SESSIONS: lambda: (sessions_today(user, cases, today), _session_row),
        DEADLINES: lambda: (
            deadlines_soon(cases, today).order_by("cooling_off_ends_on", "number"),
            lambda case: _deadline_row(case, today),
        ),
        NOTES: lambda: (unsigned_notes(user, cases), _note_row),
        FOLLOW_UPS: lambda: (
            follow_ups_due(cases, today),
            lambda f: _follow_up_row(f, overdue=False),
        ),
    }
    query, make_row = queries[key]()
    items, total = _first(query, limit)
    rows = [make_row(item) for item in items]
    if key == SESSIONS:
        rows.sort(key=lambda row: (row.day, row.case.number))
    elif key != DRAFTS:
        rows.sort(key=lambda row: row.sort_key)
    return rows, total


EMPTY = {
    DRAFTS: gettext_lazy("No note saved automatically is waiting."),
    OVERDUE: gettext_lazy("Nothing is overdue."),
    SESSIONS: gettext_lazy("No sessions today."),
    DEADLINES: gettext_lazy("No deadline in the next 7 days."),
    NOTES: gettext_lazy("Every note is signed."),
    FOLLOW_UPS: gettext_lazy("No follow-up due in the next two weeks."),
}


def today_sections(user: Any, today: date) -> list[Section]:
    """The today page, most urgent first: text left unsaved (only when there is some), then
    what is overdue."""
    sections = []
    cases = work_cases(user, today)
    for key in SECTIONS:
        rows, total = section_rows(key, user, today, limit=SECTION_ROWS, cases=cases)
        if key in SHOWN_ONLY_WITH_ROWS and not total:
            continue
        sections.append(
            Section(
                key=key,
                title=str(SECTION_TITLES[key]),
                rows=rows,
                total=total,
                url=reverse("mediation:today-section", args=[key]),
                empty=str(EMPTY[key]),
            )
        )
    return sections


# --- the supervisor's figures --------------------------------------------------------------------


@dataclass(frozen=True)
class Caseload:
    counselor: User
    open_cases: int
    deadlines_soon: int


def caseloads(counselors: QuerySet[User], cases: CaseQuerySet, today: date) -> list[Caseload]:
    """Open cases per counsellor among `cases`, and how many of them reach a deadline within
    a week; counsellors without cases are listed with 0 (one query)."""
    active = Q(
        case_assignments__ended_at__isnull=True,
        case_assignments__case__in=cases.open(),
    )
    last = today + timedelta(days=DEADLINE_DAYS)
    soon = active & (
        Q(
            case_assignments__case__cooling_off_ends_on__gte=today,
            case_assignments__case__cooling_off_ends_on__lte=last,
        )
        | Q(
            case_assignments__case__certificate_window_ends_on__gte=today,
            case_assignments__case__certificate_window_ends_on__lte=last,
        )
    )
    rows = counselors.annotate(
        open_count=Count("case_assignments", filter=active, distinct=True),
        soon_count=Count("case_assignments", filter=soon, distinct=True),
    )
    return [Caseload(row, row.open_count, row.soon_count) for row in rows]


def with_open_cases(counselors: QuerySet[User], office: Any) -> QuerySet[User]:
    """Counsellors with `open_cases`: how many open cases of the office they have now."""
    return counselors.annotate(
        open_cases=Count(
            "case_assignments",
            filter=Q(
                case_assignments__ended_at__isnull=True,
                case_assignments__case__status=Case.Status.OPEN,
                case_assignments__case__office=office,
            ),
            distinct=True,
        )
    )


def unassigned_cases(cases: CaseQuerySet) -> CaseQuerySet:
    """Open cases nobody is assigned to, nearest deadline first."""
    active = CaseAssignment.objects.filter(ended_at__isnull=True).values("case_id")
    return (
        cases.open()
        .exclude(pk__in=active)
        .select_related("office")
        .order_by("cooling_off_ends_on", "opened_at")
    )


# --- case lists ----------------------------------------------------------------------------------


def by_next_deadline(cases: CaseQuerySet, today: date) -> CaseQuerySet:
    """Cases by their next deadline (the end of cooling-off until it has passed, then the end of
    the certificate window: clock.next_deadline in SQL), cases without one last, the newest first
    among equals."""
    next_deadline = DbCase(
        When(cooling_off_ends_on__gte=today, then=F("cooling_off_ends_on")),
        default=F("certificate_window_ends_on"),
        output_field=DateField(),
    )
    return cases.annotate(next_deadline=next_deadline).order_by(
        F("next_deadline").asc(nulls_last=True), "-opened_at", "pk"
    )


def newest_first(cases: CaseQuerySet) -> CaseQuerySet:
    return cases.order_by("-opened_at", "-pk")


class OpenFirst(Sequence[Case]):
    """A case list of every status for the paginator: the open cases by next deadline, then the
    others newest first. Two queries an index serves each (an office's open cases are a few
    hundred; its closed ones are read in opening order) instead of one sort of the office's
    whole history by an expression of today's date; a page that falls within one part reads
    only that part."""

    def __init__(self, cases: CaseQuerySet, today: date) -> None:
        self.open = by_next_deadline(cases.filter(status=Case.Status.OPEN), today)
        self.others = newest_first(cases.exclude(status=Case.Status.OPEN))

    @cached_property
    def open_count(self) -> int:
        return self.open.count()

    @cached_property
    def _length(self) -> int:
        return self.open_count + self.others.count()

    def __len__(self) -> int:
        return self._length

    @overload
    def __getitem__(self, index: int) -> Case: ...
    @overload
    def __getitem__(self, index: slice) -> list[Case]: ...
    def __getitem__(self, index: int | slice) -> Case | list[Case]:
        if isinstance(index, int):
            return self[index : index + 1][0]
        start, stop = index.start or 0, index.stop
        rows = list(self.open[start:stop]) if start < self.open_count else []
        if stop is None or stop > self.open_count:
            rest_stop = None if stop is None else stop - self.open_count
            rows += list(self.others[max(start - self.open_count, 0) : rest_stop])
        return rows


def in_list_order(cases: CaseQuerySet, today: date, status: str) -> CaseQuerySet | OpenFirst:
    """A case list's order: open cases by their next deadline (what needs doing first), closed
    ones newest first (a closed case's deadlines are past and say nothing about it); a list of
    every status shows the open ones first."""
    if status == Case.Status.OPEN:
        return by_next_deadline(cases, today)
    if status in Case.Status.values:
        return newest_first(cases)
    return OpenFirst(cases, today)
