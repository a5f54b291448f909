"""Reading the providers' pushed JSON (delivery reports and replies) into our plain values."""

import json
from datetime import datetime
from typing import Any

from django.utils import timezone


def items(body: bytes) -> list[dict[str, Any]]:
    """A provider pushes a JSON list, or a single object; anything else holds nothing."""
    try:
        data = json.loads(body or b"[]")
    except ValueError:
        return []
    if isinstance(data, dict):
        data = [data]
    return [item for item in data if isinstance(item, dict)] if isinstance(data, list) else []


def local_time(text: Any) -> datetime | None:
    """'2026-12-01 09:30:00' (Beijing time) or a Unix timestamp, as an aware datetime."""
    if isinstance(text, int | float):
        return datetime.fromtimestamp(text, tz=timezone.get_current_timezone())
    try:
        naive = datetime.strptime(str(text), "%Y-%m-%d %H:%M:%S")  # noqa: DTZ007 (Beijing time)
        return timezone.make_aware(naive)
    except ValueError:
        return None
