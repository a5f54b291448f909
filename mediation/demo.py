"""Demo data for `manage.py seed_demo`: fixed accounts that docs and checks rely on.

Idempotent: running it twice leaves the same rows. Other apps add their part through a
`seed_demo(profile)` method on their AppConfig (mediation imports nothing of theirs).
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from . import services, totp
from .identity import check_char
from .models import (
    Category,
    CounselingSession,
    OfficeMembership,
    OutcomeKind,
    Port,
    Purpose,
    Referral,
    RegistryOffice,
    Room,
    Service,
    TotpDevice,
    User,
)
from .roles import Role
from .services import two_factor


@dataclass(frozen=True)
class DemoAccount:
    username: str
    full_name: str
    role: Role
    offices: tuple[str, ...] = ()


DEMO_ACCOUNTS = [
    DemoAccount("counselor_xlt", "李静", Role.COUNSELOR, ("XLT",)),
    DemoAccount("counselor_ps", "王敏", Role.COUNSELOR, ("PS",)),
    DemoAccount("supervisor_dw", "赵磊", Role.SUPERVISOR, ("DW",)),
    DemoAccount("minzheng", "刘芳", Role.CIVIL_AFFAIRS),
    DemoAccount("fulian", "陈红", Role.WOMENS_FEDERATION),
    DemoAccount("sysadmin", "系统管理员", Role.SYSADMIN),
    DemoAccount("secadmin", "安全管理员", Role.SECADMIN),
    DemoAccount("auditadmin", "审计管理员", Role.AUDITADMIN),
    # Colleagues so every office has people in it; they sign in with the same password.
    DemoAccount("counselor_stz", "孙丽", Role.COUNSELOR, ("STZ",)),
    DemoAccount("counselor_dw", "周婷", Role.COUNSELOR, ("DW",)),
    DemoAccount("counselor_xlt2", "吴敏", Role.COUNSELOR, ("XLT", "STZ")),
    DemoAccount("supervisor_xlt", "郑军", Role.SUPERVISOR, ("XLT",)),
    DemoAccount("supervisor_stz", "冯雪", Role.SUPERVISOR, ("STZ",)),
    DemoAccount("supervisor_ps", "何伟", Role.SUPERVISOR, ("PS",)),
]


@transaction.atomic
def seed_accounts() -> list[User]:
    users = []
    offices = {office.code: office for office in RegistryOffice.objects.all()}
    for account in DEMO_ACCOUNTS:
        user, created = User.objects.get_or_create(
            username=account.username, defaults={"full_name": account.full_name}
        )
        if created or not user.has_usable_password():
            user.set_password(settings.TONGXIN_DEMO_PASSWORD)
            user.save()
        user.groups.set([Group.objects.get(name=account.role.value)])
        for code in account.offices:
            OfficeMembership.objects.get_or_create(user=user, office=offices[code])
        enrol_demo_account(user)
        users.append(user)
    return users


# Demo accounts enrolled in this process, with their seeds (seed_demo prints them).
_demo_seeds: dict[str, str] = {}


def enrol_demo_account(user: User) -> str:
    """Give a demo account its authenticator with the fixed seed of totp.demo_seed (README
    lists them), unless it has one already; returns the seed. For demo databases only: the
    seeds are public."""
    seed = totp.demo_seed(user.username)
    if not TotpDevice.objects.filter(user=user, confirmed=True).exists():
        two_factor.enrol_with_seed(user=user, seed=seed)
    _demo_seeds[user.username] = seed
    return seed


def demo_seeds() -> dict[str, str]:
    return dict(sorted(_demo_seeds.items()))


# Cases in every state at every office, with session notes (which contain 示例笔记).

DEMO_PEOPLE = {
    "XLT": [
        ("张伟", "王芳"),
        ("李强", "刘洋"),
        ("陈杰", "杨静"),
        ("赵磊", "黄丽"),
        ("周涛", "吴娟"),
        ("徐明", "孙燕"),
        ("马超", "朱琳"),
        ("胡斌", "郭敏"),
        ("林峰", "何婷"),
        ("高飞", "罗雪"),
    ],
    "STZ": [
        ("郑浩", "梁慧"),
        ("谢军", "宋佳"),
        ("唐亮", "许晴"),
        ("韩冰", "冯倩"),
        ("邓刚", "曹颖"),
        ("彭宇", "曾红"),
        ("陈杰", "田甜"),  # a namesake of an XLT party: a search at XLT never finds this one
        ("董旭", "潘玲"),
        ("袁博", "蒋蕾"),
        ("蔡勇", "余欢"),
    ],
    "DW": [
        ("杜凯", "叶青"),
        ("程龙", "魏霞"),
        ("苏航", "吕萍"),
        ("丁亮", "任洁"),
        ("沈阳", "姚瑶"),
        ("卢俊", "姜珊"),
        ("崔健", "钟莉"),
        ("谭伟", "陆梅"),
        ("汪洋", "范冰"),
        ("金鑫", "石慧"),
    ],
    "PS": [
        ("贾斌", "夏雨"),
        ("付强", "方圆"),
        ("白杨", "邹颖"),
        ("孟凡", "熊婷"),
        ("秦川", "邱霞"),
        ("江涛", "尹丽"),
        ("薛峰", "黎明"),
        ("闫军", "段红"),
        ("雷鸣", "侯静"),
        ("龙飞", "邵敏"),
    ],
}
DEMO_COUNSELORS = {
    "XLT": "counselor_xlt",
    "STZ": "counselor_stz",
    "DW": "counselor_dw",
    "PS": "counselor_ps",
}
ROOMS = {"XLT": ("调解室一", "调解室二"), "STZ": ("调解室",), "DW": ("调解室",), "PS": ("调解室",)}
# Each office's rooms: name, seats, suitable for joint sessions.
ROOM_DATA = {
    "XLT": [("调解室一", 4, True), ("调解室二", 3, False), ("家庭辅导室", 6, True)],
    "STZ": [("调解室", 4, True)],
    "DW": [("调解室", 4, True)],
    "PS": [("调解室", 4, True)],
}


def seed_rooms() -> None:
    """The offices' rooms (the migration gave each its first ones). Idempotent."""
    for code, rooms in ROOM_DATA.items():
        office = RegistryOffice.objects.get(code=code)
        for name, capacity, joint in rooms:
            Room.objects.update_or_create(
                office=office, name=name, defaults={"capacity": capacity, "joint_sessions": joint}
            )


