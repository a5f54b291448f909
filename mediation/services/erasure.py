"""Deleting personal data by crypto-shredding (PIPL art. 47; SECURITY.md, 'Retention and
deletion'), and the legal hold that stops it. May import models, access, audit and sealing.

Every sealed row has its own data key, wrapped by the key ring: shredding a row sets its wrapped
key and its sealed columns to NULL, so no key of the ring can ever open what it held, and the
blind-index entry goes with it. The rows statistics count stay, with their category fields
(office, month, MZ/T 084 category, result, outcome, sex, education); the party is shown as
"已删除当事人" from then on. The freed bytes are then scrubbed from the database files
(SQLite: secure_delete and a WAL checkpoint; PostgreSQL: VACUUM FULL of the tables touched, once
no older transaction can see the old versions), so the raw files hold no trace either
(docs/privacy.md).
"""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import audit, sealing
from ..access import Action, can
from ..models import (
    Attachment,
    Case,
    ConsentSignature,
    ContactPreference,
    CounselingSession,
    IdentityCorrection,
    LegalHold,
    NoteAddendum,
    NoteDraft,
    NoteRevision,
    Party,
    Referral,
    RegistryApplication,
    SafetyScreen,
    ScrubPending,
    SealedModel,
    SessionNote,
    SmsMessage,
    User,
)
from .errors import field_error

REASON_MAX = 200
# Why a party's data is deleted, as the trail records it: the person asked (PIPL art. 47),
# their consent was withdrawn, or the retention period ended.
ERASURE_REASONS = frozenset({"person_request", "consent_withdrawn", "retention"})

# Plain fields of a party that identify more than they count, and the keyed indexes that would
# still find them by ID number or name: cleared on deletion. Sex and education stay (the
# statistics' parties table counts them), as do the consent flags.
CLEARED_PARTY_FIELDS = {
    "occupation": "",
    "birth_year": None,
    "marital_status": "",
    "years_married": None,
    "id_index": "",
    "name_index": "",
}


def _clean_reason(reason: str, field: str = "reason") -> str:
    reason = " ".join((reason or "").split())
    if not reason:
        raise field_error(field, _("Give the reason."), "reason")
    if len(reason) > REASON_MAX:
        raise field_error(
            field,
            _("Keep the reason under %(count)s characters.") % {"count": REASON_MAX},
            "reason",
        )
    return reason


def hold_in_force(case: Case) -> LegalHold | None:
    return LegalHold.objects.filter(case=case, lifted_at__isnull=True).first()


def held_case_ids() -> "QuerySet[LegalHold, Any]":
    return LegalHold.objects.filter(lifted_at__isnull=True).values("case_id")


@transaction.atomic
def set_legal_hold(
    *, case: Case, reason: str, set_by: User, request: HttpRequest | None = None
) -> LegalHold:
    """A supervisor of the case's office puts the case under a legal hold, with a reason (a
    court's request, a complaint under way): purge and deletion requests skip it until it is
    lifted. Codes: not_supervisor, reason, already_held."""
    if not can(set_by, Action.MANAGE, case):
        raise ValidationError(
            _("Only a supervisor of this office can set a legal hold."), code="not_supervisor"
        )
    reason = _clean_reason(reason)
    case = Case.objects.select_for_update().get(pk=case.pk)
    if hold_in_force(case) is not None:
        raise ValidationError(_("This case is already under a legal hold."), code="already_held")
    hold = LegalHold.objects.create(case=case, reason=reason, set_by=set_by, set_at=timezone.now())
    audit.record(actor=set_by, action="case.hold.set", obj=case, request=request)
    return hold


@transaction.atomic
def lift_legal_hold(
    *, case: Case, reason: str, lifted_by: User, request: HttpRequest | None = None
) -> LegalHold:
    """A supervisor lifts the hold in force, with a reason; the hold is kept in the case's
    history. Codes: not_supervisor, reason, not_held."""
    if not can(lifted_by, Action.MANAGE, case):
        raise ValidationError(
            _("Only a supervisor of this office can lift a legal hold."), code="not_supervisor"
        )
    reason = _clean_reason(reason)
    case = Case.objects.select_for_update().get(pk=case.pk)
    hold = hold_in_force(case)
    if hold is None:
        raise ValidationError(_("This case is not under a legal hold."), code="not_held")
    hold.lifted_by, hold.lifted_at, hold.lift_reason = lifted_by, timezone.now(), reason
    hold.save(update_fields=["lifted_by", "lifted_at", "lift_reason"])
    audit.record(actor=lifted_by, action="case.hold.lift", obj=case, request=request)
    return hold


