"""The session note in the sections of the MZ/T 084 record form, and addenda. Long text is
refused with its count but never cut: no `maxlength` reaches the browser, which would truncate
a paste without a word; the page counts instead. May import the forms package's base."""

from typing import TYPE_CHECKING

from django import forms
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from ..models.notes import NOTE_MAX_CHARS, NOTE_SECTION_LABELS, NOTE_SECTIONS
from . import TongxinForm

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

TOO_LONG = _(
    "At most %(limit_value)s characters here; this has %(show_value)s. Shorten it, or write the "
    "rest as an addendum after signing."
)


def section(
    label, *, rows: int, required: bool = False, help_text: "StrOrPromise" = ""
) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        strip=False,
        help_text=help_text,
        validators=[MaxLengthValidator(NOTE_MAX_CHARS, message=TOO_LONG)],
        widget=forms.Textarea(attrs={"rows": rows, "data-max-chars": NOTE_MAX_CHARS}),
    )


class NoteForm(TongxinForm):
    """The note's six sections (主要问题, 辅导方式, 辅导内容与过程, 当事人表示, 评估, 后续计划)."""

    problem = section(NOTE_SECTION_LABELS["problem"], rows=3)
    approach = section(NOTE_SECTION_LABELS["approach"], rows=2)
    body = section(
        NOTE_SECTION_LABELS["body"],
        rows=10,
        required=True,
        help_text=_("The interview notes (询问笔录)."),
    )
    statement = section(NOTE_SECTION_LABELS["statement"], rows=3)
    assessment = section(NOTE_SECTION_LABELS["assessment"], rows=4)
    plan = section(NOTE_SECTION_LABELS["plan"], rows=3)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class AddendumForm(TongxinForm):
    body = section(_("Addendum"), rows=4, required=True)


def note_section_labels() -> list[tuple[str, str]]:
    """(section, label) in the record form's order, for showing a note."""
    return [(name, str(NoteForm.base_fields[name].label)) for name in NOTE_SECTIONS]