def _id_number(seed: int, born: date, female: bool) -> str:
    area = "211103"
    order = f"{(seed * 7) % 99:02d}{(2 * (seed % 5)) + (0 if female else 1)}"
    first17 = f"{area}{born:%Y%m%d}{order}"
    return first17 + check_char(first17)


def seed_cases() -> int:
    """About ten cases per office, covering every state a counsellor meets. Idempotent: an
    office that already has cases is left alone."""
    seed_rooms()
    made = 0
    for code, people in DEMO_PEOPLE.items():
        office = RegistryOffice.objects.get(code=code)
        if office.cases.exists():
            continue
        counselor = User.objects.get(username=DEMO_COUNSELORS[code])
        made += _seed_office(office, counselor, people, timedelta)
    return made


def _consent_and_describe(case, couple, n, office, counselor, *, sensitive, follow_up) -> None:
    """The demo couple's consents, then their names and particulars."""
    purposes = [Purpose.COUNSELLING, Purpose.STATISTICS]
    purposes += [Purpose.SENSITIVE] if sensitive else []
    purposes += [Purpose.FOLLOW_UP] if follow_up else []
    for party, name, female in zip(case.parties.all(), couple, (False, True), strict=True):
        for purpose in purposes:
            services.record_consent(
                case=case, party=party, purpose=purpose, given=True, recorded_by=counselor
            )
        born = date(1985 + (n + party.position) % 10, 1 + n % 12, 1 + (n * 3) % 27)
        services.update_party(
            party=party,
            updated_by=counselor,
            name=name,
            sex="F" if female else "M",
            id_number=_id_number(n * 2 + party.position, born, female),
            phone=f"139{(n * 7919 + party.position * 104729) % 100000000:08d}",
            address=f"盘锦市{office.name[:3]}某街道{n + 1}号",
            education="senior",
            marital_status="first",
            years_married=3 + n,
        )


