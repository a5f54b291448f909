"""System checks that refuse to run Tongxin in a state that would hurt the people in it."""

import shutil
import subprocess

from django.core import checks


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
