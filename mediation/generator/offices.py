"""Registry offices and their people for generated data.

The four Panjin offices come from the migrations; more offices are the county-level areas of
Liaoning province (about a hundred, as DOMAIN.md's 'Scale to plan for' says of a province),
coded by their administrative division code (GB/T 2260), which is also the first six digits of
the ID numbers issued there; past the province, numbered example counties.
"""

import random
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction

from ..demo import enrol_demo_account
from ..models import OfficeMembership, RegistryOffice, TotpDevice, User
from ..roles import Role, roles_of
from . import texts

PANJIN_AREAS = {"XLT": "211103", "STZ": "211102", "DW": "211104", "PS": "211122"}
# Relative size of the Panjin rooms (the pilot's reconciliations per office).
PANJIN_WEIGHTS = {"XLT": 1.4, "STZ": 1.0, "DW": 0.8, "PS": 0.7}

LIAONING = {
    "沈阳市": "210102 和平区 210103 沈河区 210104 大东区 210105 皇姑区 210106 铁西区 "
    "210111 苏家屯区 210112 浑南区 210113 沈北新区 210114 于洪区 210115 辽中区 210123 康平县 "
    "210124 法库县 210181 新民市",
    "大连市": "210202 中山区 210203 西岗区 210204 沙河口区 210211 甘井子区 210212 旅顺口区 "
    "210213 金州区 210214 普兰店区 210224 长海县 210281 瓦房店市 210283 庄河市",
    "鞍山市": "210302 铁东区 210303 铁西区 210304 立山区 210311 千山区 210321 台安县 "
    "210323 岫岩满族自治县 210381 海城市",
    "抚顺市": "210402 新抚区 210403 东洲区 210404 望花区 210411 顺城区 210421 抚顺县 "
    "210422 新宾满族自治县 210423 清原满族自治县",
    "本溪市": "210502 平山区 210503 溪湖区 210504 明山区 210505 南芬区 210521 本溪满族自治县 "
    "210522 桓仁满族自治县",
    "丹东市": "210602 元宝区 210603 振兴区 210604 振安区 210624 宽甸满族自治县 210681 东港市 "
    "210682 凤城市",
    "锦州市": "210702 古塔区 210703 凌河区 210711 太和区 210726 黑山县 210727 义县 "
    "210781 凌海市 210782 北镇市",
    "营口市": "210802 站前区 210803 西市区 210804 鲅鱼圈区 210811 老边区 210881 盖州市 "
    "210882 大石桥市",
    "阜新市": "210902 海州区 210903 新邱区 210904 太平区 210905 清河门区 210911 细河区 "
    "210921 阜新蒙古族自治县 210922 彰武县",
    "辽阳市": "211002 白塔区 211003 文圣区 211004 宏伟区 211005 弓长岭区 211011 太子河区 "
    "211021 辽阳县 211081 灯塔市",
    "铁岭市": "211202 银州区 211204 清河区 211221 铁岭县 211223 西丰县 211224 昌图县 "
    "211281 调兵山市 211282 开原市",
    "朝阳市": "211302 双塔区 211303 龙城区 211321 朝阳县 211322 建平县 "
    "211324 喀喇沁左翼蒙古族自治县 211381 北票市 211382 凌源市",
    "葫芦岛市": "211402 连山区 211403 龙港区 211404 南票区 211421 绥中县 211422 建昌县 "
    "211481 兴城市",
}


def liaoning_counties() -> list[tuple[str, str, str]]:
    """(division code, county, city) of every county-level area outside Panjin."""
    found: list[tuple[str, str, str]] = []
    for city, listing in LIAONING.items():
        words = listing.split()
        found.extend(
            (code, county, city) for code, county in zip(words[::2], words[1::2], strict=True)
        )
    return found


@dataclass
class Office:
    """An office as the generator uses it: plain values, looked up once."""

    id: int
    code: str
    name: str
    city: str
    area: str  # the division code that ID numbers issued there start with
    rooms: int
    weight: float

    @property
    def county(self) -> str:
        return self.name.removesuffix("婚姻登记处").removeprefix(self.city)


@dataclass
class Person:
    id: int
    username: str
    role: str  # as the audit trail writes it


