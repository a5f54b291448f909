"""ARCHITECTURE.md's arrows, enforced: a wrong import fails the suite."""

import ast
import re
from pathlib import Path

from django.conf import settings

APPS = ("mediation", "counselors", "reports")


def imports_of(app: str) -> list[tuple[Path, str]]:
    found: list[tuple[Path, str]] = []
    for path in (settings.BASE_DIR / app).rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                found.extend((path, alias.name) for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                if node.level:  # relative: inside the app itself
                    module = f"{app}.{node.module or ''}".rstrip(".")
                else:
                    module = node.module or ""
                found.append((path, module))
                found.extend((path, f"{module}.{alias.name}") for alias in node.names)
    return found


def offenders(app: str, forbidden: tuple[str, ...]) -> list[str]:
    return sorted(
        f"{path.relative_to(settings.BASE_DIR)} imports {module}"
        for path, module in imports_of(app)
        if any(module == bad or module.startswith(bad + ".") for bad in forbidden)
    )


def test_mediation_imports_no_other_app_of_ours():
    assert offenders("mediation", ("counselors", "reports")) == []


def test_counselors_never_import_reports():
    assert offenders("counselors", ("reports",)) == []


def test_reports_never_import_services_or_keys():
    forbidden = (
        "mediation.services",
        "mediation.api",  # the token door calls services; reports' router uses api_access only
        "counselors.services",
        "mediation.crypto",
        "mediation.keyring",
        "mediation.sealing",
    )
    assert offenders("reports", forbidden) == []


def is_view_module(path: Path, app: str) -> bool:
    """views.py, views_*.py, or any module of a views/ package."""
    relative = path.relative_to(settings.BASE_DIR / app)
    return relative.parts[0] == "views" or relative.name.startswith("views")


def view_modules(app: str) -> list[Path]:
    return [path for path in (settings.BASE_DIR / app).rglob("*.py") if is_view_module(path, app)]


def test_view_modules_are_found_in_every_app():
    assert all(view_modules(app) for app in APPS)


def test_views_reach_cases_only_through_the_door():
    offending = []
    for app in APPS:
        for path in view_modules(app):
            text = path.read_text(encoding="utf-8")
            for model in ("Case", "SessionNote", "Party", "SafetyScreen", "Referral"):
                # The door is Case.objects.visible_to(user) (or access.case_for); nothing else.
                uses = re.findall(rf"\b{model}\.objects\.(\w+)", text)
                offending.extend(
                    f"{path.relative_to(settings.BASE_DIR)}: {model}.objects.{use}"
                    for use in uses
                    if not (model == "Case" and use == "visible_to")
                )
    assert offending == []


def test_views_never_call_crypto_directly():
    offending = [
        f"{path.relative_to(settings.BASE_DIR)} imports {module}"
        for app in APPS
        for path, module in imports_of(app)
        if is_view_module(path, app) and module.startswith("mediation.crypto")
    ]
    assert offending == []
