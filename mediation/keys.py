"""Key operations behind `manage.py keys`: rotate, reseal, rebuild the blind index, status.

Each works in batches, one transaction per batch, and writes a row only if it still holds what
was read (compare-and-set), so it is safe while the app is live and can be killed and run again.
Rotation also moves rows between the suites (AES-256-GCM and SM4-GCM, SECURITY.md 'National
cryptography') when the active key's cipher is not theirs, and blind indexes to the suite's MAC.
"""

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q

from . import audit, crypto, keyring, sealing
from .identity import InvalidIdNumber, normalise_id_number
from .models import Party, RegistryApplication, SealedModel
from .services.parties import id_index_of, name_index_of


@dataclass
class Progress:
    done: int = 0
    skipped: int = 0
    unavailable: Counter = field(default_factory=Counter)


def _batches(
    model: type[SealedModel],
    batch_size: int,
    where: dict | None = None,
    exclude: dict | None = None,
):
    """Rows in pk order, a batch at a time (a fresh query each time: rows change meanwhile).
    A model with large sealed values (scans) caps the batch with KEY_BATCH_SIZE."""
    batch_size = min(batch_size, getattr(model, "KEY_BATCH_SIZE", batch_size))
    last_pk = 0
    while True:
        query = model.objects.filter(pk__gt=last_pk, wrapped_key__isnull=False)
        if where:
            query = query.filter(**where)
        if exclude:
            query = query.exclude(**exclude)
        rows = list(query.order_by("pk")[:batch_size])
        if not rows:
            return
        yield rows
        last_pk = rows[-1].pk


def rotate(
    *, batch_size: int = 500, on_batch: Callable[[str, int], None] | None = None
) -> Progress:
    """Move every row to the active master key: rewrap its data key when the cipher stays the
    same (field ciphertexts are untouched), or give it a fresh data key of the active cipher and
    seal every field again when it changes (AES-256-GCM to SM4-GCM or back). Then bring every
    blind index to the suite's MAC."""
    ring = keyring.ring()
    progress = Progress()
    for model in sealing.sealed_models():
        columns = sealing.sealed_columns(model)
        for rows in _batches(model, batch_size, exclude={"key_id": ring.active_id}):
            with transaction.atomic():
                for row in rows:
                    try:
                        changes = _moved(row, ring, columns)
                    except crypto.KeyUnavailable as error:
                        progress.unavailable[error.key_id] += 1
                        continue
                    except (crypto.IntegrityFailure, crypto.UnsupportedFormat):
                        progress.skipped += 1
                        continue
                    expected = {
                        column: getattr(row, column)
                        for column in changes
                        if column not in ("key_id", "wrapped_key")
                    }
                    updated = model.objects.filter(
                        pk=row.pk, key_id=row.key_id, wrapped_key=row.wrapped_key, **expected
                    ).update(**changes)
                    if updated:
                        progress.done += 1
                    else:
                        progress.skipped += 1
            if on_batch:
                on_batch(model._meta.label, progress.done)
    _blind_indexes(progress, batch_size=batch_size, only_other_algorithm=True)
    _rebuild_registry_indexes(batch_size, progress, only_other_algorithm=True)
    rebuild_name_index(progress=progress, batch_size=batch_size, only_other_algorithm=True)
    audit.record(actor=None, action="keys.rotate", details=_details(progress, ring))
    return progress


def _moved(row: SealedModel, ring: crypto.KeyRing, columns: list[str]) -> dict:
    """The new values of a row's key columns (and sealed columns, when its cipher changes)."""
    if not sealing.needs_reseal(row, ring):
        key_id, wrapped = sealing.rewrap_fields(row, ring)
        return {"key_id": key_id, "wrapped_key": wrapped}
    fresh = sealing.resealed(row)
    return {
        "key_id": fresh.key_id,
        "wrapped_key": fresh.wrapped_key,
        **{column: getattr(fresh, column) for column in columns},
    }


def reseal(
    *, batch_size: int = 200, on_batch: Callable[[str, int], None] | None = None
) -> Progress:
    """Give every row a fresh data key and seal its fields again (after a suspected data-key
    exposure or to move to a newer format). Compare-and-set on the key and every sealed column."""
    ring = keyring.ring()
    progress = Progress()
    for model in sealing.sealed_models():
        columns = sealing.sealed_columns(model)
        for rows in _batches(model, batch_size):
            with transaction.atomic():
                for row in rows:
                    try:
                        values = sealing.open_fields(row, *model.SEALED_FIELDS)
                    except crypto.KeyUnavailable as error:
                        progress.unavailable[error.key_id] += 1
                        continue
                    except (crypto.IntegrityFailure, crypto.UnsupportedFormat):
                        progress.skipped += 1
                        continue
                    expected = {column: getattr(row, column) for column in columns}
                    fresh = model(uuid=row.uuid)
                    sealing.seal(fresh, **values)
                    updated = model.objects.filter(
                        pk=row.pk, key_id=row.key_id, wrapped_key=row.wrapped_key, **expected
                    ).update(
                        key_id=fresh.key_id,
                        wrapped_key=fresh.wrapped_key,
                        **{column: getattr(fresh, column) for column in columns},
                    )
                    progress.done += 1 if updated else 0
                    progress.skipped += 0 if updated else 1
            if on_batch:
                on_batch(model._meta.label, progress.done)
    audit.record(actor=None, action="keys.reseal", details=_details(progress, ring))
    return progress


