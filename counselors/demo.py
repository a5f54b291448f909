"""Demo duty data, added by `seed_demo` through CounselorsConfig.seed_demo: counsellors of both
partner organisations and registry mediators for the four Panjin offices, coverage rules, some
leave and a published roster for the current month (and the next, once it is due). Idempotent:
a second run changes nothing."""

from contextlib import suppress
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from mediation.calendar import month_start, next_month
from mediation.demo import enrol_demo_account
from mediation.models import OfficeMembership, OfficialCalendarYear, RegistryOffice, User

from .models import (
    CounselorProfile,
    CoverageRule,
    DutyRequest,
    Organisation,
    Qualification,
    Roster,
    Unavailability,
)
from .services import planning, publishing, solving

ASSOCIATION = "盘锦市社会心理健康服务发展研究会"
SOCIAL_WORK = "盘锦市爱心公益社会工作服务中心"
REGISTRY = "婚姻登记处（本单位）"

PSY = CounselorProfile.Role.PSYCHOLOGICAL
SW = CounselorProfile.Role.SOCIAL_WORKER
MED = CounselorProfile.Role.MEDIATOR


@dataclass(frozen=True)
class DemoCounselor:
    username: str
    full_name: str
    organisation: str
    role: str
    offices: tuple[str, ...]  # the first is the home office
    qualification: tuple[str, str, str, date | None] | None = None  # kind, name, number, expiry


Q2 = ("psychological", "国家二级心理咨询师")
Q3 = ("psychological", "国家三级心理咨询师")
MF = ("marriage_family", "婚姻家庭咨询师")
SWQ = ("social_work", "社会工作者（中级）")
MQ = ("mediation", "人民调解员")

COUNSELORS = [
    # The accounts the core demo already has.
    DemoCounselor(
        "counselor_xlt", "李静", ASSOCIATION, PSY, ("XLT", "STZ"), (*Q2, "LN2015-0312", None)
    ),
    DemoCounselor(
        "counselor_stz", "孙丽", ASSOCIATION, PSY, ("STZ", "XLT"), (*Q3, "LN2017-1128", None)
    ),
    DemoCounselor(
        "counselor_ps", "王敏", SOCIAL_WORK, SW, ("PS", "DW"), (*SWQ, "SW2019-2231", None)
    ),
    DemoCounselor("counselor_dw", "周婷", REGISTRY, MED, ("DW",), (*MQ, "PJ-TJ-0417", None)),
    DemoCounselor(
        "counselor_xlt2", "吴敏", SOCIAL_WORK, SW, ("XLT", "STZ"), (*MF, "HY2020-0085", None)
    ),
    # Colleagues of both organisations and the registries' own mediators.
    DemoCounselor(
        "counselor_zhanghui", "张慧", ASSOCIATION, PSY, ("XLT", "STZ"), (*Q2, "LN2012-0077", None)
    ),
    DemoCounselor(
        "counselor_liuyang", "刘洋", ASSOCIATION, PSY, ("XLT", "DW"), (*Q3, "LN2018-0655", None)
    ),
    DemoCounselor(
        "counselor_chenjing", "陈静", ASSOCIATION, PSY, ("STZ", "XLT"), (*Q3, "LN2019-0903", None)
    ),
    DemoCounselor(
        "counselor_yangfan",
        "杨帆",
        ASSOCIATION,
        PSY,
        ("DW", "PS"),
        (*Q3, "LN2016-0410", date(2025, 12, 31)),
    ),
    DemoCounselor(
        "counselor_zhaoxue", "赵雪", ASSOCIATION, PSY, ("PS", "DW"), (*Q2, "LN2014-0266", None)
    ),
    DemoCounselor(
        "counselor_huangli", "黄丽", SOCIAL_WORK, SW, ("XLT", "STZ"), (*SWQ, "SW2018-1902", None)
    ),
    DemoCounselor(
        "counselor_zhoujie", "周杰", SOCIAL_WORK, SW, ("DW", "PS"), (*SWQ, "SW2020-0318", None)
    ),
    DemoCounselor("counselor_xuqian", "徐倩", SOCIAL_WORK, SW, ("PS",), (*MF, "HY2021-0142", None)),
    DemoCounselor(
        "counselor_sunhong", "孙红", ASSOCIATION, PSY, ("STZ", "XLT"), (*Q3, "LN2020-0731", None)
    ),
    DemoCounselor("counselor_majun", "马军", REGISTRY, MED, ("XLT",), (*MQ, "PJ-TJ-0203", None)),
    DemoCounselor("counselor_zhuli", "朱莉", REGISTRY, MED, ("STZ",), (*MQ, "PJ-TJ-0388", None)),
    DemoCounselor("counselor_hulin", "胡琳", REGISTRY, MED, ("PS",), (*MQ, "PJ-TJ-0521", None)),
]

