"""`dorisctl keys` in-process on real SQLite stores: retire refuses while a secret (store or
manager) uses the key; rotate re-seals manager ssh keys too; the key ring follows its file."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

import pytest

from dorisctl.keycheck import KeyRingMismatch, ensure_key_ring
from dorisctl.keyring_admin import retire, rotate, status
from dorisctl.kv import Txn, open_store, run_txn
from dorisctl.manager.db import Store
from dorisctl.manager.models import Process
from dorisctl.manager.secretbox import SecretBox
from dorisctl.metaservice import keys
from dorisctl.metaservice.proto import cloud_pb2
from dorisctl.secrets import KeyRing, SecretError, load_keyring, read_key_file, write_key_file


def _args(data: Path, command: str, extra: list[str] | None = None) -> argparse.Namespace:
    from dorisctl.cli import build_parser

    argv = ["keys", command, "--data-dir", str(data), *(extra or [])]
    return build_parser().parse_args(argv)


async def _seed(data: Path, ring: KeyRing) -> None:
    kv = open_store(f"sqlite:///{data}/meta-service.db")
    await ensure_key_ring(kv, ring)

    async def put(txn: Txn) -> None:
        inst = cloud_pb2.InstanceInfoPB(instance_id="i1")
        obj = inst.obj_info.add(ak="AK", id="1")
        sealed = ring.seal("SK")
        obj.sk = sealed.ciphertext
        obj.encryption_info.encryption_method = "AES_256_GCM"
        obj.encryption_info.key_id = sealed.key_id
        txn.put(keys.instance_key("i1"), inst.SerializeToString())
        # a storage vault's sk and the IAM user's sk are store secrets too
        vault = cloud_pb2.StorageVaultPB(id="2", name="v")
        vault.obj_info.CopyFrom(cloud_pb2.ObjectStoreInfoPB(ak="VAK", id="2"))
        iam = cloud_pb2.RamUserPB(user_id="acc", ak="IAK")
        for holder, plain in ((vault.obj_info, "VSK"), (iam, "ISK")):
            sealed = ring.seal(plain)
            holder.sk = sealed.ciphertext
            holder.encryption_info.encryption_method = "AES_256_GCM"
            holder.encryption_info.key_id = sealed.key_id
        txn.put(keys.storage_vault_key("i1", "2"), vault.SerializeToString())
        txn.put(keys.arn_info_key(), iam.SerializeToString())

    await run_txn(kv, put)
    await kv.close()
    store = Store(f"sqlite:///{data}/manager.db")
    store.migrate()
    with store.tx() as s:
        sealed = SecretBox(ring).seal("PRIVATE KEY", "ssh-key")
        s.add(
            Process(
                cluster_id="c",
                process_type="install",
                package_url="u",
                install_dir="/d",
                ssh_user="root",
                ssh_port=22,
                ssh_key_sealed=sealed,
                agent_port=1,
            )
        )
    store.close()


async def test_retire_refuses_while_in_use_and_rotate_reseals_manager_secrets(tmp_path: Path) -> None:
    ring = load_keyring(tmp_path, env={})
    await _seed(tmp_path, ring)
    # a second key added by hand: key 1 still seals one store secret and one manager secret
    file_keys = read_key_file(tmp_path / "root.key")
    write_key_file(tmp_path / "root.key", {**file_keys, 2: b"\x02" * 32})
    with pytest.raises(SecretError, match=r"key 1 still seals 3 secret\(s\) in the store and 1 in the manager"):
        await retire(_args(tmp_path, "retire", extra=["1"]))
    report = await rotate(_args(tmp_path, "rotate", extra=["--no-new-key", "--settle-seconds", "0"]))
    assert (report.current, report.instances, report.resealed, report.manager_resealed) == (2, 1, 3, 1)
    after = await status(_args(tmp_path, "status"))
    assert after.store_usage == {2: 3} and after.manager_usage == {2: 1}
    await retire(_args(tmp_path, "retire", extra=["1"]))
    assert sorted(read_key_file(tmp_path / "root.key")) == [2]
    # the manager's sealed key opens with the new ring
    store = Store(f"sqlite:///{tmp_path}/manager.db")
    with store.tx() as s:
        sealed = s.query(Process).one().ssh_key_sealed
    store.close()
    assert sealed.startswith("2:")
    assert SecretBox(load_keyring(tmp_path, env={})).open(sealed, "ssh-key") == "PRIVATE KEY"


async def test_key_ring_follows_its_file_without_restart(tmp_path: Path) -> None:
    serving = load_keyring(tmp_path, env={})
    admin = load_keyring(tmp_path, env={})
    write_key_file(tmp_path / "root.key", {**read_key_file(tmp_path / "root.key"), 2: b"\x07" * 32})
    admin.reload(force=True)
    sealed = admin.seal("secret")
    assert sealed.key_id == 2
    assert serving.open(sealed.ciphertext, 2) == "secret"  # unknown id: re-read at once
    await asyncio.sleep(KeyRing.RELOAD_CHECK_SECONDS)
    assert serving.seal("x").key_id == 2  # sealing follows the file's newest key


async def test_store_key_check_names_missing_and_wrong_keys(tmp_path: Path) -> None:
    ring = load_keyring(tmp_path / "a", env={})
    kv = open_store(f"sqlite:///{tmp_path}/kv.db")
    assert await ensure_key_ring(kv, ring) == [1]
    other = KeyRing({1: b"\x01" * 32, 3: b"\x03" * 32})
    with pytest.raises(KeyRingMismatch, match=r"has key ids \[1, 3\].*need key ids \[1\].*key 1: different key"):
        await ensure_key_ring(kv, other)
    bigger = KeyRing({1: read_key_file(tmp_path / "a" / "root.key")[1], 4: b"\x04" * 32})
    assert await ensure_key_ring(kv, bigger) == [1, 4]  # its extra key is now needed by everyone
    with pytest.raises(KeyRingMismatch, match="key 4: missing"):
        await ensure_key_ring(kv, ring)
    await kv.close()