def ensure_offices(count: int, rng: random.Random) -> list[Office]:
    """The first `count` offices: the existing ones (Panjin first), then new ones."""
    existing = list(RegistryOffice.objects.order_by("pk"))
    counties = liaoning_counties()
    taken = {office.code for office in existing}
    new: list[RegistryOffice] = []
    n = 0
    while len(existing) + len(new) < count:
        if n < len(counties):
            code, county, city = counties[n]
        else:
            code, county, city = f"99{n:04d}", f"示例{n - len(counties) + 1}县", "示例市"
        n += 1
        if code in taken:
            continue
        weight = rng.lognormvariate(0, 0.5)
        new.append(
            RegistryOffice(
                code=code,
                name=f"{city}{county}婚姻登记处",
                city=city,
                rooms=1 + (weight > 1.2) + (weight > 2.0),
                opened_on=date(2021, 3, 1),
            )
        )
    for office in new:
        office.full_clean()
    RegistryOffice.objects.bulk_create(new)
    offices = list(RegistryOffice.objects.order_by("pk"))[:count]
    return [
        Office(
            id=office.pk,
            code=office.code,
            name=office.name,
            city=office.city,
            area=PANJIN_AREAS.get(office.code, office.code if office.code.isdigit() else "211103"),
            rooms=office.rooms,
            weight=PANJIN_WEIGHTS.get(office.code, max(0.3, office.rooms * 0.6)),
        )
        for office in offices
    ]


def staff_size(cases_per_year: float) -> int:
    """Counsellors stationed at an office: a few hundred cases a year each (the pilot's XLT
    room, with three counsellors, saw about 600 in six months)."""
    return max(2, min(15, round(cases_per_year / 350)))


def ensure_staff(
    offices: list[Office], cases_per_year: dict[int, float], rng: random.Random
) -> tuple[dict[int, list[Person]], dict[int, Person]]:
    """Counsellors (a fifth also serve the next office) and one supervisor per office, all with
    the demo password. Counsellors already at an office (the demo's) are kept and counted.
    Returns every counsellor of each office (members, as case access requires) and its
    supervisor, by office id."""
    groups = {
        role: Group.objects.get(name=role.value) for role in (Role.COUNSELOR, Role.SUPERVISOR)
    }
    password = make_password(settings.TONGXIN_DEMO_PASSWORD)
    taken = set(User.objects.values_list("username", flat=True))
    new_users: list[User] = []
    new_roles: list[tuple[str, Role]] = []
    new_memberships: list[tuple[str, int]] = []

    def add(username: str, role: Role, *office_ids: int) -> None:
        if username in taken:
            return
        taken.add(username)
        female = rng.random() < (0.75 if role == Role.COUNSELOR else 0.5)
        new_users.append(
            User(
                username=username,
                full_name=texts.person_name(rng, female=female),
                password=password,
            )
        )
        new_roles.append((username, role))
        new_memberships.extend((username, office_id) for office_id in office_ids)

    for index, office in enumerate(offices):
        present = User.objects.counselors_of(RegistryOffice(pk=office.id)).count()
        wanted = staff_size(cases_per_year.get(office.id, 0.0))
        prefix = office.code.lower()
        for n in range(present + 1, wanted + 1):
            also = offices[(index + 1) % len(offices)].id if rng.random() < 0.2 else office.id
            add(f"{prefix}_counselor_{n}", Role.COUNSELOR, *{office.id, also})
        add(f"{prefix}_supervisor", Role.SUPERVISOR, office.id)
    for user in new_users[:1]:
        user.clean_fields()
    User.objects.bulk_create(new_users, batch_size=1000)
    ids = dict(
        User.objects.filter(username__in=[user.username for user in new_users]).values_list(
            "username", "pk"
        )
    )
    through = User.groups.through
    through.objects.bulk_create(
        [through(user_id=ids[name], group_id=groups[role].pk) for name, role in new_roles],
        batch_size=1000,
    )
    OfficeMembership.objects.bulk_create(
        [OfficeMembership(user_id=ids[name], office_id=office) for name, office in new_memberships],
        batch_size=1000,
    )
    counselors: dict[int, list[Person]] = {}
    supervisors: dict[int, Person] = {}
    for office in offices:
        present = User.objects.counselors_of(RegistryOffice(pk=office.id)).order_by("pk")
        counselors[office.id] = [Person(user.pk, user.username, _role(user)) for user in present]
        boss = User.objects.filter(username=f"{office.code.lower()}_supervisor").first()
        if boss is not None:
            supervisors[office.id] = Person(boss.pk, boss.username, _role(boss))
    return counselors, supervisors


def enrol_staff(people: list[Person]) -> int:
    """Give every generated account without one the demo authenticator (the seed derived from
    its name, totp.demo_seed), as seed_demo does: a password alone reaches no page. Called
    after the cases, so its audit events come last in the time-ordered trail. Returns how
    many were enrolled."""
    enrolled = set(TotpDevice.objects.filter(confirmed=True).values_list("user_id", flat=True))
    ids = {person.id for person in people} - enrolled
    # One transaction: the trail links the events in one run after it, not one per account.
    with transaction.atomic():
        for user in User.objects.filter(pk__in=ids).order_by("pk"):
            enrol_demo_account(user)
    return len(ids)


def _role(user: User) -> str:
    return ",".join(role.value for role in roles_of(user))
