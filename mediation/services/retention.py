"""Retention (PIPL arts. 19 and 47): each record class is kept for its period after the case is
closed (settings.TONGXIN_RETENTION_DAYS), then crypto-shredded by `manage.py purge`; deletions
scheduled by a withdrawn consent are carried out when due. Held cases are skipped. The rows
statistics count keep their plain fields, so the figures are the same after a purge. May import
models, audit and erasure."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import audit
from ..models import (
    Attachment,
    Case,
    ConsentSignature,
    ContactPreference,
    IdentityCorrection,
    NoteAddendum,
    NoteDraft,
    NoteRevision,
    Party,
    Referral,
    RegistryApplication,
    SafetyScreen,
    SessionNote,
    SmsMessage,
)
from .erasure import (
    CLEARED_PARTY_FIELDS,
    erase_parties,
    erasures_due,
    held_case_ids,
    scrubbed_at_the_end,
    shred,
)

# The record classes, in the order they are shown and purged, with what each holds.
RECORD_CLASSES = {
    "identity": _(
        "Identity and contact: names, ID numbers, phones, addresses, corrections, referral reasons"
    ),
    "screening": _("Domestic-violence screening answers"),
    "notes": _("Session notes, their revisions, drafts and addenda"),
    "attachments": _("Attached scans"),
    "signatures": _("Finger signatures on the consent"),
    "audit": _("Audit events (archived offline, never deleted by the purge)"),
}
PURGED_CLASSES = ("identity", "screening", "notes", "attachments", "signatures")


def retention_days() -> dict[str, int]:
    return {name: settings.TONGXIN_RETENTION_DAYS[name] for name in RECORD_CLASSES}


def class_rows(case: Case, record_class: str) -> list[QuerySet[Any]]:
    """The sealed rows of one record class of a case."""
    notes = SessionNote.objects.filter(session__case=case)
    rows: dict[str, list[QuerySet[Any]]] = {
        "identity": [
            Party.objects.filter(case=case),
            ContactPreference.objects.filter(party__case=case),
            IdentityCorrection.objects.filter(party__case=case),
            Referral.objects.filter(case=case),
            RegistryApplication.objects.filter(case=case),
        ],
        "screening": [SafetyScreen.objects.filter(party__case=case)],
        "notes": [
            notes,
            NoteRevision.objects.filter(note__in=notes),
            NoteAddendum.objects.filter(note__in=notes),
            NoteDraft.objects.filter(session__case=case),
        ],
        "attachments": [Attachment.objects.filter(case=case)],
        "signatures": [ConsentSignature.objects.filter(party__case=case)],
    }
    return rows[record_class]


@dataclass
class PurgePlan:
    """What a purge does (or, dry, would do): per case the record classes past their period,
    and the parties whose withdrawn consent's deletion is due."""

    cases: list[tuple[Case, list[str]]] = field(default_factory=list)
    erasures: list[Party] = field(default_factory=list)
    held: int = 0


def plan_purge(now: datetime | None = None) -> PurgePlan:
    """The closed cases with record classes past their retention period (held cases aside)."""
    now = now or timezone.now()
    days = retention_days()
    plan = PurgePlan()
    closed = Case.objects.filter(status=Case.Status.CLOSED, closed_at__isnull=False)
    oldest = now - timedelta(days=min(days[name] for name in PURGED_CLASSES))
    due = closed.filter(closed_at__lt=oldest).select_related("office").order_by("closed_at", "pk")
    plan.held = due.filter(pk__in=held_case_ids()).count()
    for case in due.exclude(pk__in=held_case_ids()).iterator(chunk_size=500):
        classes = [
            name
            for name in PURGED_CLASSES
            if name not in case.purged
            and case.closed_at is not None
            and case.closed_at < now - timedelta(days=days[name])
        ]
        if classes:
            plan.cases.append((case, classes))
    plan.erasures = list(erasures_due(timezone.localdate(now)))
    return plan


@transaction.atomic
def purge_case(*, case: Case, classes: list[str], now: datetime | None = None) -> dict[str, int]:
    """Crypto-shred the record classes of one case whose period has passed; one `case.purge`
    event. Parties whose identity goes are shown as 已删除当事人 from then on."""
    now = now or timezone.now()
    case = Case.objects.select_for_update().get(pk=case.pk)
    shredded: dict[str, int] = {}
    for name in classes:
        shredded[name] = sum(shred(rows) for rows in class_rows(case, name))
    if "identity" in classes:
        case.parties.filter(erased_at__isnull=True).update(
            erased_at=now, erasure_due_on=None, **CLEARED_PARTY_FIELDS
        )
        RegistryApplication.objects.filter(case=case).update(index_1="", index_2="")
        SmsMessage.objects.filter(case=case).update(phone_index="", params={})
    case.purged = sorted({*case.purged, *classes})
    case.save(update_fields=["purged"])
    audit.record(
        actor=None,
        action="case.purge",
        obj=case,
        details={"classes": classes, "shredded": {k: v for k, v in shredded.items() if v}},
    )
    return shredded


@transaction.atomic
def erase_due_party(*, party: Party, now: datetime | None = None) -> dict[str, int]:
    """The deletion a withdrawn counselling consent scheduled, now due: one `party.erase` event
    (reason consent_withdrawn) for the party's case."""
    party = Party.objects.select_for_update().get(pk=party.pk)
    shredded = erase_parties([party], now=now)
    audit.record(
        actor=None,
        action="party.erase",
        obj=party,
        details={"reason": "consent_withdrawn", "shredded": shredded},
    )
    return shredded


def purge(*, now: datetime | None = None) -> PurgePlan:
    """Carry out the plan, a transaction per case (a crash leaves finished cases finished and
    the next run takes up the rest)."""
    plan = plan_purge(now)
    with scrubbed_at_the_end():  # also retries tables left pending by earlier deletions
        for case, classes in plan.cases:
            purge_case(case=case, classes=classes, now=now)
        for party in plan.erasures:
            erase_due_party(party=party, now=now)
    return plan