def shred(rows: QuerySet[Any]) -> int:
    """Destroy the data keys of these sealed rows and clear their sealed columns (the rows
    stay). Returns how many rows held a key. Tables touched are scrubbed after the commit."""
    model: type[SealedModel] = rows.model
    count = rows.filter(wrapped_key__isnull=False).update(
        key_id="",
        wrapped_key=None,
        **dict.fromkeys(sealing.sealed_columns(model)),
    )
    if count:
        _scrub_after_commit(model)
    return count


def party_rows(parties: Iterable[Party]) -> dict[str, QuerySet[Any]]:
    """Every sealed row that is about these parties alone, by record class: their identity and
    corrections, screening answers, signatures, attachments and referral reasons filed for them,
    and the notes of their individual sessions. Joint sessions' notes are about both spouses:
    they stay (the deleted party is not named again on screen)."""
    ids = [party.pk for party in parties]
    individual = CounselingSession.objects.filter(
        party_id__in=ids, kind=CounselingSession.Kind.INDIVIDUAL
    )
    notes = SessionNote.objects.filter(session__in=individual)
    return {
        "identity": Party.objects.filter(pk__in=ids),
        "contact": ContactPreference.objects.filter(party_id__in=ids),
        "corrections": IdentityCorrection.objects.filter(party_id__in=ids),
        "referrals": Referral.objects.filter(party_id__in=ids),
        "screening": SafetyScreen.objects.filter(party_id__in=ids),
        "signatures": ConsentSignature.objects.filter(party_id__in=ids),
        "attachments": Attachment.objects.filter(party_id__in=ids),
        "notes": notes,
        "note_revisions": NoteRevision.objects.filter(note__in=notes),
        "note_addenda": NoteAddendum.objects.filter(note__in=notes),
        "note_drafts": NoteDraft.objects.filter(session__in=individual),
    }


def _clear_registry_numbers(parties: list[Party]) -> None:
    """The registry's copy of the parties' ID numbers: the application row seals both spouses'
    numbers under one data key, so the deleted party's number and blind index are cleared (and
    scrubbed from the files like a shredded row) while the other spouse's stay."""
    for party in parties:
        if not party.id_index:
            continue
        for slot in (1, 2):
            cleared = RegistryApplication.objects.filter(
                case_id=party.case_id, **{f"index_{slot}": party.id_index}
            ).update(**{f"index_{slot}": "", f"id_number_{slot}_sealed": None})
            if cleared:
                _scrub_after_commit(RegistryApplication)


def erase_parties(parties: Iterable[Party], *, now: datetime | None = None) -> dict[str, int]:
    """Crypto-shred everything about these parties alone (no checks, no event: the callers
    check and record). Returns the rows shredded per record class."""
    parties = list(parties)
    _clear_registry_numbers(parties)
    shredded = {name: shred(rows) for name, rows in party_rows(parties).items()}
    # A text message's record keeps its status for the statistics, not the number it went to.
    SmsMessage.objects.filter(party__in=parties).update(phone_index="", params={})
    SmsMessage.objects.filter(party__in=parties, status=SmsMessage.Status.SCHEDULED).update(
        status=SmsMessage.Status.CANCELLED, reason="erased"
    )
    Party.objects.filter(pk__in=[p.pk for p in parties]).update(
        erased_at=now or timezone.now(), erasure_due_on=None, **CLEARED_PARTY_FIELDS
    )
    return {name: count for name, count in shredded.items() if count}


@transaction.atomic
def erase_party(
    *, party: Party, erased_by: User | None, reason: str, request: HttpRequest | None = None
) -> dict[str, int]:
    """Delete one party's personal data by crypto-shredding (PIPL art. 47). Refused while the
    case is under a legal hold (code legal_hold) or when it is already done (already_erased).
    `reason` is one of ERASURE_REASONS (never free text, which could name the person). One
    `party.erase` event with who and why and the rows shredded per record class."""
    if reason not in ERASURE_REASONS:
        raise ValueError("not an erasure reason")
    party = Party.objects.select_for_update().select_related("case").get(pk=party.pk)
    if party.is_erased:
        raise ValidationError(
            _("This party's personal data is already deleted."), code="already_erased"
        )
    if hold_in_force(party.case) is not None:
        raise ValidationError(
            _("The case is under a legal hold: nothing of it may be deleted until it is lifted."),
            code="legal_hold",
        )
    shredded = erase_parties([party])
    audit.record(
        actor=erased_by,
        action="party.erase",
        obj=party,
        request=request,
        details={"reason": reason, "shredded": shredded},
    )
    return shredded


