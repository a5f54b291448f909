"""Statistics and reports: the PDF for a 4-office and a 100-office month, and the dashboard on a
million cases (issue 'Statistics and monthly PDF reports').

Rows are bulk-inserted as plain columns (COPY on PostgreSQL), never through the services: this
measures reading, not writing. On SQLite the case count is scaled down (BENCH_CASES overrides).
Prints medians.
"""

import os
import random
import time
import uuid
from datetime import date, datetime, timedelta

from django.db import connection
from django.utils import timezone

from bench._timing import median_seconds
from mediation.models import (
    Case,
    ConsentRecord,
    ConsentText,
    CounselingSession,
    FollowUp,
    OfficeMembership,
    Outcome,
    Party,
    Referral,
    RegistryOffice,
    Satisfaction,
    User,
)
from reports import pages, pdf, periods, rollup
from reports.queries import monthly_counts

POSTGRES = connection.vendor == "postgresql"
CASES = int(os.environ.get("BENCH_CASES", 1_000_000 if POSTGRES else 100_000))
OFFICES = 100
FIRST_YEAR, YEARS = 2021, 5


def _columns(model) -> list:
    return list(model._meta.concrete_fields)


def insert(model, rows: list[dict]) -> None:
    """Plain rows in, as fast as the engine allows; fields not given take their default."""
    if not rows:
        return
    fields = [f for f in _columns(model) if not (f.primary_key and f.attname not in rows[0])]
    defaults = {}
    for field in fields:
        if field.attname in ("uuid",):
            continue
        defaults[field.attname] = field.get_default()
    if POSTGRES:
        columns = ", ".join(f'"{f.column}"' for f in fields)
        with (
            connection.cursor() as cursor,
            cursor.connection.cursor().copy(
                f'COPY "{model._meta.db_table}" ({columns}) FROM STDIN'
            ) as copy,
        ):
            for row in rows:
                copy.write_row(
                    [
                        row[f.attname]
                        if f.attname in row
                        else (uuid.uuid4() if f.attname == "uuid" else defaults[f.attname])
                        for f in fields
                    ]
                )
        return
    objects = []
    for row in rows:
        values = {k: v for k, v in defaults.items() if k not in row}
        values.update(row)
        objects.append(model(**values))
    model.objects.bulk_create(objects, batch_size=2000)


def _reset_sequences(*models) -> None:
    if not POSTGRES:
        return
    with connection.cursor() as cursor:
        for model in models:
            table = model._meta.db_table
            pk = model._meta.pk.column
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('\"{table}\"', '{pk}'), "
                f'COALESCE((SELECT MAX("{pk}") FROM "{table}"), 1))'
            )


def make_offices() -> list[RegistryOffice]:
    for n in range(OFFICES - RegistryOffice.objects.count()):
        RegistryOffice.objects.get_or_create(
            code=f"B{n:03d}",
            defaults={"name": f"第{n + 1}号婚姻登记处", "opened_on": date(2021, 3, 1)},
        )
    return list(RegistryOffice.objects.order_by("code"))


def make_people(offices) -> dict[int, User]:
    counselors = {}
    for office in offices:
        user, _ = User.objects.get_or_create(
            username=f"bench_{office.code.lower()}", defaults={"full_name": "咨询师"}
        )
        OfficeMembership.objects.get_or_create(user=user, office=office)
        counselors[office.pk] = user
    return counselors


def _aware(day: date, minutes: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, datetime.min.time())) + timedelta(
        minutes=minutes
    )