def rebuild_blind_index(*, batch_size: int = 500) -> Progress:
    """Recompute every party's ID-number index with the loaded blind-index key and the suite's
    MAC (after that key changed). Idempotent; compare-and-set on the sealed ID number."""
    ring = keyring.ring()
    progress = Progress()
    _blind_indexes(progress, batch_size=batch_size, only_other_algorithm=False)
    _rebuild_registry_indexes(batch_size, progress, only_other_algorithm=False)
    rebuild_name_index(progress=progress, batch_size=batch_size)
    audit.record(actor=None, action="keys.rebuild_blind_index", details=_details(progress, ring))
    return progress


def _other_algorithm() -> Q:
    """Parties whose stored index was made with the other suite's MAC."""
    sm3 = Q(id_index__startswith=crypto.SM3_INDEX_PREFIX)
    return ~sm3 & ~Q(id_index="") if keyring.suite().mac == crypto.HMAC_SM3 else sm3


def _blind_indexes(progress: Progress, *, batch_size: int, only_other_algorithm: bool) -> None:
    last_pk = 0
    while True:
        query = Party.objects.filter(pk__gt=last_pk, wrapped_key__isnull=False).exclude(
            id_number_sealed=None
        )
        if only_other_algorithm:
            query = query.filter(_other_algorithm())
        rows = list(query.order_by("pk")[:batch_size])
        if not rows:
            return
        last_pk = rows[-1].pk
        with transaction.atomic():
            for party in rows:
                try:
                    number = sealing.open_fields(party, "id_number")["id_number"] or ""
                    index = id_index_of(normalise_id_number(number))
                except crypto.KeyUnavailable as error:
                    progress.unavailable[error.key_id] += 1
                    continue
                except (crypto.IntegrityFailure, crypto.UnsupportedFormat, InvalidIdNumber):
                    progress.skipped += 1
                    continue
                updated = Party.objects.filter(
                    pk=party.pk, id_number_sealed=party.id_number_sealed, id_index=party.id_index
                ).update(id_index=index)
                progress.done += 1 if updated else 0


def blind_index_status() -> Counter:
    """Parties with an ID number, by the MAC their blind index was made with."""
    found: Counter = Counter()
    for index in Party.objects.exclude(id_index="").values_list("id_index", flat=True).iterator():
        found[crypto.blind_index_algorithm(index)] += 1
    return found


def _rebuild_registry_indexes(
    batch_size: int, progress: Progress, *, only_other_algorithm: bool
) -> None:
    """The same for the registry's applications (both parties' ID numbers), so a couple's case is
    still found after the blind-index key or the suite's MAC changed."""
    algorithm = keyring.suite().mac
    for rows in _batches(RegistryApplication, batch_size):
        with transaction.atomic():
            for application in rows:
                if only_other_algorithm and all(
                    crypto.blind_index_algorithm(index) == algorithm
                    for index in (application.index_1, application.index_2)
                ):
                    continue
                try:
                    opened = sealing.open_fields(application, "id_number_1", "id_number_2")
                    indexes = [
                        id_index_of(normalise_id_number(number or ""))
                        for number in (opened["id_number_1"], opened["id_number_2"])
                    ]
                except crypto.KeyUnavailable as error:
                    progress.unavailable[error.key_id] += 1
                    continue
                except (crypto.IntegrityFailure, crypto.UnsupportedFormat, InvalidIdNumber):
                    progress.skipped += 1
                    continue
                updated = RegistryApplication.objects.filter(
                    pk=application.pk, id_number_1_sealed=application.id_number_1_sealed
                ).update(index_1=indexes[0], index_2=indexes[1])
                progress.done += 1 if updated else 0


def rebuild_name_index(
    *, progress: Progress | None = None, batch_size: int = 500, only_other_algorithm: bool = False
) -> Progress:
    """Recompute every party's name index (the search by name) the same way: idempotent,
    compare-and-set on the sealed name."""
    progress = progress or Progress()
    algorithm = keyring.suite().mac
    for rows in _batches(Party, batch_size, exclude={"name_sealed": None}):
        with transaction.atomic():
            for party in rows:
                if only_other_algorithm and (
                    crypto.blind_index_algorithm(party.name_index) == algorithm
                ):
                    continue
                try:
                    index = name_index_of(sealing.open_fields(party, "name")["name"] or "")
                except crypto.KeyUnavailable as error:
                    progress.unavailable[error.key_id] += 1
                    continue
                except (crypto.IntegrityFailure, crypto.UnsupportedFormat):
                    progress.skipped += 1
                    continue
                updated = Party.objects.filter(pk=party.pk, name_sealed=party.name_sealed).update(
                    name_index=index
                )
                progress.done += 1 if updated else 0
    return progress


def status() -> dict[str, Counter]:
    """Rows per model and key id."""
    found: dict[str, Counter] = {}
    for model in sealing.sealed_models():
        counts = Counter()
        for key_id in (
            model.objects.filter(wrapped_key__isnull=False)
            .values_list("key_id", flat=True)
            .iterator()
        ):
            counts[key_id] += 1
        found[model._meta.label] = counts
    return found


def _details(progress: Progress, ring: crypto.KeyRing) -> dict:
    return {
        "active": ring.active_id,
        "suite": keyring.suite().name,
        "done": progress.done,
        "skipped": progress.skipped,
        "unavailable": dict(progress.unavailable),
    }
