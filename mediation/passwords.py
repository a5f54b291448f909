"""A password validator for the words everyone here would try first (SECURITY.md)."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

LOCAL_WORDS = (
    "同心",
    "tongxin",
    "盘锦",
    "panjin",
    "兴隆台",
    "双台子",
    "大洼",
    "盘山",
    "婚姻登记",
    "xinglongtai",
    "shuangtaizi",
    "dawa",
    "panshan",
)


class LocalWordsValidator:
    def validate(self, password: str, user=None) -> None:
        lowered = password.lower()
        if any(word in lowered for word in LOCAL_WORDS):
            raise ValidationError(
                _("The password must not contain the system's, the city's or an office's name."),
                code="password_local_word",
            )

    def get_help_text(self) -> str:
        return _("Your password must not contain the system's, the city's or an office's name.")
