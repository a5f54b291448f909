"""Small helpers shared by tests."""

import re

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
NEXT = re.compile(r'name="next" value="[^"]*"')


def comparable_page(html: str) -> str:
    """A page with what legitimately differs between two requests (tokens, own path) removed."""
    return NEXT.sub("", TOKEN.sub("", html))


def error_codes(error) -> set[str]:
    """Every code inside a ValidationError, whether it is a message, a list or per field."""
    if hasattr(error, "error_dict"):
        return {e.code for errors in error.error_dict.values() for e in errors}
    return {e.code for e in error.error_list}
