"""Factories for tests: real rows in the real database, no mocks of our code."""

import factory
from django.conf import settings
from django.contrib.auth.models import Group

from mediation.models import OfficeMembership, RegistryOffice, User
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
