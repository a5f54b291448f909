"""Demo data for `manage.py seed_demo`: fixed accounts that docs and checks rely on.

Idempotent: running it twice leaves the same rows. Other apps add their part through the
`demo_seeded` signal (mediation imports nothing of theirs).
"""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction

from .models import OfficeMembership, RegistryOffice, User
from .roles import Role


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
            username=account.username,
            defaults={"full_name": account.full_name, "is_staff": account.role == Role.SYSADMIN},
        )
        if created or not user.has_usable_password():
            user.set_password(settings.TONGXIN_DEMO_PASSWORD)
            user.save()
        user.groups.set([Group.objects.get(name=account.role.value)])
        for code in account.offices:
            OfficeMembership.objects.get_or_create(user=user, office=offices[code])
        users.append(user)
    return users
