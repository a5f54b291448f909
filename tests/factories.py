"""Factories for tests: real rows in the real database, no mocks of our code."""

from datetime import date, datetime, timedelta

import factory
from django.conf import settings
from django.contrib.auth.models import Group
from django.utils import timezone

from mediation import services
from mediation.models import (
    Category,
    CounselingSession,
    OfficeMembership,
    Port,
    Purpose,
    RegistryOffice,
    Service,
    User,
)
from mediation.roles import Role


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"测试用户{n}")
    password = factory.PostGenerationMethodCall("set_password", settings.TONGXIN_DEMO_PASSWORD)

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.add(Group.objects.get(name=Role(extracted).value))
            self.save()

    @factory.post_generation
    def offices(self, create, extracted, **kwargs):
        if create and extracted:
            for office in extracted:
                OfficeMembership.objects.get_or_create(user=self, office=office)


def office(code: str) -> RegistryOffice:
    return RegistryOffice.objects.get(code=code)


def make_user(role: Role, *offices: RegistryOffice, **fields) -> User:
    return UserFactory(role=role, offices=list(offices), **fields)


def open_divorce_case(
    office: RegistryOffice, counselor: User, *, received_on=None, consent=True, **kwargs
):
    """A divorce case opened through the service, both parties consenting (unless told not to)."""
    case = services.open_case(
        office=office,
        port=Port.DIVORCE,
        category=kwargs.pop("category", Category.MARITAL),
        received_on=received_on or date(2026, 9, 1),
        opened_by=counselor,
        **kwargs,
    )
    if consent:
        for party in case.parties.all():
            for purpose in (Purpose.COUNSELLING, Purpose.SENSITIVE, Purpose.FOLLOW_UP):
                services.record_consent(
                    case=case, party=party, purpose=purpose, given=True, recorded_by=counselor
                )
    return case


def held_session_with_note(case, counselor, *, body="示例笔记：第一次面谈", when=None):
    """A joint session in the past, held, with the counsellor's draft note."""
    starts_at = when or timezone.make_aware(datetime(2026, 9, 3, 9, 0))
    if starts_at > timezone.now():
        starts_at = timezone.now() - timedelta(days=1)
    session = services.book_session(
        case=case,
        kind=CounselingSession.Kind.JOINT,
        starts_at=starts_at,
        room="调解室一",
        lead_counselor=counselor,
        booked_by=counselor,
    )
    services.hold_session(session=session, services=[Service.MARRIAGE_GUIDANCE], held_by=counselor)
    note = services.save_note(
        session=session, author=counselor, body=body, assessment="介入评估：良好"
    )
    return session, note
