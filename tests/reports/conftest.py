"""A small hand-counted pilot, made through mediation's services as the rooms would make it.

Counted by hand (the tests compare against these numbers):
- A (XLT): divorce received 2021-03-10; both consent; a session held 2021-04-02 (marriage
  guidance + psychological); result 'reconcile' 2021-04-05; reconciled 2021-04-06.
  It spans two months: an application of March, a session, result and outcome of April.
- B (XLT): divorce received 2021-03-15, offered, nobody consents; lapsed by the clock at the end
  of its certificate window (May 2021), never a reconciliation.
- C (XLT): divorce received 2021-04-01; party 1 consents to counselling and statistics, then
  withdraws counselling consent (and with it statistics); declined 2021-04-20.
- D (PS): premarital guidance opened 2021-04-10; both parties consent to counselling and
  statistics, with sealed names and ID numbers; a joint session held 2021-04-12 (prenatal).
- E (PS): divorce received 2021-04-12, counselling not offered; divorced 2021-05-20.
"""

import io
from dataclasses import dataclass
from datetime import date, datetime

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from counselors.models import CounselorProfile, Duty, Organisation, Roster
from mediation import services
from mediation.identity import check_char
from mediation.models import Case, Category, CounselingSession, OutcomeKind, Party, Port, Purpose
from mediation.roles import Role
from tests.conftest import set_audit_triggers
from tests.databases import ClonedDatabase
from tests.factories import make_user

SECRET_NAMES = ("欧阳秘密", "司马隐私")
SECRET_ID_NUMBERS = tuple(
    first17 + check_char(first17) for first17 in ("21110219850312123", "21110219870604234")
)


def at(year: int, month: int, day: int, hour: int = 9) -> datetime:
    return timezone.make_aware(datetime(year, month, day, hour))


@dataclass
class Pilot:
    a: Case
    b: Case
    c: Case
    d: Case
    e: Case


def consent(case: Case, by, *purposes: str, party: Party | None = None) -> None:
    for each in [party] if party else list(case.parties.all()):
        for purpose in purposes:
            services.record_consent(
                case=case, party=each, purpose=purpose, given=True, recorded_by=by
            )


def held_session(case, counselor, when, services_delivered, kind="joint", party=None):
    session = services.book_session(
        case=case,
        kind=kind,
        party=party,
        starts_at=when,
        room="1",
        lead_counselor=counselor,
        booked_by=counselor,
    )
    return services.hold_session(session=session, services=services_delivered, held_by=counselor)


@pytest.fixture
def pilot(xlt, ps) -> Pilot:
    xlt_counselor = make_user(Role.COUNSELOR, xlt, username="pilot_xlt", full_name="李咨询")
    ps_counselor = make_user(Role.COUNSELOR, ps, username="pilot_ps", full_name="王咨询")

    a = services.open_case(
        office=xlt,
        port=Port.DIVORCE,
        category=Category.MARITAL,
        opened_by=xlt_counselor,
        received_on=date(2021, 3, 10),
        opened_at=at(2021, 3, 10),
    )
    consent(a, xlt_counselor, Purpose.COUNSELLING)
    held_session(a, xlt_counselor, at(2021, 4, 2), ["marriage_guidance", "psychological"])
    services.record_result(
        case=a, result="reconcile", result_on=date(2021, 4, 5), recorded_by=xlt_counselor
    )
    services.close_case(
        case=a, kind=OutcomeKind.RECONCILED, decided_on=date(2021, 4, 6), recorded_by=xlt_counselor
    )

    b = services.open_case(
        office=xlt,
        port=Port.DIVORCE,
        category=Category.DIVORCE_ADJUSTMENT,
        opened_by=xlt_counselor,
        received_on=date(2021, 3, 15),
        opened_at=at(2021, 3, 15),
    )
    b.refresh_from_db()
    assert b.certificate_window_ends_on is not None
    services.close_case(
        case=b,
        kind=OutcomeKind.LAPSED,
        decided_on=b.certificate_window_ends_on,
        recorded_by=None,
        by_clock=True,
    )

    c = services.open_case(
        office=xlt,
        port=Port.DIVORCE,
        category=Category.MARITAL,
        opened_by=xlt_counselor,
        received_on=date(2021, 4, 1),
        opened_at=at(2021, 4, 1),
    )
    first = c.parties.get(position=1)
    consent(c, xlt_counselor, Purpose.COUNSELLING, Purpose.STATISTICS, party=first)
    services.update_party(party=first, updated_by=xlt_counselor, sex="F", education="college")
    services.record_consent(
        case=c, party=first, purpose=Purpose.COUNSELLING, given=False, recorded_by=xlt_counselor
    )
    services.close_case(
        case=c, kind=OutcomeKind.DECLINED, decided_on=date(2021, 4, 20), recorded_by=xlt_counselor
    )

    d = services.open_case(
        office=ps,
        port=Port.MARRIAGE,
        category=Category.PREMARITAL,
        opened_by=ps_counselor,
        opened_at=at(2021, 4, 10),
    )
    consent(d, ps_counselor, Purpose.COUNSELLING, Purpose.SENSITIVE, Purpose.STATISTICS)
    for party, name, id_number, sex, education in zip(
        d.parties.order_by("position"),
        SECRET_NAMES,
        SECRET_ID_NUMBERS,
        ("F", "M"),
        ("college", "senior"),
        strict=True,
    ):
        services.update_party(
            party=party,
            updated_by=ps_counselor,
            name=name,
            id_number=id_number,
            phone="13800000000",
            sex=sex,
            education=education,
        )
    session = held_session(d, ps_counselor, at(2021, 4, 12), ["prenatal"])
    services.save_note(session=session, author=ps_counselor, body="秘密笔录：双方谈到家中的债务。")

    e = services.open_case(
        office=ps,
        port=Port.DIVORCE,
        category=Category.DIVORCE_ADJUSTMENT,
        opened_by=ps_counselor,
        received_on=date(2021, 4, 12),
        opened_at=at(2021, 4, 12),
        counselling_offered=False,
    )
    services.close_case(
        case=e, kind=OutcomeKind.DIVORCED, decided_on=date(2021, 5, 20), recorded_by=ps_counselor
    )
    assert CounselingSession.objects.filter(status="held").count() == 2
    return Pilot(a, b, c, d, e)


