"""Secrets at rest and in memory: the root key ring, AES-GCM sealing, and a self-masking `Secret`.

Doris stores sk with AES-256-ECB under a well-known default key (spec 5). dorisctl is stricter:
every secret (object-storage sk, ram_user sk, ssh keys, agent tokens) is sealed with AES-256-GCM
under a root key that never enters the store:

* the key ring comes from `DORISCTL_ROOT_KEY` (`<base64 32 bytes>`, or `<id>:<base64>,...` to
  rotate) or from `<data-dir>/root.key`, created 0600 with one random key (id 1) on first start;
* new secrets use the highest key id; each sealed value records its key id (`EncryptionInfoPB`:
  `{"encryption_method": "AES_256_GCM", "key_id": n}`), so old secrets stay readable after a
  rotation until they are rewritten;
* the sealed form is base64(12-byte nonce + ciphertext + tag); an empty secret stays empty.

Because GCM is randomized, "unchanged credentials" checks compare plaintexts, not ciphertexts.
Several processes sharing one store (meta-service replicas on etcd, a separate recycler) must be
given the same key ring.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import secrets as _random
import time
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

METHOD = "AES_256_GCM"
ENV_ROOT_KEY = "DORISCTL_ROOT_KEY"
KEY_FILE = "root.key"
_AAD = b"dorisctl/secret/v1"


class SecretError(Exception):
    """A secret could not be sealed or opened (wrong key, unknown key id, corrupt value)."""


class Secret:
    """A string that never shows itself in repr, str, logs or f-strings; `.reveal()` to use it."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('**********')"

    def __str__(self) -> str:
        return "**********"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and _random.compare_digest(self._value, other._value)

    def __hash__(self) -> int:
        return hash(self._value)

    def __bool__(self) -> bool:
        return bool(self._value)


@dataclass(frozen=True)
class Sealed:
    ciphertext: str
    key_id: int
    method: str = METHOD


class KeyRing:
    """Root keys by id; seals with the newest.

    A ring loaded from a key file (`source`) follows the file while the process runs, so
    `dorisctl keys rotate` reaches serving processes without a restart: sealing re-reads the file
    when its modification time changed (looked at most every RELOAD_CHECK_SECONDS), and opening
    a value sealed with a key id the ring lacks re-reads it at once. Keys are only ever added by
    a reload (a retired key stays usable in a running process until it restarts).
    """

    RELOAD_CHECK_SECONDS = 0.5

    def __init__(self, keys: dict[int, bytes], *, source: Path | None = None) -> None:
        self._keys: dict[int, AESGCM] = {}
        self.current_id = 0
        self._set(keys)
        self.source = source
        self._mtime = source.stat().st_mtime_ns if source is not None else 0
        self._checked = time.monotonic()

    def _set(self, keys: dict[int, bytes]) -> None:
        if not keys:
            raise SecretError("the key ring is empty")
        for key_id, key in keys.items():
            if len(key) != 32:
                raise SecretError(f"root key {key_id} must be 32 bytes, got {len(key)}")
        merged = dict(self._keys)
        merged.update({k: AESGCM(v) for k, v in keys.items()})
        self._keys = merged
        self.current_id = max(keys)

    @property
    def key_ids(self) -> list[int]:
        return sorted(self._keys)

    def reload(self, *, force: bool = False) -> bool:
        """Re-read the key file if it changed (or if `force`); True if it was read."""
        if self.source is None:
            return False
        try:
            mtime = self.source.stat().st_mtime_ns
        except OSError:
            return False
        if not force and mtime == self._mtime:
            return False
        try:
            self._set(read_key_file(self.source))
        except SecretError:
            return False  # half-written or broken: keep the keys we have, try again later
        self._mtime = mtime
        return True

    def _maybe_reload(self) -> None:
        now = time.monotonic()
        if self.source is not None and now - self._checked >= self.RELOAD_CHECK_SECONDS:
            self._checked = now
            self.reload()

    def seal(self, plaintext: str, context: str = "", *, key_id: int | None = None) -> Sealed:
        """Seal with the newest key (or the given one). `context` binds the value to its use (it
        must be given again to open it): a sealed ssh key cannot be passed off as an sk."""
        self._maybe_reload()
        kid = self.current_id if key_id is None else key_id
        if kid not in self._keys:
            raise SecretError(f"no root key with id {kid} in the key ring")
        if plaintext == "":
            return Sealed("", kid)
        nonce = os.urandom(12)
        data = self._keys[kid].encrypt(nonce, plaintext.encode(), _AAD + context.encode())
        return Sealed(base64.b64encode(nonce + data).decode(), kid)

    def open(self, ciphertext: str, key_id: int, context: str = "") -> str:
        if ciphertext == "":
            return ""
        aead = self._keys.get(key_id)
        if aead is None and self.reload(force=True):
            aead = self._keys.get(key_id)
        if aead is None:
            raise SecretError(f"no root key with id {key_id} in the key ring")
        try:
            raw = base64.b64decode(ciphertext, validate=True)
            return aead.decrypt(raw[:12], raw[12:], _AAD + context.encode()).decode()
        except (binascii.Error, InvalidTag, ValueError, UnicodeDecodeError) as e:
            raise SecretError(f"cannot open secret sealed with key {key_id}") from e


