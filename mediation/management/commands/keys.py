"""`manage.py keys generate | add | retire | status | rotate | reseal | rebuild-blind-index`."""

import os
import secrets
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from mediation import crypto, keyring
from mediation import keys as key_operations


def _write_private(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(path.suffix + ".tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text + "\n")
    os.replace(temporary, path)


def _new_id() -> str:
    return f"k{timezone.now():%Y%m%d}{secrets.token_hex(2)}"


class Command(BaseCommand):
    help = "Manage the key ring of sealed data (SECURITY.md, 'Keys')."
    # The key commands must run when the ring is missing or unfit: that is when they are needed.
    requires_system_checks: list = []

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="operation", required=True)
        generate = sub.add_parser("generate", help="Write a new key ring (or print it).")
        generate.add_argument("--output", help="key file to write (mode 600); stdout if omitted")
        generate.add_argument("--development", action="store_true", help="mark as development ring")
        generate.add_argument("--force", action="store_true", help="overwrite an existing file")
        add = sub.add_parser("add", help="Add a new master key to a key file and make it active.")
        add.add_argument("--file", required=True)
        retire = sub.add_parser("retire", help="Remove a master key no row uses any more.")
        retire.add_argument("key_id")
        retire.add_argument("--file", required=True)
        sub.add_parser("status", help="Rows per key; exit 1 if a row needs a key not loaded.")
        for name in ("rotate", "reseal", "rebuild-blind-index"):
            operation = sub.add_parser(name)
            operation.add_argument("--batch", type=int, default=500)

    def handle(self, *args, operation: str, **options):
        handler = getattr(self, "handle_" + operation.replace("-", "_"))
        return handler(**options)

    def handle_generate(self, *, output, development, force, **_):
        key_id = _new_id()
        ring = crypto.KeyRing(
            keys={key_id: crypto.new_key()},
            active_id=key_id,
            blind_index_key=crypto.new_key(),
            development=development,
        )
        if not output:
            self.stdout.write(ring.to_json())
            return
        path = Path(output)
        if path.exists() and not force:
            self.stdout.write(f"{path} exists; keeping it.")
            return
        _write_private(path, ring.to_json())
        kind = "development" if development else "production"
        self.stdout.write(f"Wrote a {kind} key ring to {path} (active key {ring.active_id}).")

    def _read(self, file: str) -> crypto.KeyRing:
        try:
            return crypto.KeyRing.from_json(Path(file).read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise CommandError(f"cannot read {file}: {error}") from error

    def handle_add(self, *, file, **_):
        ring = self._read(file)
        new_id = _new_id()
        keys = dict(ring.keys) | {new_id: crypto.new_key()}
        updated = crypto.KeyRing(
            keys=keys,
            active_id=new_id,
            blind_index_key=ring.blind_index_key,
            development=ring.development,
        )
        _write_private(Path(file), updated.to_json())
        self.stdout.write(f"Added key {new_id}; it is now active. Run `keys rotate` next.")

    def handle_retire(self, *, key_id, file, **_):
        ring = self._read(file)
        if key_id == ring.active_id:
            raise CommandError("the active key cannot be retired")
        if key_id not in ring.keys:
            raise CommandError(f"{key_id} is not in {file}")
        in_use = sum(counts.get(key_id, 0) for counts in key_operations.status().values())
        if in_use:
            raise CommandError(f"{in_use} rows still need {key_id}: run `keys rotate` first")
        keys = {k: v for k, v in ring.keys.items() if k != key_id}
        _write_private(
            Path(file),
            crypto.KeyRing(
                keys=keys,
                active_id=ring.active_id,
                blind_index_key=ring.blind_index_key,
                development=ring.development,
            ).to_json(),
        )
        self.stdout.write(f"Retired {key_id}.")

    def handle_status(self, **_):
        ring = keyring.reload()
        self.stdout.write(f"active key: {ring.active_id}; loaded: {', '.join(sorted(ring.keys))}")
        missing = 0
        for label, counts in key_operations.status().items():
            for key_id, count in sorted(counts.items()):
                loaded = key_id in ring.keys
                missing += 0 if loaded else count
                mark = "" if loaded else "  NOT LOADED"
                old = "" if key_id == ring.active_id else "  (old key: run keys rotate)"
                self.stdout.write(f"{label}\t{key_id}\t{count}{mark or old}")
        if missing:
            self.stderr.write(f"{missing} rows need a key that is not loaded.")
            sys.exit(1)

    def _report(self, name: str, progress: key_operations.Progress) -> None:
        self.stdout.write(
            f"{name}: {progress.done} rows done, {progress.skipped} skipped (changed meanwhile "
            f"or failed their integrity check)"
        )
        for key_id, count in progress.unavailable.items():
            self.stderr.write(f"{count} rows need key {key_id}, which is not loaded")
        if progress.unavailable:
            sys.exit(1)

    def _on_batch(self, label: str, done: int) -> None:
        self.stdout.write(f"  {label}: {done}", ending="\n")
        self.stdout.flush()

    def handle_rotate(self, *, batch, **_):
        keyring.reload()
        self._report("rotate", key_operations.rotate(batch_size=batch, on_batch=self._on_batch))

    def handle_reseal(self, *, batch, **_):
        keyring.reload()
        self._report("reseal", key_operations.reseal(batch_size=batch, on_batch=self._on_batch))

    def handle_rebuild_blind_index(self, *, batch, **_):
        keyring.reload()
        self._report("rebuild-blind-index", key_operations.rebuild_blind_index(batch_size=batch))