def _seed_office(office, counselor, people, timedelta) -> int:
    today = timezone.localdate()
    now = timezone.now()
    rooms = [Room.objects.get(office=office, name=name) for name in ROOMS[office.code]]
    slot = iter(range(1000))

    def at(day, hour, minute=30):
        return timezone.make_aware(datetime.combine(day, time(hour, minute)))

    def open_divorce(
        days_ago,
        couple,
        n,
        *,
        consent=True,
        sensitive=True,
        follow_up=True,
        category=Category.MARITAL,
    ):
        case = services.open_case(
            office=office,
            port=Port.DIVORCE,
            category=category,
            received_on=today - timedelta(days=days_ago),
            opened_by=counselor,
            opened_at=now - timedelta(days=days_ago),
        )
        if consent:
            _consent_and_describe(
                case, couple, n, office, counselor, sensitive=sensitive, follow_up=follow_up
            )
        return case

    def held(case, day, hour, text, *, kind=CounselingSession.Kind.JOINT, party=None, sign=True):
        minute = 30 if next(slot) % 2 else 0
        session = services.book_session(
            case=case,
            kind=kind,
            party=party,
            starts_at=at(day, hour, minute),
            booked_room=rooms[0],
            lead_counselor=counselor,
            booked_by=counselor,
        )
        services.hold_session(
            session=session,
            services=[Service.MARRIAGE_GUIDANCE, Service.RELATIONSHIP],
            held_by=counselor,
        )
        note = services.save_note(
            session=session,
            author=counselor,
            body=text,
            assessment="示例笔记（介入评估）：双方有沟通意愿，建议继续面谈。",
        )
        if sign:
            services.sign_note(note=note, signed_by=counselor)
        return session

    couples = iter(enumerate(people))

    n, couple = next(couples)
    open_divorce(2, couple, n)  # just received; deadlines reach into next year

    n, couple = next(couples)
    case = case_two = open_divorce(12, couple, n)
    for party in case.parties.all():
        services.screen_party(
            party=party,
            answers=dict.fromkeys(services.SCREEN_QUESTIONS, False),
            screened_by=counselor,
        )
    held(
        case,
        today - timedelta(days=9),
        9,
        "示例笔记：第一次联合面谈。双方谈到孩子的教育和家务分工，情绪较平稳。",
    )
    services.book_session(
        case=case,
        kind=CounselingSession.Kind.JOINT,
        starts_at=at(today, 14),
        booked_room=rooms[0],
        lead_counselor=counselor,
        booked_by=counselor,
    )

    n, couple = next(couples)
    case = open_divorce(26, couple, n)
    first, second = case.parties.all()
    services.screen_party(
        party=first, answers=dict.fromkeys(services.SCREEN_QUESTIONS, False), screened_by=counselor
    )
    services.screen_party(
        party=second,
        answers={
            **dict.fromkeys(services.SCREEN_QUESTIONS, False),
            "afraid": True,
            "threatened": True,
        },
        screened_by=counselor,
    )
    held(
        case,
        today - timedelta(days=20),
        10,
        "示例笔记：与当事人2单独面谈，了解到安全方面的顾虑，已提供求助渠道。",
        kind=CounselingSession.Kind.INDIVIDUAL,
        party=second,
    )
    services.refer(
        case=case,
        party=second,
        destination=Referral.Destination.WOMENS_FEDERATION,
        reason="示例：当事人表示害怕对方，转介妇联反家暴援助。",
        referred_on=today - timedelta(days=20),
        referred_by=counselor,
    )
    services.book_session(
        case=case,
        kind=CounselingSession.Kind.INDIVIDUAL,
        party=second,
        starts_at=at(today, 9),
        booked_room=rooms[-1],
        lead_counselor=counselor,
        booked_by=counselor,
    )

    n, couple = next(couples)
    case = open_divorce(45, couple, n)
    held(case, today - timedelta(days=40), 15, "示例笔记：双方同意暂缓离婚，继续观察一段时间。")
    services.record_result(
        case=case, result="postpone", result_on=today - timedelta(days=32), recorded_by=counselor
    )

    n, couple = next(couples)
    case = open_divorce(120, couple, n)
    held(case, today - timedelta(days=115), 9, "示例笔记：第一次面谈，双方愿意再谈。")
    held(case, today - timedelta(days=108), 10, "示例笔记：第二次面谈，双方表示和好。")
    services.record_result(
        case=case, result="reconcile", result_on=today - timedelta(days=108), recorded_by=counselor
    )
    services.close_case(
        case=case,
        kind=OutcomeKind.RECONCILED,
        decided_on=today - timedelta(days=105),
        recorded_by=counselor,
    )

    n, couple = next(couples)
    open_divorce(
        75, couple, n, follow_up=False
    )  # nobody came for the certificate: the clock lapses it

    n, couple = next(couples)
    case = open_divorce(70, couple, n)
    held(
        case,
        today - timedelta(days=66),
        14,
        "示例笔记：双方已决定离婚，辅导重点转为离婚调适和子女抚养安排。",
    )
    services.record_result(
        case=case, result="divorce", result_on=today - timedelta(days=60), recorded_by=counselor
    )
    services.close_case(
        case=case,
        kind=OutcomeKind.DIVORCED,
        decided_on=today - timedelta(days=35),
        recorded_by=counselor,
    )

    n, couple = next(couples)
    case = open_divorce(30, couple, n, consent=False)
    services.close_case(
        case=case,
        kind=OutcomeKind.DECLINED,
        decided_on=today - timedelta(days=30),
        recorded_by=counselor,
    )

    n, couple = next(couples)
    case = services.open_case(
        office=office,
        port=Port.MARRIAGE,
        category=Category.PREMARITAL,
        opened_by=counselor,
        opened_at=now - timedelta(days=5),
    )
    for party in case.parties.all():
        services.record_consent(
            case=case, party=party, purpose=Purpose.COUNSELLING, given=True, recorded_by=counselor
        )
        services.record_consent(
            case=case, party=party, purpose=Purpose.SENSITIVE, given=True, recorded_by=counselor
        )
    held(
        case,
        today - timedelta(days=5),
        11,
        "示例笔记：婚前辅导，讨论了家庭角色期待和优生优育知识。",
        sign=False,
    )

    n, couple = next(couples)
    case = open_divorce(200, couple, n)
    held(case, today - timedelta(days=195), 9, "示例笔记：双方和好，撤回离婚申请。")
    services.close_case(
        case=case,
        kind=OutcomeKind.RECONCILED,
        decided_on=today - timedelta(days=190),
        recorded_by=counselor,
    )

    if office.code == "XLT":
        _seed_desk(open_divorce, unrecorded=case_two, room=rooms[0], at=at)
    services.mark_lapsed_cases(today=today)
    return office.cases.count()


