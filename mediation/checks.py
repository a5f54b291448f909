"""System checks that refuse to run Tongxin in a state that would hurt the people in it."""

import os
import shutil
import stat
import subprocess

from django.conf import settings
from django.core import checks
from django.db import connections

from . import database_roles, keyring


@checks.register(checks.Tags.compatibility)
def cjk_font_installed(app_configs, **kwargs):
    """Monthly reports are Chinese PDFs: without a CJK font they render as empty boxes."""
    if shutil.which("fc-list") is None:
        return [
            checks.Warning(
                "fontconfig (fc-list) is not installed; PDF reports cannot find a Chinese font.",
                hint="apt-get install fontconfig fonts-noto-cjk libharfbuzz-subset0",
                id="tongxin.W001",
            )
        ]
    found = subprocess.run(
        ["fc-list", ":lang=zh", "family"], capture_output=True, text=True, check=False
    ).stdout.strip()
    if not found:
        return [
            checks.Warning(
                "No Chinese (CJK) font is installed; monthly PDF reports would show no text.",
                hint="apt-get install fonts-noto-cjk libharfbuzz-subset0",
                id="tongxin.W002",
            )
        ]
    return []


@checks.register("tongxin_keys", deploy=False)
def key_ring_fit_for_use(app_configs, **kwargs):
    """Refuse to start on a missing, short, repeated or development ring in production, one
    without an audit key or whose audit key equals another key, or one whose active keys are
    not of the configured suite (SECURITY.md, 'Keys'). On a development machine the same
    findings are warnings."""
    level = checks.Warning if settings.DEBUG else checks.Error
    key_file = "" if os.environ.get("TONGXIN_KEYS") else key_file_path(settings)
    try:
        ring = keyring.load()
    except keyring.KeyRingError as error:
        return [
            level(
                f"The key ring cannot be used: {error}.",
                hint="Set TONGXIN_KEY_FILE (a file readable by the app user only) or "
                "TONGXIN_KEYS/TONGXIN_ACTIVE_KEY/TONGXIN_BLIND_INDEX_KEY; "
                "`manage.py keys generate` makes one.",
                id="tongxin.E101",
            )
        ]
    except (ValueError, OSError) as error:
        # Not JSON, or not readable: one line that names the source, not a traceback.
        source = key_file or "TONGXIN_KEYS"
        if isinstance(error, OSError):
            text = f"密钥文件 {source} 无法读取。 The key file {source} cannot be read ({error})."
        else:
            text = (
                f"密钥 {source} 不是有效的 JSON。 "
                f"The key ring in {source} is not valid JSON ({error})."
            )
        return [
            level(
                text,
                hint="Restore the key file from its backup, or write a new one with "
                "`manage.py keys generate --output PATH`.",
                id="tongxin.E104",
            )
        ]
    found = [
        level(
            f"The key ring is unfit: {problem}.",
            hint="`manage.py keys add --audit --file PATH` adds an audit key; "
            "`manage.py keys add --suite SUITE --file PATH` a master key of the suite.",
            id="tongxin.E102",
        )
        for problem in ring.validate(keyring.suite())
    ]
    if key_file:
        found.extend(key_file_private(key_file, level))
    if ring.development and not settings.DEBUG:
        found.append(
            checks.Error(
                "Production is running on the development key ring.",
                hint="Generate a production ring with `manage.py keys generate --output PATH`.",
                id="tongxin.E103",
            )
        )
    return found


@checks.register(checks.Tags.database)
def application_role_owns_nothing(app_configs, databases=None, **kwargs):
    """On PostgreSQL the application's role should own no table, or it could drop the audit
    trail's triggers (docs/operations.md, 'Database roles'). Run by `check --database default`
    (and by migrate, which connects as the owner named by DATABASE_MIGRATE_URL: not warned)."""
    found = []
    for alias in databases or []:
        connection = connections[alias]
        owner = settings.TONGXIN_DATABASE_OWNER.get("USER")
        if connection.vendor != "postgresql" or connection.settings_dict.get("USER") == owner:
            continue
        owned = database_roles.tables_owned_by_current_user(connection)
        if owned:
            found.append(
                checks.Warning(
                    f"The application's database role owns {owned} tables, so it could drop "
                    "the audit trail's triggers.",
                    hint="Connect as a role that owns nothing (DATABASE_URL) and migrate as the "
                    "owner (DATABASE_MIGRATE_URL); see docs/operations.md.",
                    id="tongxin.W103",
                )
            )
    return found


def key_file_path(settings) -> str:
    return os.environ.get("TONGXIN_KEY_FILE") or settings.TONGXIN_KEY_FILE or ""


def key_file_private(path: str, level) -> list:
    """The key file is readable by the app user only (SECURITY.md, 'Keys'): a mode that lets
    the group or anyone else read or write it is refused in production (a warning in DEBUG)."""
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        return []
    if mode & 0o077:
        return [
            level(
                f"密钥文件 {path} 的权限 {mode:04o} 允许其他用户访问，应为 0600。 "
                f"The key file {path} has mode {mode:04o}: the group or others can reach it.",
                hint=f"chmod 600 {path} (owned by the user Tongxin runs as).",
                id="tongxin.E105",
            )
        ]
    return []
