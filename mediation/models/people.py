"""Users, registry offices, their rooms and office memberships."""

from django.contrib.auth import get_backends
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from ..roles import Role, roles_of


class UserQuerySet(models.QuerySet):
    def counselors_of(self, offices) -> "UserQuerySet":
        """Active users who may work cases (the counsellor role) and belong to these offices."""
        if isinstance(offices, models.Model):
            offices = [offices]
        return (
            self.filter(
                is_active=True,
                memberships__office__in=offices,
                groups__permissions__codename="work_cases",
                groups__permissions__content_type__app_label="mediation",
            )
            .distinct()
            .order_by("full_name", "username")
        )

    def assigned_to(self, case) -> "UserQuerySet":
        """The counsellors with an active assignment to this case."""
        return self.filter(case_assignments__case=case, case_assignments__ended_at__isnull=True)


class TongxinUserManager(UserManager.from_queryset(UserQuerySet)):
    pass


class User(AbstractUser):
    """A person who signs in. Chinese names are written whole, so there is one name field.

    What a user may do comes from their roles only: the superuser flag grants nothing here
    (has_perm below and mediation.backends), so no one escapes the three separated
    administrators (SECURITY.md, 'Administrators and sign-in')."""

    full_name = models.CharField(_("full name"), max_length=60, blank=True)
    # Set while the password is one the system administrator handed over (a new account or a
    # reset): it must be changed at the next sign-in and is refused after this moment.
    temporary_password_until = models.DateTimeField(
        _("temporary password valid until"), null=True, blank=True, editable=False
    )

    objects = TongxinUserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        permissions = [
            ("view_accounts", _("Can see the list of accounts")),
            ("manage_accounts", _("Can create, deactivate and reset accounts")),
            ("grant_roles", _("Can grant and remove roles and office memberships")),
            ("reset_second_factor", _("Can reset another user's second factor")),
            (
                "keep_privacy_register",
                _("Can keep the register of processing activities and the impact assessment"),
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def display_name(self) -> str:
        return self.full_name or self.username

    @property
    def held_roles(self) -> list[Role]:
        """The roles this user holds (roles_of, cached on the object)."""
        return roles_of(self)

    @property
    def must_change_password(self) -> bool:
        return self.temporary_password_until is not None

    def temporary_password_expired(self) -> bool:
        return (
            self.temporary_password_until is not None
            and self.temporary_password_until <= timezone.now()
        )

    def has_perm(self, perm, obj=None) -> bool:
        """Django's check, without its "an active superuser may do anything" shortcut."""
        return self.is_active and self._backends_allow("has_perm", perm, obj)

    def has_module_perms(self, app_label) -> bool:
        return self.is_active and self._backends_allow("has_module_perms", app_label)

    def _backends_allow(self, method: str, *args) -> bool:
        for backend in get_backends():
            if not hasattr(backend, method):
                continue
            try:
                if getattr(backend, method)(self, *args):
                    return True
            except PermissionDenied:
                return False
        return False


class RegistryOfficeQuerySet(models.QuerySet):
    def of_user(self, user) -> "RegistryOfficeQuerySet":
        """The offices a user belongs to through OfficeMembership."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(memberships__user=user).distinct()


class RegistryOffice(models.Model):
    """A marriage registry office (婚姻登记处) with its mediation room."""

    code = models.CharField(_("code"), max_length=12, unique=True)
    name = models.CharField(_("name"), max_length=60)
    name_en = models.CharField(_("English name"), max_length=80, blank=True)
    city = models.CharField(_("city"), max_length=30, default="盘锦市")
    address = models.CharField(_("address"), max_length=120, blank=True)
    opened_on = models.DateField(_("mediation room opened on"), null=True, blank=True)
    rooms = models.PositiveSmallIntegerField(_("mediation rooms"), default=1)

    objects = RegistryOfficeQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("registry office")
        verbose_name_plural = _("registry offices")
        permissions = [
            ("work_cases", _("Can work on assigned cases")),
            ("supervise_office", _("Can supervise all cases of their offices")),
            ("view_own_duty", _("Can see their own duty roster")),
            ("view_statistics", _("Can see anonymised statistics and reports")),
            ("plan_rotation", _("Can plan and publish the rotation")),
            ("manage_calendar", _("Can maintain the official calendar")),
            ("view_audit_trail", _("Can browse the audit trail")),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if self.name_en and (get_language() or "").startswith("en"):
            return self.name_en
        return self.name


class OfficeMembership(models.Model):
    """A user belongs to an office; a counsellor who rotates through two rooms has two rows."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    office = models.ForeignKey(RegistryOffice, on_delete=models.PROTECT, related_name="memberships")
    since = models.DateField(_("since"), null=True, blank=True)

    class Meta:
        verbose_name = _("office membership")
        verbose_name_plural = _("office memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "office"], name="membership_unique_user_office")
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.office.code}"


class RoomQuerySet(models.QuerySet):
    def in_use(self) -> "RoomQuerySet":
        return self.filter(active=True)


class Room(models.Model):
    """A room of an office's mediation service where sessions are held: booked from a list, and
    never by two sessions at once (CounselingSession's conditional unique constraint). Rooms no
    longer used are set inactive, never deleted: past sessions keep naming them."""

    office = models.ForeignKey(
        RegistryOffice, on_delete=models.PROTECT, related_name="room_set", verbose_name=_("office")
    )
    name = models.CharField(_("name"), max_length=30)
    capacity = models.PositiveSmallIntegerField(
        _("capacity"),
        default=4,
        help_text=_("How many people the room seats, counsellors included."),
    )
    joint_sessions = models.BooleanField(
        _("suitable for joint sessions"),
        default=True,
        help_text=_("Large and quiet enough for both spouses and a counsellor."),
    )
    active = models.BooleanField(_("in use"), default=True)

    objects = RoomQuerySet.as_manager()

    class Meta:
        ordering = ["office__code", "name"]
        verbose_name = _("room")
        verbose_name_plural = _("rooms")
        constraints = [
            models.UniqueConstraint(fields=["office", "name"], name="room_unique_name_per_office"),
            models.CheckConstraint(condition=models.Q(capacity__gte=1), name="room_seats_someone"),
        ]

    def __str__(self) -> str:
        return self.name
