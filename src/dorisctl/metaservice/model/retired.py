"""Fields of Doris 3.0's stored tablet meta that newer upstream protos retired, kept byte-exact.

Doris 3.0's `update_tablet` sets `group_commit_interval_ms` (35) and `group_commit_data_bytes` (36)
on TabletMetaCloudPB and `enable_mow_light_delete` (28) on its TabletSchemaCloudPB; the pinned
upstream protos (ours are the same) mark those numbers `reserved`. To answer a Doris 3.0 FE as
Doris 3.0 does, and hand its BEs the values back through get_tablet, the stored bytes are edited
with a message class of the 3.0 layout: our descriptors with those three fields put back, in a
pool of their own. Everything else in the value is kept as it was, and our own messages carry the
three fields through as unknown fields (so get_tablet returns them on the binary protocols).
"""

from __future__ import annotations

from functools import cache
from typing import Any

from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
from google.protobuf.descriptor import FileDescriptor
from google.protobuf.message import Message

from dorisctl.metaservice.proto import olap_file_pb2

# TabletMetaInfoPB field -> (stored message, field number) in Doris 3.0's layout.
RETIRED_TABLET_FIELDS: dict[str, tuple[str, int]] = {
    "group_commit_interval_ms": ("TabletMetaCloudPB", 35),
    "group_commit_data_bytes": ("TabletMetaCloudPB", 36),
    "enable_mow_light_delete": ("TabletSchemaCloudPB", 28),
}
_TYPES = {
    "group_commit_interval_ms": descriptor_pb2.FieldDescriptorProto.TYPE_INT64,
    "group_commit_data_bytes": descriptor_pb2.FieldDescriptorProto.TYPE_INT64,
    "enable_mow_light_delete": descriptor_pb2.FieldDescriptorProto.TYPE_BOOL,
}


def _files_in_order(fd: FileDescriptor, seen: dict[str, FileDescriptor]) -> None:
    for dep in fd.dependencies:
        _files_in_order(dep, seen)
    seen.setdefault(fd.name, fd)


@cache
def _doris30_tablet_meta() -> type[Message]:
    files: dict[str, FileDescriptor] = {}
    _files_in_order(olap_file_pb2.DESCRIPTOR, files)
    pool = descriptor_pool.DescriptorPool()
    for name, fd in files.items():
        proto = descriptor_pb2.FileDescriptorProto()
        fd.CopyToProto(proto)
        if name == olap_file_pb2.DESCRIPTOR.name:
            for msg in proto.message_type:
                for field, (owner, number) in RETIRED_TABLET_FIELDS.items():
                    if msg.name != owner:
                        continue
                    kept = [r for r in msg.reserved_range if not r.start <= number < r.end]
                    del msg.reserved_range[:]
                    msg.reserved_range.extend(kept)
                    msg.field.add(
                        name=field,
                        number=number,
                        type=_TYPES[field],
                        label=descriptor_pb2.FieldDescriptorProto.LABEL_OPTIONAL,
                    )
        pool.Add(proto)
    return message_factory.GetMessageClass(pool.FindMessageTypeByName("doris.TabletMetaCloudPB"))


def set_retired_field(stored: bytes, field: str, value: Any) -> bytes:
    """The stored TabletMetaCloudPB bytes with one retired field set as Doris 3.0 sets it."""
    meta = _doris30_tablet_meta()()
    meta.ParseFromString(stored)
    owner, _ = RETIRED_TABLET_FIELDS[field]
    target = meta if owner == "TabletMetaCloudPB" else meta.schema  # type: ignore[attr-defined]
    setattr(target, field, value)
    return meta.SerializeToString()
