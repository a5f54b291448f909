"""The 2021 Panjin pilot as published (DOMAIN.md): `seed_demo --profile panjin-2021`.

The four rooms opened on 1 March 2021; from March to August they reconciled 369 couples, the
Xinglongtai room most. Around them: lapses, divorces, declines and referrals, counselled and
uncounselled couples, sessions with their services, results, follow-ups and satisfaction. Every
row is made through mediation.services with its historical date, so it obeys the same rules as
the rooms' own work. Deterministic (a fixed seed) and idempotent: a second run changes nothing.
"""

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from . import demo, services
from .calendar import month_days
from .models import (
    Case,
    Category,
    CounselingSession,
    FollowUp,
    OfficialCalendarYear,
    Outcome,
    OutcomeKind,
    Party,
    Port,
    Purpose,
    Referral,
    RegistryOffice,
    Satisfaction,
    Service,
    User,
)

MONTHS = (3, 4, 5, 6, 7, 8)
# Reconciliations (withdrawn applications) per office and month, March to August 2021: 369.
RECONCILED = {
    "XLT": (12, 21, 25, 26, 28, 28),
    "STZ": (8, 14, 17, 18, 19, 19),
    "DW": (5, 11, 12, 14, 15, 15),
    "PS": (5, 9, 11, 12, 13, 12),
}
# The other outcomes of applications received March to August, per office over the period.
# Lapses far outnumber withdrawals where nobody helps; counselling makes withdrawals common.
OTHERS = {
    "XLT": {"lapsed": 125, "divorced": 126, "declined": 30, "referred": 11},
    "STZ": {"lapsed": 86, "divorced": 86, "declined": 21, "referred": 8},
    "DW": {"lapsed": 65, "divorced": 64, "declined": 16, "referred": 6},
    "PS": {"lapsed": 54, "divorced": 54, "declined": 13, "referred": 5},
}
# Share of each outcome's couples who had at least one counselling session.
COUNSELLED = {
    "reconciled": 0.76,
    "lapsed": 0.12,
    "divorced": 0.3,
    "declined": 0.0,
    "referred": 0.5,
}
PREMARITAL = {"XLT": 46, "STZ": 31, "DW": 24, "PS": 20}
WALK_IN = {"XLT": 18, "STZ": 12, "DW": 9, "PS": 8}
COUNSELORS = {
    "XLT": ("counselor_xlt", "counselor_xlt", "counselor_xlt2"),
    "STZ": ("counselor_stz", "counselor_stz", "counselor_xlt2"),
    "DW": ("counselor_dw",),
    "PS": ("counselor_ps",),
}
HOURS = (9, 10, 11, 14, 15, 16)
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗"
GIVEN = ("伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛")
EDUCATION = ("junior", "senior", "senior", "college", "college", "university", "primary")
SATISFACTION = ("satisfied",) * 17 + ("fairly",) * 5 + ("unsatisfied",)
LAST_DAY = date(2021, 12, 31)


@dataclass
class Planner:
    """Free session slots: a counsellor and a room are never booked twice for the same time."""

    calendar: object
    rng: random.Random
    counselor_busy: set = field(default_factory=set)
    room_busy: set = field(default_factory=set)

    def working_days(self, first: date, last: date) -> list[date]:
        return self.calendar.working_days(first, last) if first <= last else []

    def slot(self, office: RegistryOffice, counselor: User, first: date, last: date):
        """The first free (start, room) on a working day from `first` to `last`, or None."""
        for day in self.working_days(first, last):
            hours = list(HOURS)
            self.rng.shuffle(hours)
            for hour in hours:
                starts_at = timezone.make_aware(datetime.combine(day, time(hour)))
                if (counselor.pk, starts_at) in self.counselor_busy:
                    continue
                for room in range(1, office.rooms + 1):
                    if (office.pk, room, starts_at) not in self.room_busy:
                        self.counselor_busy.add((counselor.pk, starts_at))
                        self.room_busy.add((office.pk, room, starts_at))
                        return starts_at, str(room)
        return None