SECRET_NOTE = "秘密笔录"


@pytest.fixture(autouse=True)
def report_archive(settings, tmp_path):
    settings.REPORT_ARCHIVE_DIR = tmp_path / "archive"
    return settings.REPORT_ARCHIVE_DIR


@pytest.fixture
def busy_month(xlt, pilot):
    """Seven more reconciliations at XLT in April 2021, so some numbers are big enough to show."""
    counselor = make_user(Role.COUNSELOR, xlt, username="busy_xlt", full_name="周咨询")
    for day in range(13, 20):
        case = services.open_case(
            office=xlt,
            port=Port.DIVORCE,
            category=Category.MARITAL,
            opened_by=counselor,
            received_on=date(2021, 4, day),
            opened_at=at(2021, 4, day),
        )
        consent(case, counselor, Purpose.COUNSELLING)
        held_session(case, counselor, at(2021, 4, day, 14), ["relationship"])
        services.close_case(
            case=case,
            kind=OutcomeKind.RECONCILED,
            decided_on=date(2021, 4, 28),
            recorded_by=counselor,
        )
    return pilot


DUTY_COUNSELOR_NAMES = ("赵坐诊", "钱坐诊")


@pytest.fixture
def duty(xlt, ps, pilot):
    """April 2021's published roster, hand-counted: the association (心理研究会) serves XLT on
    three mornings and one afternoon and PS on two afternoons; the social-work centre serves PS
    on one morning. A draft roster for the same month and a replaced one are not counted."""
    association = Organisation.objects.get(short_name="心理研究会")
    social_work = Organisation.objects.get(short_name="社工服务中心")
    profiles = []
    for name, organisation in zip(DUTY_COUNSELOR_NAMES, (association, social_work), strict=True):
        user = make_user(
            Role.COUNSELOR, xlt, ps, username=f"duty_{organisation.pk}", full_name=name
        )
        profiles.append(
            CounselorProfile.objects.create(
                user=user, organisation=organisation, role="psychological", home_office=xlt
            )
        )
    april = date(2021, 4, 1)
    rosters = {
        status: Roster.objects.create(
            city="盘锦市", month=april, status=status, solver_status="optimal"
        )
        for status in ("published", "draft", "retired")
    }
    duties = [
        (profiles[0], xlt, 6, "AM"),
        (profiles[0], xlt, 7, "AM"),
        (profiles[0], xlt, 8, "AM"),
        (profiles[0], xlt, 8, "PM"),
        (profiles[0], ps, 9, "PM"),
        (profiles[0], ps, 12, "PM"),
        (profiles[1], ps, 13, "AM"),
    ]
    for status, roster in rosters.items():
        for profile, office, day, half in duties if status == "published" else duties[:3]:
            Duty.objects.create(
                roster=roster,
                counselor=profile,
                office=office,
                day=date(2021, 4, day),
                half_day=half,
            )
    return rosters["published"]


@pytest.fixture(scope="session")
def panjin_2021_database(django_db_setup, django_db_blocker):
    """The published 2021 pilot (`seed_demo --profile panjin-2021`, some 1,300 cases), made once
    per test session in a clone of the test database, committing service by service as the
    command does from the shell. Under xdist its tests share one worker (tests/conftest.py,
    WORKER_GROUPS), which alone makes it."""
    with django_db_blocker.unblock():
        clone = ClonedDatabase.clone("panjin")
        with clone.active():
            set_audit_triggers(present=True)
            if connection.vendor == "postgresql":
                # Thousands of small commits; a test database need not wait for the disk.
                with connection.cursor() as cursor:
                    cursor.execute("SET synchronous_commit TO OFF")
            call_command("seed_demo", "--profile", "panjin-2021", stdout=io.StringIO())
    yield clone
    with django_db_blocker.unblock():
        clone.destroy()


@pytest.fixture(scope="module")
def panjin_2021(panjin_2021_database):
    """The tests of a module read the pilot's database; each runs in its own transaction
    (`django_db`), rolled back after it, as usual."""
    with panjin_2021_database.active():
        yield
