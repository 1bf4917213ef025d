"""Secrets at rest: AES-GCM sealing under a root key kept in ``<data-dir>/manager-root.key`` (0600),
plus token generation and hashing. Nothing here ever logs a secret."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

KEY_ID = "k1"


def _write_private(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)


class SecretBox:
    def __init__(self, data_dir: Path) -> None:
        path = data_dir / "manager-root.key"
        if not path.exists():
            _write_private(path, base64.b64encode(AESGCM.generate_key(bit_length=256)))
        path.chmod(0o600)
        self._aead = AESGCM(base64.b64decode(path.read_bytes().strip()))

    def seal(self, plaintext: str, aad: str = "") -> str:
        nonce = os.urandom(12)
        ct = self._aead.encrypt(nonce, plaintext.encode(), aad.encode())
        return f"{KEY_ID}:" + base64.b64encode(nonce + ct).decode()

    def open(self, sealed: str, aad: str = "") -> str:
        kid, _, body = sealed.partition(":")
        if kid != KEY_ID:
            raise ValueError("sealed with an unknown key id")
        raw = base64.b64decode(body)
        return self._aead.decrypt(raw[:12], raw[12:], aad.encode()).decode()


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
    path = data_dir / "manager-token"
    if path.exists():
        return path.read_text().strip(), False
    token = new_token()
    _write_private(path, (token + "\n").encode())
    return token, True
