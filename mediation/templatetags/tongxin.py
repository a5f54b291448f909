"""Template filters for how the interface writes days: `{% load tongxin %}` then
`{{ day|long_date }}` (2026年12月3日（周四）), `{{ day|short_date }}` (12月3日（周四）),
`{{ duty.half_day|half_day }}` (上午/下午), `{{ month|month_label }}` (2026年12月)."""

from django import template

from .. import formats

register = template.Library()

register.filter("long_date", formats.long_date)
register.filter("short_date", formats.short_date)
register.filter("half_day", formats.half_day)
register.filter("month_label", formats.month_label)


@register.filter
def weekday(value):
    return formats.weekday(value) if value else ""
