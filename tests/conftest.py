import importlib

import pytest
from django.db import connection
from django.test import override_settings

from mediation import crypto, keyring
from mediation.roles import Role
from tests.factories import make_user, office
from tests.sign_in import TongxinClient


@pytest.fixture(autouse=True, scope="session")
def fast_password_hashing():
    """Real sign-ins, but hashed cheaply: the slow hasher protects stored passwords, not tests."""
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


APPEND_ONLY = importlib.import_module("mediation.migrations.0006_audit_append_only")


def set_audit_triggers(*, present: bool) -> None:
    with connection.cursor() as cursor:
        for sql in APPEND_ONLY.statements(connection.vendor, up=False):
            cursor.execute(sql)
        if present:
            for sql in APPEND_ONLY.statements(connection.vendor, up=True):
                cursor.execute(sql)


@pytest.fixture(autouse=True)
def flushable_audit_trail(request):
    """Transactional tests end with Django emptying every table; the audit trail's triggers
    (rightly) refuse that on SQLite, so they are lifted for that flush only and put back
    before the next test."""
    marker = request.node.get_closest_marker("django_db")
    transactional = (marker is not None and marker.kwargs.get("transaction")) or any(
        name in request.fixturenames for name in ("transactional_db", "live_server")
    )
    if not transactional:
        yield
        return
    request.getfixturevalue("transactional_db")
    set_audit_triggers(present=True)
    yield
    set_audit_triggers(present=False)


TEST_RING = crypto.KeyRing(
    keys={"test-a": bytes(range(32))},
    active_id="test-a",
    blind_index_key=bytes(range(32, 64)),
)


@pytest.fixture(autouse=True, scope="session")
def test_key_ring():
    """A fixed ring for the whole run: tests never depend on a developer's var/ files."""
    keyring.use(TEST_RING)
    yield TEST_RING
    keyring.use(None)


@pytest.fixture
def xlt(db):
    return office("XLT")


@pytest.fixture
def ps(db):
    return office("PS")


@pytest.fixture
def dw(db):
    return office("DW")


@pytest.fixture
def counselor(xlt):
    return make_user(Role.COUNSELOR, xlt, username="c_xlt", full_name="李咨询")


@pytest.fixture
def other_counselor(ps):
    return make_user(Role.COUNSELOR, ps, username="c_ps", full_name="王咨询")


@pytest.fixture
def supervisor(xlt):
    return make_user(Role.SUPERVISOR, xlt, username="s_xlt", full_name="郑主任")


@pytest.fixture
def civil_affairs(db):
    return make_user(Role.CIVIL_AFFAIRS, username="mz", full_name="刘民政")


@pytest.fixture
def womens_federation(db):
    return make_user(Role.WOMENS_FEDERATION, username="fl", full_name="陈妇联")


@pytest.fixture
def client():
    """Every test's client signs in with the second factor passed (tests/sign_in.py)."""
    return TongxinClient()


@pytest.fixture
def sysadmin(db):
    return make_user(Role.SYSADMIN, username="admin1", full_name="系统管理员甲")


@pytest.fixture
def secadmin(db):
    return make_user(Role.SECADMIN, username="secadmin1", full_name="安全管理员甲")


@pytest.fixture
def auditadmin(db):
    return make_user(Role.AUDITADMIN, username="auditadmin1", full_name="审计管理员甲")
