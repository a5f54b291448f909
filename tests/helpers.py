"""Small helpers shared by tests."""

import re

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
NEXT = re.compile(r'name="next" value="[^"]*"')


def comparable_page(html: str) -> str:
    """A page with what legitimately differs between two requests (tokens, own path) removed."""
    return NEXT.sub("", TOKEN.sub("", html))
