"""Signing in as the tests do it: the real password and the real second factor, or force_login
that marks the session verified as django_otp.login does (the OTP middleware reads that mark)."""

from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY

from mediation import totp
from mediation.models import TotpDevice, User
from mediation.services import two_factor


def enrol(user, seed: str | None = None) -> TotpDevice:
    """The user's authenticator (made with the demo seed of their name if they have none)."""
    device = TotpDevice.objects.filter(user=user, confirmed=True).first()
    return device or two_factor.enrol_with_seed(
        user=user, seed=seed or totp.demo_seed(user.username)
    )


def next_code(user) -> str:
    """A code the user's authenticator would accept now: the current step's, or the next one
    when the current step was used already (a second sign-in within 30 seconds)."""
    device = TotpDevice.objects.get(user=user)
    seed = two_factor._open_seed(device)
    now = totp.step_at(timezone.now().timestamp())
    step = max(now, device.last_step + 1)
    assert step <= now + totp.TOLERANCE, "every code of this moment is used: move the clock"
    return totp.code_at_step(seed, step)


class TongxinClient(Client):
    """The test client whose force_login also passes the second factor (verified=False leaves
    the session at the second-factor page, as a correct password alone does)."""

    def force_login(self, user, backend=None, *, verified: bool = True):
        super().force_login(user, backend)
        if verified:
            device = enrol(user)
            session = self.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()


def sign_in(client: Client, username: str, password: str = settings.TONGXIN_DEMO_PASSWORD):
    """The whole sign-in through the pages: password, then the authenticator's code."""
    response = client.post(reverse("login"), {"username": username, "password": password})
    assert response.status_code == 302, response.content[:500]
    user = User.objects.get(username=username)
    enrol(user)
    return client.post(reverse("mediation:second-factor"), {"code": next_code(user)})
