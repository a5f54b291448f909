"""Session notes in the sections of the MZ/T 084 record form: the note, its earlier revisions,
its autosaved draft and its addenda, all sealed. Imports the case models."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .cases import CounselingSession
from .sealed import SealedModel, sealed_field

# The sections of a note, in the order of the MZ/T 084 record form; `body` (辅导内容与过程) and
# `assessment` (评估) are the two columns notes had before, so their sealed values stay put.
NOTE_SECTIONS = ("problem", "approach", "body", "statement", "assessment", "plan")
NOTE_SECTION_LABELS = {
    "problem": _("Main problems"),
    "approach": _("Counselling approach"),
    "body": _("Content and course of the counselling"),
    "statement": _("What the parties said they want"),
    "assessment": _("Assessment"),
    "plan": _("Next steps"),
}
# A section or an addendum longer than this is refused with the count (the form keeps the text).
NOTE_MAX_CHARS = 20_000


class SessionNote(SealedModel):
    """One counsellor's record of one session, in the sections of the MZ/T 084 record form:
    主要问题, 辅导方式, 辅导内容与过程, 当事人表示, 评估, 后续计划 — each sealed under the
    note's one data key. Signed notes are locked; later words are addenda."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        SIGNED = "signed", _("signed")

    SEALED_FIELDS = NOTE_SECTIONS

    session = models.ForeignKey(CounselingSession, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    problem_sealed = sealed_field()
    approach_sealed = sealed_field()
    body_sealed = sealed_field()
    statement_sealed = sealed_field()
    assessment_sealed = sealed_field()
    plan_sealed = sealed_field()
    version = models.PositiveIntegerField(default=1)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.DRAFT)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    signed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("session note")
        verbose_name_plural = _("session notes")
        constraints = [
            models.UniqueConstraint(fields=["session", "author"], name="note_one_per_author")
        ]
        # An author's unsigned notes (the today page).
        indexes = [
            models.Index(
                fields=["author"], condition=models.Q(status="draft"), name="note_draft_author_idx"
            )
        ]

    def __str__(self) -> str:
        return f"note {self.uuid}"


class NoteRevision(SealedModel):
    """The text of a draft note before a save replaced it."""

    SEALED_FIELDS = NOTE_SECTIONS

    note = models.ForeignKey(SessionNote, on_delete=models.CASCADE, related_name="revisions")
    version = models.PositiveIntegerField()
    problem_sealed = sealed_field()
    approach_sealed = sealed_field()
    body_sealed = sealed_field()
    statement_sealed = sealed_field()
    assessment_sealed = sealed_field()
    plan_sealed = sealed_field()
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    saved_at = models.DateTimeField()

    class Meta:
        ordering = ["version"]
        constraints = [
            models.UniqueConstraint(fields=["note", "version"], name="revision_unique_version")
        ]

    def __str__(self) -> str:
        return f"revision {self.version} of {self.note}"


class NoteDraft(SealedModel):
    """What a counsellor is typing, saved every 30 seconds and on leaving a field, sealed like
    the note, so that an idle sign-out (30 minutes on shared tablets) loses nothing. One per
    session and author; gone once the note is saved. `base_version` is the note's version the
    form was opened on, so a restored draft still meets the stale-save guard."""

    SEALED_FIELDS = NOTE_SECTIONS

    session = models.ForeignKey(CounselingSession, on_delete=models.CASCADE, related_name="drafts")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    problem_sealed = sealed_field()
    approach_sealed = sealed_field()
    body_sealed = sealed_field()
    statement_sealed = sealed_field()
    assessment_sealed = sealed_field()
    plan_sealed = sealed_field()
    base_version = models.PositiveIntegerField(default=0)
    saved_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "author"], name="draft_one_per_author")
        ]

    def __str__(self) -> str:
        return f"draft {self.uuid}"


class NoteAddendum(SealedModel):
    SEALED_FIELDS = ("body",)

    note = models.ForeignKey(SessionNote, on_delete=models.CASCADE, related_name="addenda")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body_sealed = sealed_field()
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "pk"]