# Needed per half-day (morning, afternoon), whether a qualified psychological counsellor must be
# there, and how many counsellors the rooms hold at once.
COVERAGE = {
    "XLT": (2, 1, True, 3),
    "STZ": (1, 1, True, 2),
    "DW": (1, 1, False, 2),
    "PS": (1, 1, False, 2),
}


def seed(profile: str = "default", today: date | None = None) -> None:
    """Create the duty demo; with profile 'panjin-2021' also the pilot's months of 2021."""
    today = today or timezone.localdate()
    _people()
    _coverage()
    _availability(today)
    _publish(today)
    # Rosters are published ahead (the API and the booking page show next month), unless the
    # next month's official calendar is not loaded yet: then it cannot be planned.
    with suppress(ValidationError):
        _publish(next_month(today))
    if profile == "panjin-2021":
        for month in range(3, 9):
            _publish(date(2021, month, 1))


@transaction.atomic
def _people() -> None:
    offices = {office.code: office for office in RegistryOffice.objects.all()}
    organisations = {org.name: org for org in Organisation.objects.all()}
    counselor_group = Group.objects.get(name="counselor")
    for spec in COUNSELORS:
        user, created = User.objects.get_or_create(
            username=spec.username, defaults={"full_name": spec.full_name}
        )
        if created:
            user.set_password(settings.TONGXIN_DEMO_PASSWORD)
            user.save()
            user.groups.add(counselor_group)
        enrol_demo_account(user)
        for code in spec.offices:
            OfficeMembership.objects.get_or_create(user=user, office=offices[code])
        registry = spec.organisation == REGISTRY
        profile, created = CounselorProfile.objects.get_or_create(
            user=user,
            defaults={
                "organisation": organisations[spec.organisation],
                "role": spec.role,
                "home_office": offices[spec.offices[0]],
                "max_half_days_per_week": 6 if registry else 4,
                "max_half_days_per_month": 20 if registry else 16,
            },
        )
        if created:
            profile.offices.set([offices[code] for code in spec.offices])
        if spec.qualification:
            kind, name, number, expires = spec.qualification
            Qualification.objects.get_or_create(
                counselor=profile,
                certificate_number=number,
                defaults={"kind": kind, "name": name, "expires_on": expires},
            )


def _coverage() -> None:
    for code, (am, pm, qualified, capacity) in COVERAGE.items():
        CoverageRule.objects.get_or_create(
            office=RegistryOffice.objects.get(code=code),
            defaults={
                "needed_am": am,
                "needed_pm": pm,
                "qualified_required": qualified,
                "room_capacity": capacity,
            },
        )


def _availability(today: date) -> None:
    """Some leave and unavailability in the current month, placed relative to its first day."""
    first = month_start(today)
    monday = first + timedelta(days=(7 - first.weekday()) % 7)  # the month's first Monday
    rows = [
        ("counselor_liuyang", Unavailability.Kind.LEAVE, monday + timedelta(days=7), 5, ""),
        ("counselor_huangli", Unavailability.Kind.LEAVE, monday + timedelta(days=14), 3, ""),
        ("counselor_ps", Unavailability.Kind.UNAVAILABLE, monday + timedelta(days=2), 1, "PM"),
        ("counselor_ps", Unavailability.Kind.UNAVAILABLE, monday + timedelta(days=9), 1, "PM"),
        ("counselor_zhoujie", Unavailability.Kind.UNAVAILABLE, monday, 1, ""),
    ]
    for username, kind, start, days, half in rows:
        Unavailability.objects.get_or_create(
            counselor=CounselorProfile.objects.get(user__username=username),
            kind=kind,
            start=start,
            end=start + timedelta(days=days - 1),
            half_day=half,
            defaults={"note": "demo"},
        )
    DutyRequest.objects.get_or_create(
        counselor=CounselorProfile.objects.get(user__username="counselor_xlt"),
        day=monday + timedelta(days=4),
        half_day="PM",
        wish=DutyRequest.Wish.PREFER_OFF,
    )


def _publish(month: date) -> None:
    """A published roster for the month of every city, unless one exists already."""
    month = month_start(month)
    if not OfficialCalendarYear.objects.filter(year=month.year).exists():
        return  # a month of a year whose official calendar is not entered cannot be planned
    for city in RegistryOffice.objects.values_list("city", flat=True).distinct():
        if Roster.objects.published().for_month(city, month).exists():
            continue
        roster = planning.start_planning(city=city, month=month, requested_by=None, enqueue=False)
        solving.run_planning(roster=roster)
        roster.refresh_from_db()
        if roster.usable:
            publishing.publish_roster(roster=roster, published_by=None)
