"""Sealed attachments: a scanned signed form or a referral reply kept with a case. The type is
judged from the content, never the name; the bytes and the file name are sealed (bound to the
row, like notes); a download is opened only for those who may see the case's identities, and
recorded. May import models, access, audit, filetypes, sealing and sealed_reads."""

import base64
import io

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from .. import audit, sealing
from ..access import Action, can
from ..filetypes import EXTENSIONS, JPEG, PDF, PNG, sniff
from ..models import Attachment, Case, Party, User
from .errors import field_error
from .sealed_reads import Opened, denied, open_sealed

MAX_BYTES = 10 * 1024 * 1024
FILENAME_MAX = 120


def too_large_message() -> str:
    return _("A file can be at most 10 MB. Scan it at a lower resolution, or in parts.")


def wrong_type_message() -> str:
    return _(
        "Only PDF, JPEG or PNG files can be attached, and this file's content is none of them "
        "(the type is judged from the content, not from the file name)."
    )


def _image_is_whole(data: bytes) -> bool:
    """A JPEG or PNG that Pillow can read to the end: a renamed or truncated file is refused."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return False
    return True


def check_file(data: bytes) -> str:
    """The file's media type, or ValidationError on the "file" field: codes empty, too_large,
    file_type."""
    if not data:
        raise field_error("file", _("The file is empty."), "empty")
    if len(data) > MAX_BYTES:
        raise field_error("file", too_large_message(), "too_large")
    media_type = sniff(data[:16])
    if media_type is None or (media_type in (JPEG, PNG) and not _image_is_whole(data)):
        raise field_error("file", wrong_type_message(), "file_type")
    if media_type == PDF and b"%%EOF" not in data[-2048:]:
        raise field_error("file", wrong_type_message(), "file_type")
    return media_type


@transaction.atomic
def attach_file(
    *,
    case: Case,
    data: bytes,
    filename: str,
    kind: str,
    uploaded_by: User,
    party: Party | None = None,
    request: HttpRequest | None = None,
) -> Attachment:
    """Attach a scan to a case (the case's counsellors; code not_assigned). PDF, JPEG or PNG up
    to 10 MB, checked from the content (check_file); refused files leave nothing behind. Codes
    also: party_not_in_case, kind."""
    if not can(uploaded_by, Action.WORK, case):
        raise ValidationError(
            _("Only the counsellors of this case may attach documents to it."),
            code="not_assigned",
        )
    if party is not None and party.case_id != case.pk:
        raise field_error(
            "party", _("This person is not a party to this case."), "party_not_in_case"
        )
    if kind not in Attachment.Kind.values:
        raise field_error("kind", _("Choose what the document is."), "kind")
    media_type = check_file(data)
    attachment = Attachment(
        case=case,
        party=party,
        kind=kind,
        content_type=media_type,
        size=len(data),
        uploaded_by=uploaded_by,
        uploaded_at=timezone.now(),
    )
    sealing.seal(
        attachment,
        content=base64.b64encode(data).decode("ascii"),
        filename=filename.strip()[-FILENAME_MAX:] or None,
    )
    attachment.save()
    audit.record(
        actor=uploaded_by,
        action="attachment.add",
        obj=attachment,
        office=case.office,
        request=request,
        details={"kind": kind, "type": EXTENSIONS[media_type], "size": len(data)},
    )
    return attachment


@transaction.atomic
def read_attachment(
    *, user: User, attachment: Attachment, request: HttpRequest | None = None
) -> tuple[Opened, bytes]:
    """The attachment's bytes, for those who may see the case's identities (its counsellors and
    the office's supervisor); each download and each refusal is an `attachment.read` event."""
    if not can(user, Action.READ_IDENTITY, attachment.case):
        denied(user=user, action="attachment.read", obj=attachment, request=request)
        return Opened(error=_("You may not see this document.")), b""
    opened = open_sealed(
        user=user, obj=attachment, fields=("content",), action="attachment.read", request=request
    )
    if not opened.ok:
        return opened, b""
    return opened, base64.b64decode(opened.values["content"] or "")


def attachments_of(case: Case) -> QuerySet[Attachment]:
    """The case's attachments without their sealed bytes (a list never loads the scans)."""
    return (
        case.attachments.defer("content_sealed", "filename_sealed")
        .select_related("party", "uploaded_by")
        .order_by("-uploaded_at", "-pk")
    )
