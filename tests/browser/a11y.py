"""Accessibility checks in the browser: axe-core (npm, pinned in package.json, installed by `make
assets` into node_modules, never loaded from a CDN) injected into the page Playwright shows.

`check_axe(page)` fails on any violation of impact serious or critical, listing each rule with the
elements it found and what axe says is wrong with them. A context that checks many pages gets
axe once with `with_axe(context)` (Chromium then puts it in every page it opens: a page's check
took 140 ms instead of 330 ms with the script sent to each page); on any other page, a journey's
for instance, it is evaluated there by the browser's debugging protocol, which the site's CSP
does not govern (an inline <script> it rightly refuses).
"""

from django.conf import settings

AXE = settings.BASE_DIR / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = ("serious", "critical")
# Elements shown per rule: enough to find the template; a last line counts the others.
NODES_SHOWN = 5


def with_axe(context) -> None:
    """Every page the browser context opens from now on has axe-core loaded."""
    context.add_init_script(path=str(AXE))


def axe_violations(page) -> list[str]:
    """The serious and critical violations axe finds on the page, one readable line each."""
    assert AXE.exists(), f"{AXE} is missing: `make assets` (npm ci) installs axe-core"
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8") + "\n;undefined")
    results = page.evaluate(
        "async () => await window.axe.run(document, {resultTypes: ['violations']})"
    )
    lines = []
    for violation in results["violations"]:
        if violation["impact"] not in BLOCKING:
            continue
        nodes = violation["nodes"]
        for node in nodes[:NODES_SHOWN]:
            target = " ".join(str(part) for part in node["target"])
            why = (node.get("failureSummary") or "").splitlines()
            lines.append(
                f"[{violation['impact']}] {violation['id']} ({violation['help']}): {target}: "
                f"{why[-1].strip() if why else ''}"
            )
        if len(nodes) > NODES_SHOWN:
            lines.append(
                f"[{violation['impact']}] {violation['id']}: "
                f"and {len(nodes) - NODES_SHOWN} more elements"
            )
    return lines


def check_axe(page) -> None:
    """Fail, with a readable list, when axe finds a serious or critical violation on the page."""
    lines = axe_violations(page)
    assert not lines, f"axe-core on {page.url}:\n" + "\n".join(lines)
