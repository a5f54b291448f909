"""Receiving an uploaded scan: in memory only (a scan of a signed form is never written to disk
in the clear, as Django's temporary files would be), and stopped as soon as it passes the limit.
Plumbing for the attachment page; the rules are in services/attachments.py."""

import io

from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopUpload


class SealedUploadHandler(FileUploadHandler):
    """Keeps each file in memory up to `limit` bytes; past it, stops reading the file (the rest
    of the request is drained) and says so in `too_big`."""

    def __init__(self, request, limit: int) -> None:
        super().__init__(request)
        self.limit = limit
        self.too_big = False
        self.buffer = io.BytesIO()

    def new_file(self, *args, **kwargs) -> None:
        super().new_file(*args, **kwargs)
        self.buffer = io.BytesIO()

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        if start + len(raw_data) > self.limit:
            self.too_big = True
            self.buffer = io.BytesIO()
            raise StopUpload(connection_reset=False)
        self.buffer.write(raw_data)

    def file_complete(self, file_size: int) -> InMemoryUploadedFile:
        self.buffer.seek(0)
        return InMemoryUploadedFile(
            file=self.buffer,
            field_name=self.field_name,
            name=self.file_name,
            content_type=self.content_type,
            size=file_size,
            charset=self.charset,
            content_type_extra=self.content_type_extra,
        )
