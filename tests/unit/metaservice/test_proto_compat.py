"""Our .proto files against upstream's (`../shared/reference/upstream-proto/`, the wire contract):
every message, field and enum value that exists in both must have upstream's name, number, type
and label, so bytes from a real FE/BE parse into our messages and ours into theirs."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from google.protobuf import descriptor_pb2

ROOT = Path(__file__).resolve().parents[3]
UPSTREAM = ROOT.parent / "shared" / "reference" / "upstream-proto"
OURS = ROOT / "proto"

FDP = descriptor_pb2.FieldDescriptorProto


def compile_set(include: Path, files: list[str]) -> descriptor_pb2.FileDescriptorSet:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "set.pb"
        subprocess.run(
            [
                sys.executable,
                "-m",
                "grpc_tools.protoc",
                f"-I{include}",
                "--include_imports",
                f"--descriptor_set_out={out}",
                *files,
            ],
            check=True,
            capture_output=True,
        )
        fds = descriptor_pb2.FileDescriptorSet()
        fds.ParseFromString(out.read_bytes())
        return fds


def index(
    fds: descriptor_pb2.FileDescriptorSet,
) -> tuple[dict[str, dict[str, FDP]], dict[str, dict[str, int]], dict[str, str]]:
    """(message full name -> field name -> field, enum full name -> value name -> number, services)."""
    messages: dict[str, dict[str, FDP]] = {}
    enums: dict[str, dict[str, int]] = {}
    methods: dict[str, str] = {}

    def walk(prefix: str, msgs, ens) -> None:
        for e in ens:
            enums[f"{prefix}.{e.name}"] = {v.name: v.number for v in e.value}
        for m in msgs:
            name = f"{prefix}.{m.name}"
            messages[name] = {f.name: f for f in m.field}
            walk(name, m.nested_type, m.enum_type)

    for f in fds.file:
        walk(f.package, f.message_type, f.enum_type)
        for s in f.service:
            for m in s.method:
                methods[f"{f.package}.{s.name}/{m.name}"] = f"{m.input_type} -> {m.output_type}"
    return messages, enums, methods


def differences() -> list[str]:
    up = index(compile_set(UPSTREAM, ["cloud.proto"]))
    ours = index(compile_set(OURS, [str(p.relative_to(OURS)) for p in sorted(OURS.rglob("*.proto"))]))
    out: list[str] = []
    up_msgs, up_enums, up_methods = up
    our_msgs, our_enums, our_methods = ours
    for name, fields in our_msgs.items():
        theirs = up_msgs.get(name)
        if theirs is None:
            continue
        by_number = {f.number: f for f in theirs.values()}
        for fname, f in fields.items():
            u = theirs.get(fname)
            if u is None:
                if f.number in by_number:
                    out.append(f"{name}.{fname}: number {f.number} is upstream's {by_number[f.number].name}")
                continue
            if (u.number, u.type, u.label, u.type_name) != (f.number, f.type, f.label, f.type_name):
                out.append(
                    f"{name}.{fname}: ours {f.number} {FDP.Type.Name(f.type)} {FDP.Label.Name(f.label)} {f.type_name}"
                    f" != upstream {u.number} {FDP.Type.Name(u.type)} {FDP.Label.Name(u.label)} {u.type_name}"
                )
    for name, values in our_enums.items():
        theirs_e = up_enums.get(name)
        if theirs_e is None:
            continue
        inverse = {n: v for v, n in theirs_e.items()}
        for vname, number in values.items():
            if vname in theirs_e and theirs_e[vname] != number:
                out.append(f"{name}.{vname}: ours {number} != upstream {theirs_e[vname]}")
            elif vname not in theirs_e and number in inverse:
                out.append(f"{name}.{vname}: number {number} is upstream's {inverse[number]}")
    for path, sig in our_methods.items():
        if path in up_methods and up_methods[path] != sig:
            out.append(f"rpc {path}: ours {sig} != upstream {up_methods[path]}")
    return out


@pytest.mark.skipif(not UPSTREAM.is_dir(), reason="needs ../shared/reference/upstream-proto beside the repo")
def test_every_shared_field_and_enum_value_matches_upstream() -> None:
    assert differences() == []


if __name__ == "__main__":
    for line in differences():
        print(line)