def _seed_desk(open_divorce, *, unrecorded, room, at) -> None:
    """What the supervisor's desk of 兴隆台 shows beyond one counsellor's cases: a colleague's
    cases, a case nobody is assigned to yet, and a session of last week nobody recorded."""
    today = timezone.localdate()
    colleague = User.objects.get(username="counselor_xlt2")
    supervisor = User.objects.get(username="supervisor_xlt")
    for days_ago, couple, n in ((6, ("宋涛", "苏梅"), 20), (21, ("韩磊", "程雪"), 21)):
        case = open_divorce(days_ago, couple, n)
        services.assign_counselor(case=case, counselor=colleague, assigned_by=supervisor)
        services.unassign_counselor(
            case=case,
            counselor=case.counselors.exclude(pk=colleague.pk).get(),
            unassigned_by=supervisor,
        )
    unassigned = open_divorce(1, ("吕强", "邵丽"), 22)
    for assignment in unassigned.assignments.filter(ended_at__isnull=True):
        services.unassign_counselor(
            case=unassigned, counselor=assignment.counselor, unassigned_by=supervisor
        )
    counselor = unrecorded.counselors.get()
    services.book_session(
        case=unrecorded,
        kind=CounselingSession.Kind.JOINT,
        starts_at=at(today - timedelta(days=6), 10),
        booked_room=room,
        lead_counselor=counselor,
        booked_by=counselor,
    )
