"""The parts that make a report an official document: the issuing authorities, the letterhead,
the document number (文号), the date in Chinese, section numbers, the archive page's address.
Reads settings (docs/reports.md lists them and their defaults); no query.
"""

import string
from dataclasses import dataclass
from datetime import date

from django.conf import settings

NUMBER_FIELDS = {"year", "number"}
CHINESE_DIGITS = "〇一二三四五六七八九"


@dataclass(frozen=True)
class Issuer:
    authorities: tuple[str, ...]  # the issuing authority first, then those issuing jointly
    letterhead: tuple[str, ...]  # the lines of the letterhead (发文机关标志)

    @property
    def names(self) -> str:
        return "、".join(self.authorities)


def issuer() -> Issuer:
    authorities = tuple(
        name for name in (settings.REPORT_AUTHORITY, *settings.REPORT_JOINT_AUTHORITIES) if name
    )
    letterhead = settings.REPORT_LETTERHEAD.strip()
    lines = tuple(line.strip() for line in letterhead.split("|")) if letterhead else authorities
    return Issuer(authorities, lines)


def pattern_problem(pattern: str) -> str:
    """Why a document-number pattern cannot be used ('' when it can)."""
    try:
        fields = {name for _text, name, _spec, _conv in string.Formatter().parse(pattern) if name}
    except ValueError as error:
        return str(error)
    if fields != NUMBER_FIELDS:
        return "it must contain {year} and {number} and no other field"
    return ""


def document_number(year: int, number: int, pattern: str | None = None) -> str:
    """盘民调〔2021〕8号 from the pattern in settings."""
    return (pattern or settings.REPORT_NUMBER_PATTERN).format(year=year, number=number)


def chinese_date(day: date) -> str:
    """The date of an official document (成文日期): 2021年9月1日, in Arabic numerals as
    GB/T 9704-2012 asks."""
    return f"{day.year}年{day.month}月{day.day}日"


def chinese_numeral(number: int) -> str:
    """一 … 九十九, for section headings (一、二、…)."""
    if not 0 < number < 100:
        raise ValueError("sections are numbered from 1 to 99")
    tens, units = divmod(number, 10)
    text = ""
    if tens:
        text = ("" if tens == 1 else CHINESE_DIGITS[tens]) + "十"
    if units:
        text += CHINESE_DIGITS[units]
    return text


def site_url() -> str:
    """The address the report gives for its archive page."""
    configured: str = settings.SITE_URL
    if configured:
        return configured.rstrip("/")
    hosts = [host for host in settings.ALLOWED_HOSTS if host and host != "*"]
    return f"https://{hosts[0].lstrip('.')}" if hosts else ""
