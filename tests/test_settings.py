"""Production settings fail closed and pass Django's deployment checklist."""

import secrets
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from config.settings import parse_admins
from mediation import crypto


def run_manage(*args: str, env: dict[str, str], cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=cwd or settings.BASE_DIR,
        env={"PATH": "/usr/bin:/bin", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def write_ring(path, *, development=False, suite="aes", ring=None) -> str:
    ring = ring or crypto.new_ring(
        crypto.SUITES[suite], key_id="prod-1", audit_id="audit-1", development=development
    )
    path.write_text(ring.to_json())
    path.chmod(0o600)
    return str(path)


def production_env(tmp_path) -> dict[str, str]:
    """What README's production section tells an operator to set."""
    return {
        "TONGXIN_KEY_FILE": write_ring(tmp_path / "keys.json"),
        "TONGXIN_ENV_FILE": str(tmp_path / "no.env"),
        "TONGXIN_VAR_DIR": str(tmp_path),
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "tongxin.example.cn",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }


def test_check_deploy_is_clean_with_production_variables(tmp_path):
    result = run_manage(
        "check", "--deploy", "--fail-level", "WARNING", env=production_env(tmp_path)
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARNINGS" not in result.stdout + result.stderr


def test_refuses_to_start_without_a_secret_key(tmp_path):
    env = production_env(tmp_path)
    del env["DJANGO_SECRET_KEY"]

    result = run_manage("check", env=env)

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


def test_refuses_to_start_without_a_key_ring(tmp_path):
    env = production_env(tmp_path)
    env["TONGXIN_KEY_FILE"] = str(tmp_path / "missing.json")

    result = run_manage("check", env=env)

    assert result.returncode != 0
    assert "tongxin.E101" in result.stderr


def test_refuses_the_development_ring_in_production(tmp_path):
    env = production_env(tmp_path)
    env["TONGXIN_KEY_FILE"] = write_ring(tmp_path / "dev.json", development=True)

    result = run_manage("check", env=env)

    assert result.returncode != 0
    assert "tongxin.E103" in result.stderr


def test_gunicorn_entry_point_refuses_an_unfit_ring(tmp_path):
    env = production_env(tmp_path)
    env["TONGXIN_KEY_FILE"] = write_ring(tmp_path / "dev.json", development=True)

    result = subprocess.run(
        [sys.executable, "-c", "import config.wsgi"],
        cwd=settings.BASE_DIR,
        env={"PATH": "/usr/bin:/bin", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode != 0
    assert "development key ring" in result.stderr


def production_ring():
    return crypto.new_ring(crypto.SUITES["aes"], key_id="prod-1", audit_id="audit-1")


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"audit_keys": {}, "audit_active_id": ""}, "holds no audit key"),
        ("blind", "equals the blind-index key"),
        ("master", "equals a master key"),
    ],
    ids=["no audit key", "audit key is the blind-index key", "audit key is a master key"],
)
def test_production_refuses_a_ring_whose_audit_key_is_missing_or_another_key(
    tmp_path, change, problem
):
    ring = production_ring()
    if change == "blind":
        change = {"audit_keys": {"audit-1": ring.blind_index_key}}
    elif change == "master":
        change = {"audit_keys": {"audit-1": ring.keys["prod-1"]}}
    env = production_env(tmp_path)
    env["TONGXIN_KEY_FILE"] = write_ring(tmp_path / "keys.json", ring=replace(ring, **change))

    result = run_manage("check", env=env)

    assert result.returncode != 0
    assert "tongxin.E102" in result.stderr
    assert problem in result.stderr


def test_refuses_a_key_file_the_group_or_others_can_read(tmp_path):
    env = production_env(tmp_path)
    Path(env["TONGXIN_KEY_FILE"]).chmod(0o640)

    result = run_manage("check", env=env)

    assert result.returncode != 0
    assert "tongxin.E105" in result.stderr
    assert "0640" in result.stderr


def test_a_malformed_key_file_gets_one_line_naming_the_file(tmp_path):
    env = production_env(tmp_path)
    Path(env["TONGXIN_KEY_FILE"]).write_text('{"active": "prod-1", "keys": {')

    result = run_manage("check", env=env)

    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert "JSONDecodeError" not in result.stderr
    line = next(line for line in result.stderr.splitlines() if "tongxin.E104" in line)
    assert env["TONGXIN_KEY_FILE"] in line
    assert "不是有效的 JSON" in line
    assert "not valid JSON" in line


def test_admins_for_error_mail_come_from_the_environment():
    assert parse_admins("Wang Min <wm@example.cn>, ops@example.cn") == [
        '"Wang Min" <wm@example.cn>',
        "ops@example.cn",
    ]
    assert parse_admins("") == []
    with pytest.raises(ImproperlyConfigured):
        parse_admins("Wang Min, ops@example.cn")


def test_production_reads_django_admins(tmp_path):
    env = production_env(tmp_path) | {"DJANGO_ADMINS": "王敏 <wm@example.cn>, ops@example.cn"}

    result = run_manage(
        "shell", "-c", "from django.conf import settings; print(settings.ADMINS)", env=env
    )

    assert result.returncode == 0, result.stderr
    assert '"王敏" <wm@example.cn>' in result.stdout
    assert "ops@example.cn" in result.stdout


def test_the_sm_suite_refuses_an_aes_ring_and_accepts_an_sm_one(tmp_path):
    env = {**production_env(tmp_path), "TONGXIN_CRYPTO_SUITE": "sm"}

    refused = run_manage("check", env=env)
    env["TONGXIN_KEY_FILE"] = write_ring(tmp_path / "sm.json", suite="sm")
    accepted = run_manage("check", "--deploy", "--fail-level", "WARNING", env=env)

    assert refused.returncode != 0
    assert "the suite is 'sm'" in refused.stderr
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr


def test_an_unknown_suite_is_refused(tmp_path):
    result = run_manage("check", env={**production_env(tmp_path), "TONGXIN_CRYPTO_SUITE": "des"})

    assert result.returncode != 0
    assert "TONGXIN_CRYPTO_SUITE" in result.stderr
