"""Development backend: the message is written to the log (the worker's console)."""

import logging
import uuid

from ..gateway import OutgoingSms
from .file import FileBackend

logger = logging.getLogger("tongxin.sms")


class ConsoleBackend(FileBackend):
    name = "console"

    def __init__(self, **options):
        super().__init__(options.get("path"))

    def send(self, message: OutgoingSms) -> str:
        logger.warning(
            "SMS to %s: %s", message.phone[:3] + "****" + message.phone[-4:], message.text
        )
        return uuid.uuid4().hex
