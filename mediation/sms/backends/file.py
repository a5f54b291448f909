"""The default backend: each message is a JSON line in a file (var/sms/outbox.jsonl), nothing is
sent. Like a real provider it answers a repeated idempotency key with the first message's id,
and it can be pointed at its own reports and replies for a rehearsal of the callbacks."""

import json
import uuid
from datetime import datetime
from pathlib import Path

from django.conf import settings

from ..gateway import DeliveryReport, OutgoingSms, Reply, TransientSmsError


class FileBackend:
    name = "file"

    def __init__(self, path: str | None = None):
        self.path = Path(path) if path else Path(settings.VAR_DIR) / "sms" / "outbox.jsonl"

    def sent(self) -> list[dict]:
        """Every message written so far (what tests and the demo look at)."""
        if not self.path.exists():
            return []
        return [json.loads(line) for line in self.path.read_text("utf-8").splitlines() if line]

    def send(self, message: OutgoingSms) -> str:
        for earlier in self.sent():
            if earlier["idempotency_key"] == message.idempotency_key:
                return str(earlier["id"])
        record = {
            "id": uuid.uuid4().hex,
            "phone": message.phone,
            "template": message.template,
            "params": message.params,
            "text": message.text,
            "idempotency_key": message.idempotency_key,
        }
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as outbox:
                outbox.write(json.dumps(record, ensure_ascii=False) + "\n")
        except OSError as error:
            raise TransientSmsError("file", str(error.strerror)) from None
        return str(record["id"])

    def parse_reports(self, body: bytes) -> list[DeliveryReport]:
        return [
            DeliveryReport(
                provider_id=str(item["id"]),
                delivered=bool(item.get("delivered", True)),
                at=datetime.fromisoformat(item["at"]) if item.get("at") else None,
            )
            for item in json.loads(body or b"[]")
        ]

    def parse_replies(self, body: bytes) -> list[Reply]:
        return [
            Reply(
                phone=str(item["phone"]),
                text=str(item["text"]),
                at=datetime.fromisoformat(item["at"]) if item.get("at") else None,
            )
            for item in json.loads(body or b"[]")
        ]
