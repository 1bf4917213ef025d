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
    """Root keys by id; seals with the newest."""

    def __init__(self, keys: dict[int, bytes]) -> None:
        if not keys:
            raise SecretError("the key ring is empty")
        for key_id, key in keys.items():
            if len(key) != 32:
                raise SecretError(f"root key {key_id} must be 32 bytes, got {len(key)}")
        self._keys = {k: AESGCM(v) for k, v in keys.items()}
        self.current_id = max(keys)

    def seal(self, plaintext: str, context: str = "") -> Sealed:
        """Seal with the newest key. `context` binds the value to its use (it must be given again
        to open it): a sealed ssh key cannot be passed off as an sk."""
        if plaintext == "":
            return Sealed("", self.current_id)
        nonce = os.urandom(12)
        data = self._keys[self.current_id].encrypt(nonce, plaintext.encode(), _AAD + context.encode())
        return Sealed(base64.b64encode(nonce + data).decode(), self.current_id)

    def open(self, ciphertext: str, key_id: int, context: str = "") -> str:
        if ciphertext == "":
            return ""
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
    mode = path.stat().st_mode & 0o777
    if mode & 0o077:
        raise SecretError(f"{path} must not be readable by group or others (mode {mode:o}); chmod 600 it")
    try:
        doc = json.loads(path.read_text())
        return KeyRing({int(k["id"]): base64.b64decode(k["key"], validate=True) for k in doc["keys"]})
    except (ValueError, KeyError, TypeError, binascii.Error) as e:
        raise SecretError(f"{path} is not a valid key file") from e


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