def _at(day: date, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


class Pilot:
    def __init__(self, seed: int = 2021):
        self.rng = random.Random(seed)
        self.offices = {o.code: o for o in RegistryOffice.objects.all()}
        self.users = {u.username: u for u in User.objects.filter(username__startswith="counselor")}
        calendar = OfficialCalendarYear.objects.calendar([2021, 2022])
        self.planner = Planner(calendar, self.rng)
        self.calendar = calendar
        self.named = 0

    # --- small steps -----------------------------------------------------------------------
    def counselor(self, code: str) -> User:
        return self.users[self.rng.choice(COUNSELORS[code])]

    def working_day_in(self, first: date, last: date) -> date:
        days = self.planner.working_days(first, last)
        return self.rng.choice(days) if days else first

    def consent(self, case: Case, counselor: User, parties, *, follow_up: bool) -> None:
        for party in parties:
            services.record_consent(
                case=case,
                party=party,
                purpose=Purpose.COUNSELLING,
                given=True,
                recorded_by=counselor,
            )
            if self.rng.random() < 0.45:
                services.record_consent(
                    case=case,
                    party=party,
                    purpose=Purpose.STATISTICS,
                    given=True,
                    recorded_by=counselor,
                )
                self.describe(party, counselor)
            if follow_up and self.rng.random() < 0.75:
                services.record_consent(
                    case=case,
                    party=party,
                    purpose=Purpose.FOLLOW_UP,
                    given=True,
                    recorded_by=counselor,
                )

    def describe(self, party: Party, counselor: User) -> None:
        """The MZ/T 084 record-form fields; a few parties also get a (made-up) sealed name."""
        details = {
            "sex": "F" if party.position == 1 else "M",
            "birth_year": self.rng.randint(1966, 1998),
            "education": self.rng.choice(EDUCATION),
            "years_married": self.rng.randint(1, 25),
            "marital_status": "first",
        }
        if self.named < 40:
            self.named += 1
            details["name"] = self.rng.choice(SURNAMES) + "".join(
                self.rng.sample(GIVEN, self.rng.randint(1, 2))
            )
        services.update_party(party=party, updated_by=counselor, **details)

    def sessions(self, case, counselor, first: date, last: date, services_pool, joint=True):
        """One to three held sessions between two dates; returns the day of the last one."""
        parties = list(case.parties.all())
        last_day = None
        for _n in range(self.rng.choice((1, 1, 2, 2, 3))):
            slot = self.planner.slot(case.office, counselor, first, last)
            if slot is None:
                break
            starts_at, room = slot
            kind = CounselingSession.Kind.JOINT if joint else CounselingSession.Kind.INDIVIDUAL
            session = services.book_session(
                case=case,
                kind=kind,
                party=None if joint else parties[0],
                starts_at=starts_at,
                room=room,
                lead_counselor=counselor,
                booked_by=counselor,
                duration_minutes=50,
            )
            delivered = self.rng.sample(
                services_pool, self.rng.randint(1, min(2, len(services_pool)))
            )
            services.hold_session(
                session=session,
                services=delivered,
                held_by=counselor,
                duration_minutes=self.rng.choice((45, 50, 60, 60, 90)),
            )
            last_day = timezone.localdate(starts_at)
            first = last_day + timedelta(days=1)
        return last_day

    def satisfaction(self, case: Case, counselor: User, day: date) -> None:
        for party in case.parties.all():
            if self.rng.random() < 0.8:
                services.record_satisfaction(
                    case=case,
                    party=party,
                    rating=self.rng.choice(SATISFACTION),
                    recorded_by=counselor,
                    recorded_on=min(day, LAST_DAY),
                )

    # --- cases -----------------------------------------------------------------------------
    def divorce_case(self, code: str, kind: str, received_on: date, decided_on: date | None):
        office, counselor = self.offices[code], self.counselor(code)
        case = services.open_case(
            office=office,
            port=Port.DIVORCE,
            category=self.rng.choice(
                (Category.MARITAL, Category.MARITAL, Category.DIVORCE_ADJUSTMENT, Category.FAMILY)
            ),
            opened_by=counselor,
            received_on=received_on,
            opened_at=_at(received_on, self.rng.choice(HOURS)),
            counselling_offered=self.rng.random() < 0.93,
        )
        case.refresh_from_db()
        parties = list(case.parties.all())
        counselled = case.counselling_offered and self.rng.random() < COUNSELLED[kind]
        if decided_on is None:  # lapsed or divorced: decided by the clock's windows
            if kind == "lapsed":
                decided_on = case.certificate_window_ends_on
            else:
                decided_on = self.working_day_in(
                    case.cooling_off_ends_on + timedelta(days=1),
                    min(case.certificate_window_ends_on, LAST_DAY),
                )
        session_last = min(decided_on, case.cooling_off_ends_on) - timedelta(days=1)
        if kind == "referred":
            self.consent(case, counselor, parties[:1], follow_up=False)
            services.screen_party(
                party=parties[0],
                answers={q: q in ("afraid", "threatened") for q in services.SCREEN_QUESTIONS},
                screened_by=counselor,
            )
            if counselled:
                self.sessions(
                    case,
                    counselor,
                    received_on + timedelta(days=1),
                    decided_on - timedelta(days=1),
                    [Service.PSYCHOLOGICAL],
                    joint=False,
                )
            services.refer(
                case=case,
                destination=self.rng.choice(
                    (Referral.Destination.WOMENS_FEDERATION,) * 3
                    + (Referral.Destination.LEGAL_AID, Referral.Destination.MENTAL_HEALTH)
                ),
                reason="安全评估阳性，转介专业机构。",
                referred_on=decided_on,
                referred_by=counselor,
            )
        elif kind == "declined":
            if case.counselling_offered and self.rng.random() < 0.4:
                # Gave consent, then withdrew it.
                self.consent(case, counselor, parties[:1], follow_up=False)
                services.record_consent(
                    case=case,
                    party=parties[0],
                    purpose=Purpose.COUNSELLING,
                    given=False,
                    recorded_by=counselor,
                )
        elif counselled:
            self.consent(case, counselor, parties, follow_up=kind == "reconciled")
            pool = [Service.MARRIAGE_GUIDANCE, Service.RELATIONSHIP, Service.PSYCHOLOGICAL]
            last = self.sessions(
                case, counselor, received_on + timedelta(days=1), session_last, pool
            )
            if last is not None:
                result = {"reconciled": "reconcile", "divorced": "divorce"}.get(kind, "postpone")
                services.record_result(
                    case=case, result=result, result_on=last, recorded_by=counselor
                )
                self.satisfaction(case, counselor, last)
        services.close_case(
            case=case,
            kind=kind,
            decided_on=decided_on,
            recorded_by=None if kind == "lapsed" else counselor,
            by_clock=kind == "lapsed",
        )
        if kind == "reconciled":
            self.follow_ups(case, counselor)
        return case

    def follow_ups(self, case: Case, counselor: User) -> None:
        for follow_up in FollowUp.objects.filter(case=case, due_on__lte=LAST_DAY).select_related(
            "party", "case"
        ):
            roll = self.rng.random()
            if roll < 0.05:
                continue  # still due: the room has not called yet
            done_on = min(follow_up.due_on + timedelta(days=self.rng.randint(0, 6)), LAST_DAY)
            if roll < 0.15:
                services.record_follow_up(
                    follow_up=follow_up,
                    status=FollowUp.Status.UNREACHABLE,
                    recorded_by=counselor,
                    done_on=done_on,
                )
            else:
                services.record_follow_up(
                    follow_up=follow_up,
                    status=FollowUp.Status.DONE,
                    recorded_by=counselor,
                    done_on=done_on,
                    reconciliation_held=self.rng.random()
                    < (0.9 if follow_up.months == 3 else 0.85),
                )

    def reconciled(self, code: str, month: int) -> None:
        first = date(2021, month, 1)
        last = month_days(first)[-1]
        decided_on = self.working_day_in(first + timedelta(days=2), last)
        earliest = max(date(2021, 3, 1), decided_on - timedelta(days=26))
        received_on = self.working_day_in(earliest, decided_on - timedelta(days=2))
        self.divorce_case(code, "reconciled", received_on, decided_on)

    def other(self, code: str, kind: str) -> None:
        month = self.rng.choice(MONTHS)
        first = date(2021, month, 1)
        last = month_days(first)[-1]
        received_on = self.working_day_in(first, last)
        decided_on = None
        if kind in ("declined", "referred"):
            decided_on = self.working_day_in(
                received_on + timedelta(days=1), received_on + timedelta(days=12)
            )
        self.divorce_case(code, kind, received_on, decided_on)

    def family_case(self, code: str, port: str) -> None:
        office, counselor = self.offices[code], self.counselor(code)
        month = self.rng.choice(MONTHS)
        first = date(2021, month, 1)
        opened = self.working_day_in(first, month_days(first)[-1])
        category = (
            Category.PREMARITAL
            if port == Port.MARRIAGE
            else self.rng.choice((Category.FAMILY, Category.MARITAL))
        )
        case = services.open_case(
            office=office,
            port=port,
            category=category,
            opened_by=counselor,
            opened_at=_at(opened, self.rng.choice(HOURS)),
        )
        self.consent(case, counselor, list(case.parties.all()), follow_up=False)
        pool = (
            [Service.MARRIAGE_GUIDANCE, Service.PRENATAL]
            if port == Port.MARRIAGE
            else [Service.RELATIONSHIP, Service.PSYCHOLOGICAL]
        )
        last = self.sessions(case, counselor, opened, opened + timedelta(days=20), pool)
        if last is not None:
            self.satisfaction(case, counselor, last)
        services.finish_case(case=case, closed_by=counselor)

    def run(self) -> dict[str, int]:
        plan = []
        for code, months in RECONCILED.items():
            for month, n in zip(MONTHS, months, strict=True):
                plan += [("reconciled", code, month)] * n
            for kind, n in OTHERS[code].items():
                plan += [(kind, code, None)] * n
            plan += [("premarital", code, None)] * PREMARITAL[code]
            plan += [("walk_in", code, None)] * WALK_IN[code]
        self.rng.shuffle(plan)
        for kind, code, month in plan:
            if kind == "reconciled":
                self.reconciled(code, month)
            elif kind == "premarital":
                self.family_case(code, Port.MARRIAGE)
            elif kind == "walk_in":
                self.family_case(code, Port.WALK_IN)
            else:
                self.other(code, kind)
        return {
            "cases": Case.objects.filter(year=2021).count(),
            "reconciled": sum(map(sum, RECONCILED.values())),
            "sessions": CounselingSession.objects.filter(
                status=CounselingSession.Status.HELD
            ).count(),
            "satisfaction": Satisfaction.objects.count(),
        }


def is_seeded() -> bool:
    return Case.objects.filter(
        office__code__in=list(RECONCILED), opened_at__year=2021, port=Port.DIVORCE
    ).exists()


def seed_panjin_2021() -> dict[str, int] | None:
    """Recreate the pilot. Returns what was made, or None if it already was.

    Each service call commits on its own: one transaction around some 15,000 of them would hold
    as many savepoints, which PostgreSQL handles very slowly. A run that was interrupted is
    recognised and reported, never topped up into a wrong total."""
    demo.seed_accounts()
    if is_seeded():
        reconciled = Outcome.objects.filter(
            kind=OutcomeKind.RECONCILED,
            decided_on__range=(date(2021, 3, 1), date(2021, 8, 31)),
            case__office__code__in=list(RECONCILED),
        ).count()
        if reconciled != sum(map(sum, RECONCILED.values())):
            raise RuntimeError(
                "An earlier panjin-2021 run was interrupted: start again from an empty database."
            )
        return None
    return Pilot().run()
