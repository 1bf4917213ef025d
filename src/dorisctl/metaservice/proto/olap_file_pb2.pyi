from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class TabletStatePB(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PB_NOTREADY: _ClassVar[TabletStatePB]
    PB_RUNNING: _ClassVar[TabletStatePB]
    PB_TOMBSTONED: _ClassVar[TabletStatePB]
    PB_STOPPED: _ClassVar[TabletStatePB]
    PB_SHUTDOWN: _ClassVar[TabletStatePB]
PB_NOTREADY: TabletStatePB
PB_RUNNING: TabletStatePB
PB_TOMBSTONED: TabletStatePB
PB_STOPPED: TabletStatePB
PB_SHUTDOWN: TabletStatePB

class ColumnPB(_message.Message):
    __slots__ = ("unique_id", "name", "type", "is_key", "aggregation", "is_nullable", "default_value", "precision", "frac", "length")
    UNIQUE_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    IS_KEY_FIELD_NUMBER: _ClassVar[int]
    AGGREGATION_FIELD_NUMBER: _ClassVar[int]
    IS_NULLABLE_FIELD_NUMBER: _ClassVar[int]
    DEFAULT_VALUE_FIELD_NUMBER: _ClassVar[int]
    PRECISION_FIELD_NUMBER: _ClassVar[int]
    FRAC_FIELD_NUMBER: _ClassVar[int]
    LENGTH_FIELD_NUMBER: _ClassVar[int]
    unique_id: int
    name: str
    type: str
    is_key: bool
    aggregation: str
    is_nullable: bool
    default_value: bytes
    precision: int
    frac: int
    length: int
    def __init__(self, unique_id: _Optional[int] = ..., name: _Optional[str] = ..., type: _Optional[str] = ..., is_key: _Optional[bool] = ..., aggregation: _Optional[str] = ..., is_nullable: _Optional[bool] = ..., default_value: _Optional[bytes] = ..., precision: _Optional[int] = ..., frac: _Optional[int] = ..., length: _Optional[int] = ...) -> None: ...

class TabletSchemaCloudPB(_message.Message):
    __slots__ = ("keys_type", "column", "num_short_key_columns", "num_rows_per_row_block", "compress_kind", "bf_fpp", "next_column_unique_id", "schema_version")
    KEYS_TYPE_FIELD_NUMBER: _ClassVar[int]
    COLUMN_FIELD_NUMBER: _ClassVar[int]
    NUM_SHORT_KEY_COLUMNS_FIELD_NUMBER: _ClassVar[int]
    NUM_ROWS_PER_ROW_BLOCK_FIELD_NUMBER: _ClassVar[int]
    COMPRESS_KIND_FIELD_NUMBER: _ClassVar[int]
    BF_FPP_FIELD_NUMBER: _ClassVar[int]
    NEXT_COLUMN_UNIQUE_ID_FIELD_NUMBER: _ClassVar[int]
    SCHEMA_VERSION_FIELD_NUMBER: _ClassVar[int]
    keys_type: int
    column: _containers.RepeatedCompositeFieldContainer[ColumnPB]
    num_short_key_columns: int
    num_rows_per_row_block: int
    compress_kind: int
    bf_fpp: float
    next_column_unique_id: int
    schema_version: int
    def __init__(self, keys_type: _Optional[int] = ..., column: _Optional[_Iterable[_Union[ColumnPB, _Mapping]]] = ..., num_short_key_columns: _Optional[int] = ..., num_rows_per_row_block: _Optional[int] = ..., compress_kind: _Optional[int] = ..., bf_fpp: _Optional[float] = ..., next_column_unique_id: _Optional[int] = ..., schema_version: _Optional[int] = ...) -> None: ...

class RowsetMetaCloudPB(_message.Message):
    __slots__ = ("rowset_id", "partition_id", "tablet_id", "txn_id", "tablet_schema_hash", "rowset_type", "rowset_state", "start_version", "end_version", "version_hash", "num_rows", "total_disk_size", "data_disk_size", "index_disk_size", "empty", "creation_time", "num_segments", "rowset_id_v2", "resource_id", "newest_write_timestamp", "tablet_schema", "txn_expiration", "index_id", "schema_version")
    ROWSET_ID_FIELD_NUMBER: _ClassVar[int]
    PARTITION_ID_FIELD_NUMBER: _ClassVar[int]
    TABLET_ID_FIELD_NUMBER: _ClassVar[int]
    TXN_ID_FIELD_NUMBER: _ClassVar[int]
    TABLET_SCHEMA_HASH_FIELD_NUMBER: _ClassVar[int]
    ROWSET_TYPE_FIELD_NUMBER: _ClassVar[int]
    ROWSET_STATE_FIELD_NUMBER: _ClassVar[int]
    START_VERSION_FIELD_NUMBER: _ClassVar[int]
    END_VERSION_FIELD_NUMBER: _ClassVar[int]
    VERSION_HASH_FIELD_NUMBER: _ClassVar[int]
    NUM_ROWS_FIELD_NUMBER: _ClassVar[int]
    TOTAL_DISK_SIZE_FIELD_NUMBER: _ClassVar[int]
    DATA_DISK_SIZE_FIELD_NUMBER: _ClassVar[int]
    INDEX_DISK_SIZE_FIELD_NUMBER: _ClassVar[int]
    EMPTY_FIELD_NUMBER: _ClassVar[int]
    CREATION_TIME_FIELD_NUMBER: _ClassVar[int]
    NUM_SEGMENTS_FIELD_NUMBER: _ClassVar[int]
    ROWSET_ID_V2_FIELD_NUMBER: _ClassVar[int]
    RESOURCE_ID_FIELD_NUMBER: _ClassVar[int]
    NEWEST_WRITE_TIMESTAMP_FIELD_NUMBER: _ClassVar[int]
    TABLET_SCHEMA_FIELD_NUMBER: _ClassVar[int]
    TXN_EXPIRATION_FIELD_NUMBER: _ClassVar[int]
    INDEX_ID_FIELD_NUMBER: _ClassVar[int]
    SCHEMA_VERSION_FIELD_NUMBER: _ClassVar[int]
    rowset_id: int
    partition_id: int
    tablet_id: int
    txn_id: int
    tablet_schema_hash: int
    rowset_type: int
    rowset_state: int
    start_version: int
    end_version: int
    version_hash: int
    num_rows: int
    total_disk_size: int
    data_disk_size: int
    index_disk_size: int
    empty: bool
    creation_time: int
    num_segments: int
    rowset_id_v2: str
    resource_id: str
    newest_write_timestamp: int
    tablet_schema: TabletSchemaCloudPB
    txn_expiration: int
    index_id: int
    schema_version: int
    def __init__(self, rowset_id: _Optional[int] = ..., partition_id: _Optional[int] = ..., tablet_id: _Optional[int] = ..., txn_id: _Optional[int] = ..., tablet_schema_hash: _Optional[int] = ..., rowset_type: _Optional[int] = ..., rowset_state: _Optional[int] = ..., start_version: _Optional[int] = ..., end_version: _Optional[int] = ..., version_hash: _Optional[int] = ..., num_rows: _Optional[int] = ..., total_disk_size: _Optional[int] = ..., data_disk_size: _Optional[int] = ..., index_disk_size: _Optional[int] = ..., empty: _Optional[bool] = ..., creation_time: _Optional[int] = ..., num_segments: _Optional[int] = ..., rowset_id_v2: _Optional[str] = ..., resource_id: _Optional[str] = ..., newest_write_timestamp: _Optional[int] = ..., tablet_schema: _Optional[_Union[TabletSchemaCloudPB, _Mapping]] = ..., txn_expiration: _Optional[int] = ..., index_id: _Optional[int] = ..., schema_version: _Optional[int] = ...) -> None: ...

class TabletMetaCloudPB(_message.Message):
    __slots__ = ("table_id", "partition_id", "tablet_id", "schema_hash", "shard_id", "creation_time", "cumulative_layer_point", "tablet_state", "schema", "rs_metas", "enable_unique_key_merge_on_write", "index_id", "schema_version")
    TABLE_ID_FIELD_NUMBER: _ClassVar[int]
    PARTITION_ID_FIELD_NUMBER: _ClassVar[int]
    TABLET_ID_FIELD_NUMBER: _ClassVar[int]
    SCHEMA_HASH_FIELD_NUMBER: _ClassVar[int]
    SHARD_ID_FIELD_NUMBER: _ClassVar[int]
    CREATION_TIME_FIELD_NUMBER: _ClassVar[int]
    CUMULATIVE_LAYER_POINT_FIELD_NUMBER: _ClassVar[int]
    TABLET_STATE_FIELD_NUMBER: _ClassVar[int]
    SCHEMA_FIELD_NUMBER: _ClassVar[int]
    RS_METAS_FIELD_NUMBER: _ClassVar[int]
    ENABLE_UNIQUE_KEY_MERGE_ON_WRITE_FIELD_NUMBER: _ClassVar[int]
    INDEX_ID_FIELD_NUMBER: _ClassVar[int]
    SCHEMA_VERSION_FIELD_NUMBER: _ClassVar[int]
    table_id: int
    partition_id: int
    tablet_id: int
    schema_hash: int
    shard_id: int
    creation_time: int
    cumulative_layer_point: int
    tablet_state: TabletStatePB
    schema: TabletSchemaCloudPB
    rs_metas: _containers.RepeatedCompositeFieldContainer[RowsetMetaCloudPB]
    enable_unique_key_merge_on_write: bool
    index_id: int
    schema_version: int
    def __init__(self, table_id: _Optional[int] = ..., partition_id: _Optional[int] = ..., tablet_id: _Optional[int] = ..., schema_hash: _Optional[int] = ..., shard_id: _Optional[int] = ..., creation_time: _Optional[int] = ..., cumulative_layer_point: _Optional[int] = ..., tablet_state: _Optional[_Union[TabletStatePB, str]] = ..., schema: _Optional[_Union[TabletSchemaCloudPB, _Mapping]] = ..., rs_metas: _Optional[_Iterable[_Union[RowsetMetaCloudPB, _Mapping]]] = ..., enable_unique_key_merge_on_write: _Optional[bool] = ..., index_id: _Optional[int] = ..., schema_version: _Optional[int] = ...) -> None: ...
