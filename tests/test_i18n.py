"""The interface is Chinese first: the zh_Hans catalogue is complete and up to date."""

import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.test import Client

PO_FILE = settings.BASE_DIR / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def parse_po(path: Path) -> list[dict[str, Any]]:
    """Entries of a .po file as dicts with msgid, msgstr (joined) and flags."""
    entries: list[dict[str, Any]] = []
    current: dict[str, Any] | None = None
    field: str | None = None
    for raw in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        line = raw.strip()
        if not line:
            if current:
                entries.append(current)
            current, field = None, None
            continue
        if current is None:
            current = {
                "msgid": "",
                "msgid_plural": "",
                "msgstr": [],
                "flags": "",
                "obsolete": False,
            }
        if line.startswith("#~"):
            current["obsolete"] = True
            continue
        if line.startswith("#,"):
            current["flags"] += line
            continue
        if line.startswith("#"):
            continue
        match = re.match(r'^(msgid_plural|msgid|msgstr(?:\[\d+\])?|msgctxt) "(.*)"$', line)
        if match:
            field = match.group(1)
            _add_text(current, field, match.group(2), continued=False)
            continue
        if line.startswith('"') and field:
            _add_text(current, field, line[1:-1], continued=True)
    return [entry for entry in entries if entry["msgid"] and not entry["obsolete"]]


def _add_text(entry: dict[str, Any], field: str, value: str, *, continued: bool) -> None:
    """A quoted string of a .po entry: a field's first line, or a continuation line."""
    if field.startswith("msgstr"):
        if continued:
            entry["msgstr"][-1] += value
        else:
            entry["msgstr"].append(value)
    elif field in ("msgid", "msgid_plural"):
        entry[field] = entry[field] + value if continued else value


def test_every_message_has_a_chinese_translation_and_none_is_fuzzy():
    entries = parse_po(PO_FILE)

    untranslated = [e["msgid"] for e in entries if not all(e["msgstr"])]
    fuzzy = [e["msgid"] for e in entries if "fuzzy" in e["flags"]]

    assert len(entries) > 50
    assert untranslated == []
    assert fuzzy == []


def test_the_catalogue_holds_every_string_in_the_code(tmp_path):
    """makemessages on a copy of the sources must find nothing the catalogue lacks."""
    base = settings.BASE_DIR
    copy = tmp_path / "src"
    ignore = shutil.ignore_patterns(".venv", "node_modules", "var", "vendor", "__pycache__", ".git")
    for name in (
        "config",
        "mediation",
        "counselors",
        "reports",
        "templates",
        "locale",
        "manage.py",
    ):
        source = base / name
        if source.is_dir():
            shutil.copytree(source, copy / name, ignore=ignore)
        else:
            shutil.copy(source, copy / name)
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "zh_Hans", "--no-location", "-v", "0"],
        cwd=copy,
        check=True,
        env={
            "DJANGO_DEBUG": "1",
            "PATH": "/usr/bin:/bin",
            "TONGXIN_VAR_DIR": str(tmp_path / "var"),
        },
    )

    fresh = {
        e["msgid"] for e in parse_po(copy / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po")
    }
    committed = {e["msgid"] for e in parse_po(PO_FILE)}

    assert sorted(fresh - committed) == []


def test_login_page_speaks_chinese_by_default(db):
    response = Client().get("/login/")

    assert "登录" in response.text
    assert 'lang="zh-CN"' in response.text


def test_english_is_one_click_away(db):
    client = Client()

    client.post("/i18n/setlang/", {"language": "en", "next": "/login/"})
    response = client.get("/login/")

    assert "Sign in" in response.text
