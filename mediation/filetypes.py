"""What a file is, judged from its first bytes and never from its name: the three kinds a case
may hold (PDF, JPEG, PNG). Pure: bytes in, a media type or None out."""

PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"

EXTENSIONS = {PDF: "pdf", JPEG: "jpg", PNG: "png"}

_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", PDF),
    (b"\xff\xd8\xff", JPEG),
    (b"\x89PNG\r\n\x1a\n", PNG),
)


def sniff(head: bytes) -> str | None:
    """The media type whose signature `head` starts with, or None for anything else."""
    for signature, media_type in _SIGNATURES:
        if head.startswith(signature):
            return media_type
    return None
