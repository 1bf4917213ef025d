"""Secrets at rest: the key ring, sealing, rotation, context binding, key files, masking."""

from __future__ import annotations

import base64
import os
from pathlib import Path

import pytest

from dorisctl.manager.secretbox import SecretBox
from dorisctl.secrets import ENV_ROOT_KEY, KeyRing, Secret, SecretError, load_keyring, load_or_create_token

K1, K2 = b"1" * 32, b"2" * 32


def test_seal_and_open_round_trip_with_random_nonces() -> None:
    ring = KeyRing({1: K1})
    a, b = ring.seal("sk-value"), ring.seal("sk-value")
    assert a.ciphertext != b.ciphertext and "sk-value" not in a.ciphertext
    assert ring.open(a.ciphertext, a.key_id) == "sk-value"
    assert ring.seal("").ciphertext == "" and ring.open("", 1) == ""


def test_rotation_seals_with_the_newest_key_and_still_opens_old_values() -> None:
    old = KeyRing({1: K1}).seal("x")
    ring = KeyRing({1: K1, 2: K2})
    assert ring.seal("y").key_id == 2
    assert ring.open(old.ciphertext, 1) == "x"
    with pytest.raises(SecretError):
        KeyRing({2: K2}).open(old.ciphertext, 1)  # key 1 gone from the ring


def test_tampering_wrong_key_and_wrong_context_are_refused() -> None:
    ring = KeyRing({1: K1})
    sealed = ring.seal("secret", context="ssh-key")
    assert ring.open(sealed.ciphertext, 1, context="ssh-key") == "secret"
    with pytest.raises(SecretError):
        ring.open(sealed.ciphertext, 1)  # sealed for another use
    raw = bytearray(base64.b64decode(sealed.ciphertext))
    raw[-1] ^= 1
    with pytest.raises(SecretError):
        ring.open(base64.b64encode(bytes(raw)).decode(), 1, context="ssh-key")
    with pytest.raises(SecretError):
        KeyRing({1: K2}).open(sealed.ciphertext, 1, context="ssh-key")
    with pytest.raises(SecretError):
        KeyRing({1: b"short"})


def test_key_file_is_created_private_and_a_readable_one_is_refused(tmp_path: Path) -> None:
    ring = load_keyring(tmp_path, env={})
    path = tmp_path / "root.key"
    assert path.stat().st_mode & 0o777 == 0o600
    sealed = ring.seal("v")
    assert load_keyring(tmp_path, env={}).open(sealed.ciphertext, sealed.key_id) == "v"  # same key next start
    os.chmod(path, 0o644)
    with pytest.raises(SecretError, match="chmod 600"):
        load_keyring(tmp_path, env={})


def test_key_ring_from_the_environment(tmp_path: Path) -> None:
    env = {ENV_ROOT_KEY: f"1:{base64.b64encode(K1).decode()},2:{base64.b64encode(K2).decode()}"}
    ring = load_keyring(tmp_path, env=env)
    assert ring.current_id == 2 and not (tmp_path / "root.key").exists()
    with pytest.raises(SecretError):
        load_keyring(tmp_path, env={ENV_ROOT_KEY: "1:not-base64!"})


def test_secret_masks_itself() -> None:
    s = Secret("hunter2")
    assert "hunter2" not in repr(s) and "hunter2" not in str(s) and "hunter2" not in f"{s}"
    assert s.reveal() == "hunter2" and s == Secret("hunter2") and s != Secret("other")


def test_token_file_is_created_once_and_private(tmp_path: Path) -> None:
    token, created = load_or_create_token(tmp_path / "token")
    assert created and len(token) >= 24 and (tmp_path / "token").stat().st_mode & 0o777 == 0o600
    assert load_or_create_token(tmp_path / "token") == (token, False)


def test_manager_secret_box_uses_the_key_ring_with_its_context() -> None:
    box = SecretBox(KeyRing({1: K1}))
    sealed = box.seal("-----BEGIN KEY-----", "ssh-key")
    assert sealed.startswith("1:") and "BEGIN" not in sealed
    assert box.open(sealed, "ssh-key") == "-----BEGIN KEY-----"
    with pytest.raises(SecretError):
        box.open(sealed, "other")
    with pytest.raises(SecretError):
        box.open("garbage", "ssh-key")
