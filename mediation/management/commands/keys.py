"""`manage.py keys generate | add | retire | status | rotate | reseal | rebuild-blind-index`.

Rings hold master keys (AES-256-GCM or SM4-GCM), a blind-index key and audit keys (HMAC-SHA256
or HMAC-SM3); `--suite` picks the algorithms (default: TONGXIN_CRYPTO_SUITE)."""

import os
import secrets
import sys
from pathlib import Path

from django.conf import settings
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


def _new_id(prefix: str = "k") -> str:
    return f"{prefix}{timezone.now():%Y%m%d}{secrets.token_hex(2)}"


def _suite_argument(parser) -> None:
    parser.add_argument(
        "--suite",
        choices=sorted(crypto.SUITES),
        help="aes (AES-256-GCM, HMAC-SHA256) or sm (SM4-GCM, HMAC-SM3); "
        "default TONGXIN_CRYPTO_SUITE",
    )


def _suite(name: str | None) -> crypto.Suite:
    return crypto.SUITES[name or settings.TONGXIN_CRYPTO_SUITE]


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
        _suite_argument(generate)
        add = sub.add_parser(
            "add",
            help="Add a new master key (or with --audit an audit key) to a key file and make "
            "it active.",
        )
        add.add_argument("--file", required=True)
        add.add_argument("--audit", action="store_true", help="add an audit key instead")
        add.add_argument(
            "--if-needed",
            action="store_true",
            help="only what the ring lacks for the suite (an active key of its cipher, an audit "
            "key of its MAC)",
        )
        _suite_argument(add)
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

    def handle_generate(self, *, output, development, force, suite, **_):
        ring = crypto.new_ring(
            _suite(suite), key_id=_new_id(), audit_id=_new_id("a"), development=development
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
        self.stdout.write(
            f"Wrote a {kind} key ring to {path} (suite {_suite(suite).name}, active key "
            f"{ring.active_id}, audit key {ring.audit_active_id})."
        )

    def _read(self, file: str) -> crypto.KeyRing:
        try:
            return crypto.KeyRing.from_json(Path(file).read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise CommandError(f"cannot read {file}: {error}") from error

    def handle_add(self, *, file, audit, if_needed, suite, **_):
        ring, chosen = self._read(file), _suite(suite)
        audit_fits = ring.audit_active_id in ring.audit_keys and (
            ring.audit_key(ring.audit_active_id)[0] == chosen.mac
        )
        master_fits = ring.active_id in ring.keys and ring.cipher(ring.active_id) == chosen.cipher
        updated, added = ring, []
        if not audit and not (if_needed and master_fits):
            new_id = _new_id()
            updated = updated.with_master_key(new_id, crypto.new_key(chosen.cipher), chosen.cipher)
            added.append(f"key {new_id} ({chosen.cipher.name})")
        if (audit and not (if_needed and audit_fits)) or not audit_fits:
            audit_id = _new_id("a")
            updated = updated.with_audit_key(audit_id, crypto.new_key(), chosen.mac)
            added.append(f"audit key {audit_id} ({chosen.mac})")
        if not added:
            self.stdout.write(f"{file} fits the {chosen.name} suite already; keeping it.")
            return
        _write_private(Path(file), updated.to_json())
        self.stdout.write(
            f"Added {' and '.join(added)}; now active (new audit links start from the current "
            f"head; older keys stay to open older rows and verify older links). With "
            f"TONGXIN_CRYPTO_SUITE={chosen.name}, run `keys rotate` next."
        )

    def handle_retire(self, *, key_id, file, **_):
        ring = self._read(file)
        if key_id in ring.audit_keys:
            raise CommandError(
                "audit keys are never retired: the links they made must stay verifiable"
            )
        if key_id == ring.active_id:
            raise CommandError("the active key cannot be retired")
        if key_id not in ring.keys:
            raise CommandError(f"{key_id} is not in {file}")
        in_use = sum(counts.get(key_id, 0) for counts in key_operations.status().values())
        if in_use:
            raise CommandError(f"{in_use} rows still need {key_id}: run `keys rotate` first")
        _write_private(Path(file), ring.without_master_key(key_id).to_json())
        self.stdout.write(f"Retired {key_id}.")

    def handle_status(self, **_):
        ring, suite = keyring.reload(), keyring.suite()
        self.stdout.write(f"suite: {suite.name} ({suite.cipher.name}, {suite.mac})")
        loaded = ", ".join(f"{k} ({ring.algorithms.get(k, 'aes-256-gcm')})" for k in ring.keys)
        self.stdout.write(f"active key: {ring.active_id}; loaded: {loaded}")
        self.stdout.write(
            f"audit key: {ring.audit_active_id or '(none)'}; loaded: {', '.join(ring.audit_keys)}"
        )
        problems = ring.validate(suite)
        for problem in problems:
            self.stdout.write(f"problem: {problem}")
        missing = old = 0
        for label, counts in key_operations.status().items():
            for key_id, count in sorted(counts.items()):
                if key_id not in ring.keys:
                    missing += count
                    mark = "  NOT LOADED"
                elif key_id != ring.active_id:
                    old += count
                    mark = f"  (old key, {ring.cipher(key_id).name}: run keys rotate)"
                else:
                    mark = ""
                self.stdout.write(f"{label}\t{key_id}\t{count}{mark}")
        indexes = key_operations.blind_index_status()
        other = sum(count for mac, count in indexes.items() if mac != suite.mac)
        self.stdout.write(
            "blind index: "
            + (", ".join(f"{count} {mac}" for mac, count in sorted(indexes.items())) or "empty")
            + ("  (run keys rotate)" if other else "")
        )
        if missing:
            self.stderr.write(f"{missing} rows need a key that is not loaded.")
            sys.exit(1)
        if not (old or other or problems):
            self.stdout.write(
                f"clean: every sealed value under the active key ({suite.cipher.name}), every "
                f"blind index {suite.mac}."
            )

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
