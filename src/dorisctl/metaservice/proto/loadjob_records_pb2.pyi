from dorisctl.metaservice.proto import cloud_pb2 as _cloud_pb2
from dorisctl.metaservice.proto import olap_file_pb2 as _olap_file_pb2
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class RecycleStagePB(_message.Message):
    __slots__ = ("instance_id", "reason", "stage")
    INSTANCE_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    STAGE_FIELD_NUMBER: _ClassVar[int]
    instance_id: str
    reason: str
    stage: _cloud_pb2.StagePB
    def __init__(self, instance_id: _Optional[str] = ..., reason: _Optional[str] = ..., stage: _Optional[_Union[_cloud_pb2.StagePB, _Mapping]] = ...) -> None: ...

class RestoreJobCloudPB(_message.Message):
    __slots__ = ("tablet_id", "ctime_s", "mtime_s", "expired_at_s", "tablet_meta", "state", "total_rowset_num", "total_row_num", "total_segment_num", "total_disk_size", "committed_rowset_num", "need_recycle_data", "version")
    class State(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        UNKNOWN: _ClassVar[RestoreJobCloudPB.State]
        PREPARED: _ClassVar[RestoreJobCloudPB.State]
        COMMITTED: _ClassVar[RestoreJobCloudPB.State]
        DROPPED: _ClassVar[RestoreJobCloudPB.State]
        COMPLETED: _ClassVar[RestoreJobCloudPB.State]
        RECYCLING: _ClassVar[RestoreJobCloudPB.State]
    UNKNOWN: RestoreJobCloudPB.State
    PREPARED: RestoreJobCloudPB.State
    COMMITTED: RestoreJobCloudPB.State
    DROPPED: RestoreJobCloudPB.State
    COMPLETED: RestoreJobCloudPB.State
    RECYCLING: RestoreJobCloudPB.State
    TABLET_ID_FIELD_NUMBER: _ClassVar[int]
    CTIME_S_FIELD_NUMBER: _ClassVar[int]
    MTIME_S_FIELD_NUMBER: _ClassVar[int]
    EXPIRED_AT_S_FIELD_NUMBER: _ClassVar[int]
    TABLET_META_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    TOTAL_ROWSET_NUM_FIELD_NUMBER: _ClassVar[int]
    TOTAL_ROW_NUM_FIELD_NUMBER: _ClassVar[int]
    TOTAL_SEGMENT_NUM_FIELD_NUMBER: _ClassVar[int]
    TOTAL_DISK_SIZE_FIELD_NUMBER: _ClassVar[int]
    COMMITTED_ROWSET_NUM_FIELD_NUMBER: _ClassVar[int]
    NEED_RECYCLE_DATA_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    tablet_id: int
    ctime_s: int
    mtime_s: int
    expired_at_s: int
    tablet_meta: _olap_file_pb2.TabletMetaCloudPB
    state: RestoreJobCloudPB.State
    total_rowset_num: int
    total_row_num: int
    total_segment_num: int
    total_disk_size: int
    committed_rowset_num: int
    need_recycle_data: bool
    version: int
    def __init__(self, tablet_id: _Optional[int] = ..., ctime_s: _Optional[int] = ..., mtime_s: _Optional[int] = ..., expired_at_s: _Optional[int] = ..., tablet_meta: _Optional[_Union[_olap_file_pb2.TabletMetaCloudPB, _Mapping]] = ..., state: _Optional[_Union[RestoreJobCloudPB.State, str]] = ..., total_rowset_num: _Optional[int] = ..., total_row_num: _Optional[int] = ..., total_segment_num: _Optional[int] = ..., total_disk_size: _Optional[int] = ..., committed_rowset_num: _Optional[int] = ..., need_recycle_data: _Optional[bool] = ..., version: _Optional[int] = ...) -> None: ...

class CopyFilePB(_message.Message):
    __slots__ = ("copy_id", "group_id")
    COPY_ID_FIELD_NUMBER: _ClassVar[int]
    GROUP_ID_FIELD_NUMBER: _ClassVar[int]
    copy_id: str
    group_id: int
    def __init__(self, copy_id: _Optional[str] = ..., group_id: _Optional[int] = ...) -> None: ...
