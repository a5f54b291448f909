"""The approved SMS templates (Chinese SMS rules: only templates approved by the provider, sent
under the registered signature). Pure: a template and its parameters in, the text out.

A text never carries a case detail, the other spouse's name or the word 离婚: the templates are
fixed, and a parameter may hold only a date, a time or the office's name, each checked against
its own pattern before anything is rendered.
"""

import re
from dataclasses import dataclass

FORBIDDEN_WORDS = ("离婚",)

PARAMETER_PATTERNS = {
    "date": re.compile(r"\d{1,2}月\d{1,2}日"),
    "time": re.compile(r"(上午|下午)?\d{1,2}:\d{2}"),
    "place": re.compile(r"[\u4e00-\u9fff]{2,20}"),
}


class TemplateError(ValueError):
    """The message would break a rule; `code` says which (template, parameter, forbidden)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class SmsTemplate:
    code: str
    text: str  # with ${name} placeholders, as the providers write them
    parameters: tuple[str, ...]


SESSION_REMINDER = SmsTemplate(
    code="session_reminder",
    text="您好，您预约的面谈时间为${date}${time}，地点${place}。如需改期请联系工作人员。回复TD退订",
    parameters=("date", "time", "place"),
)
FOLLOW_UP_REMINDER = SmsTemplate(
    code="follow_up_reminder",
    text="您好，工作人员将于今日与您电话联系，回访近期情况，感谢您的支持。回复TD退订",
    parameters=(),
)
TEMPLATES = {template.code: template for template in (SESSION_REMINDER, FOLLOW_UP_REMINDER)}


def check_text(text: str, *, also_forbidden: tuple[str, ...] = ()) -> None:
    """Refuse a text that holds a forbidden word or any of `also_forbidden` (the other spouse's
    name, when it is known)."""
    for word in FORBIDDEN_WORDS + tuple(word for word in also_forbidden if word):
        if word in text:
            raise TemplateError("forbidden")


def render(
    template_code: str,
    params: dict[str, str],
    *,
    signature: str,
    also_forbidden: tuple[str, ...] = (),
) -> str:
    """The full text a party receives: 【signature】 then the template filled in. Raises
    TemplateError for an unknown template, a missing, extra or malformed parameter, or a
    forbidden word anywhere in the result (the signature included)."""
    template = TEMPLATES.get(template_code)
    if template is None:
        raise TemplateError("template")
    if set(params) != set(template.parameters):
        raise TemplateError("parameter")
    text = template.text
    for name in template.parameters:
        value = params[name]
        if not PARAMETER_PATTERNS[name].fullmatch(value):
            raise TemplateError("parameter")
        text = text.replace("${" + name + "}", value)
    full = f"【{signature}】{text}"
    check_text(full, also_forbidden=also_forbidden)
    return full