def _parse_env(value: str) -> dict[int, bytes]:
    keys: dict[int, bytes] = {}
    for part in value.split(","):
        part = part.strip()
        if not part:
            continue
        key_id, sep, b64 = part.partition(":")
        if not sep:
            key_id, b64 = "1", part
        try:
            keys[int(key_id)] = base64.b64decode(b64, validate=True)
        except (ValueError, binascii.Error) as e:
            raise SecretError(f"{ENV_ROOT_KEY}: cannot parse key {key_id!r}") from e
    return keys


def load_keyring(data_dir: Path, env: dict[str, str] | None = None) -> KeyRing:
    """The key ring from the environment, else from the key file (created on first use)."""
    env = dict(os.environ) if env is None else env
    if env.get(ENV_ROOT_KEY):
        return KeyRing(_parse_env(env[ENV_ROOT_KEY]))
    path = data_dir / KEY_FILE
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        doc = {"keys": [{"id": 1, "key": base64.b64encode(os.urandom(32)).decode()}]}
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            json.dump(doc, f)
    return KeyRing(read_key_file(path), source=path)


def read_key_file(path: Path) -> dict[int, bytes]:
    """The keys of a key file (JSON `{"keys": [{"id": n, "key": base64}, ...]}`, mode 0600)."""
    mode = path.stat().st_mode & 0o777
    if mode & 0o077:
        raise SecretError(f"{path} must not be readable by group or others (mode {mode:o}); chmod 600 it")
    try:
        doc = json.loads(path.read_text())
        return {int(k["id"]): base64.b64decode(k["key"], validate=True) for k in doc["keys"]}
    except (ValueError, KeyError, TypeError, binascii.Error) as e:
        raise SecretError(f"{path} is not a valid key file") from e


def write_key_file(path: Path, keys: dict[int, bytes]) -> None:
    """Replace the key file atomically (a reader sees the old file or the new one, never half)."""
    doc = {"keys": [{"id": i, "key": base64.b64encode(k).decode()} for i, k in sorted(keys.items())]}
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump(doc, f)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def new_root_key() -> bytes:
    return os.urandom(32)


def load_or_create_token(path: Path) -> tuple[str, bool]:
    """The API token stored at path, creating a random one (0600) if absent. -> (token, created)."""
    if path.exists():
        token = path.read_text().strip()
        if not token:
            raise SecretError(f"{path} is empty")
        return token, False
    path.parent.mkdir(parents=True, exist_ok=True)
    token = _random.token_urlsafe(24)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(token + "\n")
    return token, True
