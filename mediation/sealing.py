"""Sealing and opening the fields of SealedModel rows. No access checks here: only services
call this module, after checking access and before recording the read (SECURITY.md).

A new row's data key is of the active master key's cipher (AES-256-GCM or SM4-GCM), so each row
is of one algorithm; older rows keep theirs until `keys rotate` moves them."""

from django.apps import apps
from django.db import models

from . import crypto, keyring
from .models import SealedModel


def _context(instance: SealedModel) -> bytes:
    return f"{instance._meta.db_table}|{instance.uuid}".encode()


def _aad(instance: SealedModel, name: str) -> bytes:
    return crypto.aad_for(instance._meta.db_table, str(instance.uuid), name)


def data_key(instance: SealedModel, ring: crypto.KeyRing | None = None) -> bytes:
    """The row's data key: unwrapped from the row, or made and wrapped for a new row."""
    ring = ring or keyring.ring()
    cached = instance.__dict__.get("_data_key")
    if cached is not None:
        return cached
    if instance.wrapped_key is None:
        key = crypto.new_data_key(ring)
        instance.key_id, instance.wrapped_key = crypto.wrap_data_key(
            ring, key, context=_context(instance)
        )
    else:
        key = crypto.unwrap_data_key(
            ring, instance.key_id, bytes(instance.wrapped_key), context=_context(instance)
        )
    instance.__dict__["_data_key"] = key
    return key


def seal(instance: SealedModel, **values: str | None) -> None:
    """Put sealed values on the instance (the caller saves it). None or '' clears a field."""
    unknown = set(values) - set(instance.SEALED_FIELDS)
    if unknown:
        raise ValueError(f"not sealed fields: {sorted(unknown)}")
    key = data_key(instance)
    for name, value in values.items():
        blob = crypto.seal_text(key, value, aad=_aad(instance, name)) if value else None
        setattr(instance, f"{name}_sealed", blob)


def open_fields(instance: SealedModel, *names: str) -> dict[str, str | None]:
    """Open the named fields. Raises crypto.KeyUnavailable / IntegrityFailure /
    UnsupportedFormat; never returns ciphertext as if it were text."""
    names = names or instance.SEALED_FIELDS
    if all(getattr(instance, f"{name}_sealed") is None for name in names):
        return dict.fromkeys(names)
    key = data_key(instance)
    opened: dict[str, str | None] = {}
    for name in names:
        blob = getattr(instance, f"{name}_sealed")
        opened[name] = (
            None if blob is None else crypto.open_text(key, bytes(blob), aad=_aad(instance, name))
        )
    return opened


def sealed_models() -> list[type[SealedModel]]:
    """Every concrete model with sealed fields (what the key commands walk)."""
    return [
        model
        for model in apps.get_models()
        if issubclass(model, SealedModel) and not model._meta.abstract
    ]


def rewrap_fields(instance: SealedModel, ring: crypto.KeyRing) -> tuple[str, bytes]:
    """The row's data key wrapped under the ring's active key (field blobs are unchanged)."""
    key = crypto.unwrap_data_key(
        ring, instance.key_id, bytes(instance.wrapped_key), context=_context(instance)
    )
    return crypto.wrap_data_key(ring, key, context=_context(instance))


def needs_reseal(instance: SealedModel, ring: crypto.KeyRing) -> bool:
    """Whether moving the row to the active key changes its cipher (AES-256 to SM4 or back):
    then its data key and every field are made again, not only rewrapped."""
    return crypto.cipher_of_value(bytes(instance.wrapped_key)) != ring.cipher(ring.active_id)


def resealed(instance: SealedModel) -> SealedModel:
    """A fresh copy of the row's sealed columns: a new data key of the active cipher and every
    field sealed again with it (the caller writes them, compare-and-set)."""
    model = type(instance)
    values = open_fields(instance, *model.SEALED_FIELDS)
    fresh = model(uuid=instance.uuid)
    seal(fresh, **values)
    return fresh


def sealed_columns(model: type[models.Model]) -> list[str]:
    return [f"{name}_sealed" for name in model.SEALED_FIELDS]