def _outcome_rows(
    rng, case_id, day, first_party, counselor, outcomes, follow_ups, referrals
) -> None:
    """A divorce case's outcome, with follow-ups after a reconciliation and a referral."""
    kind = rng.choices(
        ("reconciled", "lapsed", "divorced", "declined", "referred"),
        (25, 30, 38, 5, 2),
    )[0]
    decided = day + timedelta(days=rng.randint(2, 60))
    outcomes.append(
        {
            "case_id": case_id,
            "kind": kind,
            "decided_on": decided,
            "recorded_by_id": counselor.pk,
            "recorded_at": _aware(decided, 600),
            "by_clock": kind == "lapsed",
        }
    )
    if kind == "reconciled" and rng.random() < 0.6:
        for months in (3, 6):
            done = decided + timedelta(days=30 * months)
            follow_ups.append(
                {
                    "case_id": case_id,
                    "party_id": first_party,
                    "months": months,
                    "due_on": done,
                    "status": rng.choices(("done", "unreachable"), (85, 15))[0],
                    "done_on": done,
                    "reconciliation_held": rng.random() < 0.88,
                }
            )
    if kind == "referred":
        referrals.append(
            {
                "uuid": uuid.uuid4(),
                "case_id": case_id,
                "destination": "womens_federation",
                "referred_on": decided,
                "referred_by_id": counselor.pk,
            }
        )


