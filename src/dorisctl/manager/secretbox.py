"""The manager's secrets: ssh private keys sealed at rest, operator and agent tokens.

Sealing is `dorisctl.secrets`: the one key ring of the installation (`<data-dir>/root.key` or
`DORISCTL_ROOT_KEY`), AES-256-GCM with key ids. A sealed value is stored as `<key id>:<base64>`
and bound to its use by a context string. Agent tokens are stored only as SHA-256 hashes.
Nothing here ever logs a secret.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from pathlib import Path

from dorisctl.secrets import KeyRing, SecretError, load_or_create_token


class SecretBox:
    def __init__(self, keyring: KeyRing) -> None:
        self._keyring = keyring

    def seal(self, plaintext: str, context: str = "") -> str:
        sealed = self._keyring.seal(plaintext, context)
        return f"{sealed.key_id}:{sealed.ciphertext}"

    def open(self, sealed: str, context: str = "") -> str:
        key_id, sep, body = sealed.partition(":")
        if not sep or not key_id.isdigit():
            raise SecretError("not a sealed value")
        return self._keyring.open(body, int(key_id), context)


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


def load_operator_token(data_dir: Path, given: str | None) -> tuple[str, bool]:
    """The operator token: ``given``, or the one in ``<data-dir>/manager-token`` (created 0600 on
    first start). Returns (token, created_now)."""
    if given:
        return given, False
    return load_or_create_token(data_dir / "manager-token")
