import base64
import importlib
import json
import os

import pytest
from django.conf import settings
from django.db import connection, connections
from django.test import override_settings
from django.utils import translation
from hypothesis import settings as hypothesis_settings
from pytest_django.plugin import blocking_manager_key
from xdist.scheduler import LoadScopeScheduling

from mediation import crypto, keyring
from mediation.roles import Role
from tests.factories import make_user, office
from tests.sign_in import TongxinClient

# Property tests: no deadline (two shared cores make timings noisy), no example database left in
# the working tree; a failure prints the blob that reproduces it (`@reproduce_failure`).
# HYPOTHESIS_PROFILE=thorough tries twenty times as many examples.
hypothesis_settings.register_profile("tongxin", deadline=None, database=None, print_blob=True)
hypothesis_settings.register_profile(
    "thorough", parent=hypothesis_settings.get_profile("tongxin"), max_examples=2000
)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "tongxin"))


# Tests that share an expensive session set-up run in one xdist worker (`--dist loadgroup`, as
# `make test` runs them), so that it is made once: node-id prefix -> group. The browser tests are
# not grouped: each worker starts its own Chromium and live server (a second or two) and the
# journeys and the accessibility pass, a third of the suite's time, share the cores.
PILOT = "tests/reports/test_panjin_2021"  # test_panjin_2021.py and test_panjin_2021_official.py
WORKER_GROUPS = {
    PILOT: "panjin_2021",  # the 2021 pilot's database, some 1,300 cases
}


class WorkerGroups(LoadScopeScheduling):
    """xdist's loadgroup reads groups from a suffix it writes into node ids, which pytest 9.2 no
    longer takes; these groups are known by path instead, and every other test is a unit of its
    own. Units go out in collection order, never reordered by size: pytest-django puts the
    transactional tests (which empty the database when they end) after the others, and each
    worker must keep that order."""

    def _split_scope(self, nodeid: str) -> str:
        for prefix, group in WORKER_GROUPS.items():
            if nodeid.startswith(prefix):
                return group
        return nodeid

    def schedule(self) -> None:
        self.config.option.loadscopereorder = False
        super().schedule()


class XdistHooks:
    """Registered only when xdist runs (`-p no:xdist` would not know the hook)."""

    @staticmethod
    def pytest_xdist_make_scheduler(config, log):
        if config.getvalue("dist") == "loadgroup":
            return WorkerGroups(config, log)
        return None


def pytest_configure(config):
    if config.pluginmanager.hasplugin("xdist"):
        config.pluginmanager.register(XdistHooks(), "tongxin-xdist-groups")


def pytest_collection_modifyitems(items):
    """The pilot's tests first (they stay among the non-transactional ones, which pytest-django
    has put first): the worker that makes the pilot starts on it at once."""
    items.sort(key=lambda item: not item.nodeid.startswith(PILOT))


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """A second alias, 'replica', mirroring the test database as a streaming replica would
    mirror the primary; unused (TONGXIN_REPLICA_ALIAS stays empty) except by the router's tests,
    which switch it on. With DATABASE_MIGRATE_URL (CI's PostgreSQL pass, docs/operations.md
    'Database roles'): the test runner connects as the owner, which may create the test database
    and empty its tables between tests, and the alias `app` connects to the same test database as
    the application's role, which the migration granted what production grants it (the replica
    is read as that role too)."""
    default = settings.DATABASES["default"]
    if "replica" not in settings.DATABASES:
        settings.DATABASES["replica"] = {
            **default,
            "TEST": {**default.get("TEST", {}), "MIRROR": "default"},
        }
    owner = settings.TONGXIN_DATABASE_OWNER
    if owner and "app" not in settings.DATABASES:
        settings.DATABASES["app"] = {
            **default,
            "TEST": {**default.get("TEST", {}), "MIRROR": "default"},
        }
        default.update(owner)
    connections.configure_settings(settings.DATABASES)


@pytest.fixture(autouse=True, scope="session")
def fast_password_hashing():
    """Real sign-ins, but hashed cheaply: the slow hasher protects stored passwords, not tests."""
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


APPEND_ONLY = importlib.import_module("mediation.migrations.0015_audit_keyed_chain")


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
    (rightly) refuse that (DELETE on SQLite, TRUNCATE on PostgreSQL), so they are lifted for
    that flush only, and put back right after it (pytest_runtest_teardown below)."""
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
    request.node.stash[TRIGGERS_LIFTED] = True


TRIGGERS_LIFTED = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """After every fixture of a transactional test is gone (the flush included), the trail's
    triggers are back for whatever runs next."""
    result = yield
    if nextitem is not None and item.stash.get(TRIGGERS_LIFTED, False):
        with item.config.stash[blocking_manager_key].unblock():
            set_audit_triggers(present=True)
            connection.close()
    return result


def fixed_ring(suite_name: str) -> crypto.KeyRing:
    """A fixed ring of a suite: master key `test-a`, audit key `audit-a`."""
    suite = crypto.SUITES[suite_name]
    return crypto.KeyRing(
        keys={"test-a": bytes(range(suite.cipher.key_bytes))},
        algorithms={"test-a": suite.cipher.name},
        active_id="test-a",
        blind_index_key=bytes(range(32, 64)),
        audit_keys={"audit-a": bytes(range(64, 96))},
        audit_algorithms={"audit-a": suite.mac},
        audit_active_id="audit-a",
    )


# TONGXIN_CRYPTO_SUITE=sm runs the whole suite on SM4-GCM and HMAC-SM3.
TEST_SUITE = os.environ.get("TONGXIN_CRYPTO_SUITE", "aes")
TEST_RING = fixed_ring(TEST_SUITE)


def ring_environment(ring: crypto.KeyRing) -> dict[str, str]:
    """The environment variables that load `ring` in a manage.py subprocess."""

    def keys(found, algorithms):
        return json.dumps(
            {
                k: {"algorithm": algorithms[k], "key": base64.b64encode(v).decode()}
                for k, v in found.items()
            }
        )

    return {
        "TONGXIN_KEYS": keys(ring.keys, ring.algorithms),
        "TONGXIN_ACTIVE_KEY": ring.active_id,
        "TONGXIN_BLIND_INDEX_KEY": base64.b64encode(ring.blind_index_key).decode(),
        "TONGXIN_AUDIT_KEYS": keys(ring.audit_keys, ring.audit_algorithms),
        "TONGXIN_ACTIVE_AUDIT_KEY": ring.audit_active_id,
    }


@pytest.fixture(autouse=True, scope="session")
def test_key_ring():
    """A fixed ring for the whole run: tests never depend on a developer's var/ files."""
    keyring.use(TEST_RING)
    yield TEST_RING
    keyring.use(None)


@pytest.fixture(autouse=True)
def site_language():
    """Every test starts in the site's language (Chinese): a request in another language
    leaves its language active in the worker's thread, which the next test would inherit."""
    with translation.override(settings.LANGUAGE_CODE):
        yield


@pytest.fixture(autouse=True)
def audit_checkpoints(tmp_path, settings):
    """Each test's audit checkpoints in a file of its own."""
    settings.TONGXIN_AUDIT_CHECKPOINT_FILE = tmp_path / "audit-checkpoints.log"
    return settings.TONGXIN_AUDIT_CHECKPOINT_FILE


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