def generate(offices, counselors, n_cases: int) -> None:
    """Cases over five years at every office, with parties, consent, sessions, outcomes,
    follow-ups, satisfaction and referrals in plausible shares."""
    rng = random.Random(84)
    weights = [5 if o.code in ("XLT", "STZ", "DW", "PS") else rng.uniform(0.5, 2) for o in offices]
    days = YEARS * 365
    start = date(FIRST_YEAR, 1, 1)
    text = ConsentText.objects.filter(version__startswith="BM-").first()
    next_case = (Case.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    next_party = (Party.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    chunk = 100_000
    made = 0
    session_clock: dict[int, int] = {}
    while made < n_cases:
        size = min(chunk, n_cases - made)
        cases, parties, consents, outcomes, sessions = [], [], [], [], []
        follow_ups, answers, referrals = [], [], []
        chosen = rng.choices(offices, weights=weights, k=size)
        for office in chosen:
            case_id = next_case
            next_case += 1
            day = start + timedelta(days=rng.randrange(days))
            port = rng.choices(("divorce", "marriage", "walk_in"), (75, 18, 7))[0]
            category = (
                "premarital"
                if port == "marriage"
                else rng.choice(("marital", "family", "divorce_adjustment", "marital"))
            )
            result = rng.choices(("", "reconcile", "postpone", "divorce"), (70, 12, 6, 12))[0]
            counselor = counselors[office.pk]
            cases.append(
                {
                    "id": case_id,
                    "uuid": uuid.uuid4(),
                    "office_id": office.pk,
                    "year": day.year,
                    "sequence": case_id,
                    "number": f"{office.code}-{day.year}-{case_id:07d}",
                    "port": port,
                    "category": category,
                    "received_on": day if port == "divorce" else None,
                    "cooling_off_ends_on": day + timedelta(days=30) if port == "divorce" else None,
                    "certificate_window_ends_on": (
                        day + timedelta(days=60) if port == "divorce" else None
                    ),
                    "counselling_offered": rng.random() < 0.92,
                    "status": "closed",
                    "result": result,
                    "result_on": day + timedelta(days=rng.randint(1, 25)) if result else None,
                    "opened_by_id": counselor.pk,
                    "opened_at": _aware(day, 9 * 60 + rng.randrange(480)),
                    "closed_at": _aware(day + timedelta(days=30), 600),
                }
            )
            first_party = next_party
            for position in (1, 2):
                statistics = rng.random() < 0.45
                parties.append(
                    {
                        "id": next_party,
                        "uuid": uuid.uuid4(),
                        "case_id": case_id,
                        "position": position,
                        "sex": "F" if position == 1 else "M",
                        "birth_year": rng.randint(1960, 2000),
                        "education": rng.choice(("junior", "senior", "college", "university")),
                        "consent_counselling": statistics,
                        "consent_statistics": statistics,
                        "created_at": _aware(day, 600),
                    }
                )
                next_party += 1
            if port == "divorce" and rng.random() < 0.4:
                consents.append(
                    {
                        "party_id": first_party,
                        "purpose": "counselling",
                        "action": "given",
                        "text_id": text.pk,
                        "recorded_by_id": counselor.pk,
                        "recorded_at": _aware(day, 700),
                    }
                )
            for _n in range(rng.choices((0, 1, 2), (45, 35, 20))[0]):
                minute = session_clock.get(office.pk, 0) + 60
                session_clock[office.pk] = minute
                sessions.append(
                    {
                        "uuid": uuid.uuid4(),
                        "case_id": case_id,
                        "office_id": office.pk,
                        "kind": rng.choice(("joint", "individual")),
                        "starts_at": _aware(start, minute),
                        "room": "1",
                        "lead_counselor_id": counselor.pk,
                        "status": rng.choices(("held", "cancelled", "no_show"), (85, 10, 5))[0],
                        "service_marriage_guidance": rng.random() < 0.5,
                        "service_psychological": rng.random() < 0.4,
                        "service_prenatal": port == "marriage",
                        "service_relationship": rng.random() < 0.5,
                        "booked_by_id": counselor.pk,
                        "booked_at": _aware(day, 600),
                        "duration_minutes": 50,
                    }
                )
            if port == "divorce" and rng.random() < 0.9:
                _outcome_rows(
                    rng, case_id, day, first_party, counselor, outcomes, follow_ups, referrals
                )
            if result and rng.random() < 0.7:
                answers.append(
                    {
                        "case_id": case_id,
                        "rating": rng.choices(("satisfied", "fairly", "unsatisfied"), (80, 16, 4))[
                            0
                        ],
                        "recorded_on": day + timedelta(days=20),
                        "recorded_by_id": counselor.pk,
                    }
                )
        insert(Case, cases)
        insert(Party, parties)
        insert(ConsentRecord, consents)
        insert(CounselingSession, sessions)
        insert(Outcome, outcomes)
        insert(FollowUp, follow_ups)
        insert(Satisfaction, answers)
        insert(Referral, referrals)
        made += size
        print(f"   {made:,} cases inserted", flush=True)
    _reset_sequences(
        Case, Party, ConsentRecord, CounselingSession, Outcome, FollowUp, Satisfaction, Referral
    )
    if POSTGRES:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def bench_pdf(offices) -> None:
    month = periods.month(date(2023, 6, 1))
    issue = pdf.Issue(number="盘民调〔2023〕1号", issuer_name="bench")
    for label, chosen in (("4 offices", offices[-4:]), (f"{len(offices)} offices", offices)):
        seconds = median_seconds(lambda c=chosen: pdf.report(c, month, issue), repeat=3)
        rendered, _page, _context = pdf.report(chosen, month, issue)
        print(
            f"PDF monthly report, {label}: median {seconds * 1000:.0f} ms "
            f"({rendered.pages} pages, {len(rendered.pdf) // 1024} KiB)"
        )


def bench_dashboard(offices) -> None:
    ids = [o.pk for o in offices]
    first, last = date(2024, 1, 1), date(2024, 12, 1)
    cases = Case.objects.filter(opened_at__year=2024).count()
    live = median_seconds(lambda: monthly_counts(ids, first, last), repeat=3)
    print(
        f"Live counting, a year ({cases:,} cases) of {len(ids)} offices: median {live * 1000:.0f} ms"
    )
    start = time.perf_counter()
    rows = rollup.build()
    print(f"Summary table built once: {rows:,} rows in {time.perf_counter() - start:.1f} s")
    read = median_seconds(lambda: rollup.counts(ids, first, last), repeat=9)
    print(
        f"Dashboard query, a year of {len(ids)} offices from the summary: median {read * 1000:.1f} ms"
    )
    page = median_seconds(lambda: pages.dashboard(offices, first, last), repeat=5)
    print(f"Dashboard page data (query + tables + suppression), same: median {page * 1000:.0f} ms")
    four = offices[-4:]
    small = median_seconds(lambda: pages.dashboard(four, first, last), repeat=5)
    print(f"Dashboard page data, a year of 4 offices: median {small * 1000:.0f} ms")


def main() -> None:
    offices = make_offices()
    counselors = make_people(offices)
    start = time.perf_counter()
    generate(offices, counselors, CASES)
    print(
        f"Inserted {CASES:,} cases at {len(offices)} offices "
        f"({connection.vendor}) in {time.perf_counter() - start:.0f} s"
    )
    bench_dashboard(offices)
    bench_pdf(offices)
