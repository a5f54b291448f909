"""Template filters for how the interface writes days: `{% load tongxin %}` then
`{{ day|long_date }}` (2026年12月3日（周四）), `{{ day|short_date }}` (12月3日（周四）),
`{{ duty.half_day|half_day }}` (上午/下午), `{{ month|month_label }}` (2026年12月),
`{{ names|lookup:case.pk }}`."""

from collections.abc import Mapping
from typing import Any

from django import template
from django.utils.translation import gettext

from .. import formats
from ..roles import Role

register = template.Library()

register.filter("long_date", formats.long_date)
register.filter("long_moment", formats.long_moment)
register.filter("short_date", formats.short_date)
register.filter("half_day", formats.half_day)
register.filter("month_label", formats.month_label)


@register.filter
def lookup(mapping: Mapping[Any, Any], key: object) -> Any:
    """`{{ names|lookup:case.pk }}`: a value a view computed per row, from a dict keyed by the
    row (the rows stay the model's instances, with nothing set on them)."""
    return mapping.get(key, "")


@register.filter
def weekday(value):
    return formats.weekday(value) if value else ""


@register.filter
def detail_value(value):
    """A value of an audit event's details as a reader reads it: 是/否 for a flag, — for none."""
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    return "—" if value is None else value


@register.filter
def role_label(code: str) -> str:
    """The role's name (审计管理员) for its stored code (auditadmin); an unknown code as it is."""
    try:
        return Role(code).label
    except ValueError:
        return code


@register.simple_tag
def page_numbers(page):
    """The page numbers to link, with … for the runs left out (1 2 … 7 8 9 … 20 21)."""
    return list(page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1))