def erasures_due(today: date) -> QuerySet[Party]:
    """Parties whose withdrawn counselling consent scheduled the deletion of their data on or
    before `today`, not under a legal hold."""
    return (
        Party.objects.filter(erasure_due_on__lte=today, erased_at__isnull=True)
        .exclude(case_id__in=held_case_ids())
        .select_related("case")
    )


def not_held(cases: QuerySet[Case]) -> QuerySet[Case]:
    return cases.exclude(Q(pk__in=held_case_ids()))


# Scrubbing the freed bytes out of the database files once the shredding has committed.


def _current_xid() -> int | None:
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT txid_current()")
        return int(cursor.fetchone()[0])


def _scrub_after_commit(model: type[SealedModel]) -> None:
    """Note the table as holding freed row versions (in the shredding's transaction, so the
    note is never lost), and scrub once the transaction has committed."""
    ScrubPending.objects.update_or_create(
        table=model._meta.db_table,
        defaults={"xid": _current_xid(), "since": timezone.now()},
    )
    if not getattr(connection, "_tongxin_scrub_queued", False):
        setattr(connection, "_tongxin_scrub_queued", True)  # noqa: B010  (not a field of the class)
        transaction.on_commit(_scrub_now)


def _scrub_now() -> None:
    setattr(connection, "_tongxin_scrub_queued", False)  # noqa: B010  (not a field of the class)
    if not _deferred.get():
        scrub_pending()


_deferred: ContextVar[bool] = ContextVar("tongxin_scrub_deferred", default=False)


@contextmanager
def scrubbed_at_the_end() -> Iterator[None]:
    """For a run of many transactions (the purge): scrub once at the end, not per commit."""
    token = _deferred.set(True)
    try:
        yield
    finally:
        _deferred.reset(token)
    scrub_pending()


def _horizon_passed(xid: int | None) -> bool:
    """Whether no other session of this database can still see row versions deleted by
    transaction `xid` (PostgreSQL keeps them while an older snapshot exists)."""
    if xid is None:
        return True
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT NOT EXISTS (SELECT 1 FROM pg_stat_activity WHERE pid <> pg_backend_pid() "
            "AND datname = current_database() "
            "AND (age(backend_xmin) >= age((%s::bigint %% 4294967296)::text::xid) "
            "OR age(backend_xid) >= age((%s::bigint %% 4294967296)::text::xid)))",
            [xid, xid],
        )
        return bool(cursor.fetchone()[0])


@contextmanager
def owner_cursor() -> Iterator[Any]:
    """A cursor of the tables' owner: only the owner may VACUUM a table, and on PostgreSQL the
    application's role owns nothing (docs/operations.md, 'Database roles'), so the owner's
    credentials of DATABASE_MIGRATE_URL are used when they are set."""
    owner = settings.TONGXIN_DATABASE_OWNER
    if not owner or owner.get("USER") == connection.settings_dict.get("USER"):
        with connection.cursor() as cursor:
            yield cursor
        return
    wrapper = type(connection)({**connection.settings_dict, **owner}, "tongxin_owner")
    try:
        with wrapper.cursor() as cursor:
            yield cursor
    finally:
        wrapper.close()


def scrub_pending() -> list[str]:
    """Leave no freed row version in the database files; returns the tables still waiting.

    SQLite overwrites freed cells with zeros as it goes (secure_delete, on for every
    connection: config/settings.py); checkpointing and truncating the write-ahead log removes
    the old page images. PostgreSQL keeps a row's old version until no snapshot can see it and
    VACUUM has run: VACUUM prunes them and VACUUM FULL rewrites the table (its TOAST and
    indexes too) without their bytes. A table stays pending while an older transaction of this
    database is still open; the nightly purge tries again (docs/privacy.md)."""
    if connection.in_atomic_block:
        return [pending.table for pending in ScrubPending.objects.all()]
    pending = list(ScrubPending.objects.order_by("table"))
    if not pending:
        return []
    done = []
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            busy = cursor.fetchone()[0]
            done = [] if busy else pending
        elif connection.vendor == "postgresql":
            passed = {row.pk: _horizon_passed(row.xid) for row in pending}
            with owner_cursor() as owner:
                for row in pending:
                    # VACUUM prunes the dead versions (its horizon ignores other databases'
                    # open transactions, VACUUM FULL's own snapshot does not); VACUUM FULL
                    # then rewrites the table without their bytes, which pruning leaves.
                    owner.execute(f"VACUUM {connection.ops.quote_name(row.table)}")
                    owner.execute(f"VACUUM FULL {connection.ops.quote_name(row.table)}")
            done = [row for row in pending if passed[row.pk]]
    ScrubPending.objects.filter(pk__in=[row.pk for row in done]).delete()
    return [row.table for row in pending if row not in done]
