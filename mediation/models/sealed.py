"""The base of every model with sealed fields (SECURITY.md, 'Cipher and format').

A row has a UUID from before its first save (it is part of every ciphertext's associated data),
the id of the master key that wraps its data key, and the wrapped data key. Each sealed field
`x` is stored in the binary column `x_sealed`; nothing here opens it (mediation/sealing.py does,
and only services call that).
"""

import uuid
from typing import ClassVar

from django.db import models


class SealedModel(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    key_id = models.CharField(max_length=40, blank=True, editable=False)
    wrapped_key = models.BinaryField(null=True, editable=False)

    SEALED_FIELDS: ClassVar[tuple[str, ...]] = ()

    class Meta:
        abstract = True

    def has_sealed(self, name: str) -> bool:
        return getattr(self, f"{name}_sealed") is not None


def sealed_field() -> models.BinaryField:
    return models.BinaryField(null=True, editable=False)
