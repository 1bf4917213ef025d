from dorisctl.metaservice.proto import segment_v2_pb2 as _segment_v2_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class CompressKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    COMPRESS_NONE: _ClassVar[CompressKind]
    COMPRESS_LZO: _ClassVar[CompressKind]
    COMPRESS_LZ4: _ClassVar[CompressKind]

class RowsetTypePB(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ALPHA_ROWSET: _ClassVar[RowsetTypePB]
    BETA_ROWSET: _ClassVar[RowsetTypePB]

class RowsetStatePB(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PREPARED: _ClassVar[RowsetStatePB]
    COMMITTED: _ClassVar[RowsetStatePB]
    VISIBLE: _ClassVar[RowsetStatePB]
    BEGIN_PARTIAL_UPDATE: _ClassVar[RowsetStatePB]

class SegmentsOverlapPB(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    OVERLAP_UNKNOWN: _ClassVar[SegmentsOverlapPB]
    OVERLAPPING: _ClassVar[SegmentsOverlapPB]
    NONOVERLAPPING: _ClassVar[SegmentsOverlapPB]

class KeysType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    DUP_KEYS: _ClassVar[KeysType]
    UNIQUE_KEYS: _ClassVar[KeysType]
    AGG_KEYS: _ClassVar[KeysType]

class AlterTabletState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ALTER_PREPARED: _ClassVar[AlterTabletState]
    ALTER_RUNNING: _ClassVar[AlterTabletState]
    ALTER_FINISHED: _ClassVar[AlterTabletState]
    ALTER_FAILED: _ClassVar[AlterTabletState]

class AlterTabletType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SCHEMA_CHANGE: _ClassVar[AlterTabletType]
    ROLLUP: _ClassVar[AlterTabletType]
    MIGRATION: _ClassVar[AlterTabletType]

class PatternTypePB(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    MATCH_NAME: _ClassVar[PatternTypePB]
    MATCH_NAME_GLOB: _ClassVar[PatternTypePB]

class IndexType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    BITMAP: _ClassVar[IndexType]
    INVERTED: _ClassVar[IndexType]
    BLOOMFILTER: _ClassVar[IndexType]
    NGRAM_BF: _ClassVar[IndexType]
    ANN: _ClassVar[IndexType]

class InvertedIndexStorageFormatPB(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    V1: _ClassVar[InvertedIndexStorageFormatPB]
    V2: _ClassVar[InvertedIndexStorageFormatPB]
    V3: _ClassVar[InvertedIndexStorageFormatPB]

class SortType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    LEXICAL: _ClassVar[SortType]
    ZORDER: _ClassVar[SortType]

class TabletStatePB(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PB_NOTREADY: _ClassVar[TabletStatePB]
    PB_RUNNING: _ClassVar[TabletStatePB]
    PB_TOMBSTONED: _ClassVar[TabletStatePB]
    PB_STOPPED: _ClassVar[TabletStatePB]
    PB_SHUTDOWN: _ClassVar[TabletStatePB]

class TabletTypePB(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    TABLET_TYPE_DISK: _ClassVar[TabletTypePB]
    TABLET_TYPE_MEMORY: _ClassVar[TabletTypePB]

class BinaryPlainEncodingTypePB(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    BINARY_PLAIN_ENCODING_V1: _ClassVar[BinaryPlainEncodingTypePB]
    BINARY_PLAIN_ENCODING_V2: _ClassVar[BinaryPlainEncodingTypePB]

class EncryptionAlgorithmPB(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PLAINTEXT: _ClassVar[EncryptionAlgorithmPB]
    AES_256_CTR: _ClassVar[EncryptionAlgorithmPB]
    SM4_128_CTR: _ClassVar[EncryptionAlgorithmPB]
COMPRESS_NONE: CompressKind
COMPRESS_LZO: CompressKind
COMPRESS_LZ4: CompressKind
ALPHA_ROWSET: RowsetTypePB
BETA_ROWSET: RowsetTypePB
PREPARED: RowsetStatePB
COMMITTED: RowsetStatePB
VISIBLE: RowsetStatePB
BEGIN_PARTIAL_UPDATE: RowsetStatePB
OVERLAP_UNKNOWN: SegmentsOverlapPB
OVERLAPPING: SegmentsOverlapPB
NONOVERLAPPING: SegmentsOverlapPB
DUP_KEYS: KeysType
UNIQUE_KEYS: KeysType
AGG_KEYS: KeysType
ALTER_PREPARED: AlterTabletState
ALTER_RUNNING: AlterTabletState
ALTER_FINISHED: AlterTabletState
ALTER_FAILED: AlterTabletState
SCHEMA_CHANGE: AlterTabletType
ROLLUP: AlterTabletType
MIGRATION: AlterTabletType
MATCH_NAME: PatternTypePB
MATCH_NAME_GLOB: PatternTypePB
BITMAP: IndexType
INVERTED: IndexType
BLOOMFILTER: IndexType
NGRAM_BF: IndexType
ANN: IndexType
V1: InvertedIndexStorageFormatPB
V2: InvertedIndexStorageFormatPB
V3: InvertedIndexStorageFormatPB
LEXICAL: SortType
ZORDER: SortType
PB_NOTREADY: TabletStatePB
PB_RUNNING: TabletStatePB
PB_TOMBSTONED: TabletStatePB
PB_STOPPED: TabletStatePB
PB_SHUTDOWN: TabletStatePB
TABLET_TYPE_DISK: TabletTypePB
TABLET_TYPE_MEMORY: TabletTypePB
BINARY_PLAIN_ENCODING_V1: BinaryPlainEncodingTypePB
BINARY_PLAIN_ENCODING_V2: BinaryPlainEncodingTypePB
PLAINTEXT: EncryptionAlgorithmPB
AES_256_CTR: EncryptionAlgorithmPB
SM4_128_CTR: EncryptionAlgorithmPB

class InvertedIndexFileInfo(_message.Message):
    __slots__ = ("index_info", "index_size")
    class IndexInfo(_message.Message):
        __slots__ = ("index_id", "index_file_size", "index_suffix")
        INDEX_ID_FIELD_NUMBER: _ClassVar[int]
        INDEX_FILE_SIZE_FIELD_NUMBER: _ClassVar[int]
        INDEX_SUFFIX_FIELD_NUMBER: _ClassVar[int]
        index_id: int
        index_file_size: int
        index_suffix: str
        def __init__(self, index_id: _Optional[int] = ..., index_file_size: _Optional[int] = ..., index_suffix: _Optional[str] = ...) -> None: ...
    INDEX_INFO_FIELD_NUMBER: _ClassVar[int]
    INDEX_SIZE_FIELD_NUMBER: _ClassVar[int]
    index_info: _containers.RepeatedCompositeFieldContainer[InvertedIndexFileInfo.IndexInfo]
    index_size: int
    def __init__(self, index_info: _Optional[_Iterable[_Union[InvertedIndexFileInfo.IndexInfo, _Mapping]]] = ..., index_size: _Optional[int] = ...) -> None: ...

class PUniqueId(_message.Message):
    __slots__ = ("hi", "lo")
    HI_FIELD_NUMBER: _ClassVar[int]
    LO_FIELD_NUMBER: _ClassVar[int]
    hi: int
    lo: int
    def __init__(self, hi: _Optional[int] = ..., lo: _Optional[int] = ...) -> None: ...

class ZoneMap(_message.Message):
    __slots__ = ("min", "max", "null_flag")
    MIN_FIELD_NUMBER: _ClassVar[int]
    MAX_FIELD_NUMBER: _ClassVar[int]
    NULL_FLAG_FIELD_NUMBER: _ClassVar[int]
    min: bytes
    max: bytes
    null_flag: bool
    def __init__(self, min: _Optional[bytes] = ..., max: _Optional[bytes] = ..., null_flag: _Optional[bool] = ...) -> None: ...

class KeyBoundsPB(_message.Message):
    __slots__ = ("min_key", "max_key")
    MIN_KEY_FIELD_NUMBER: _ClassVar[int]
    MAX_KEY_FIELD_NUMBER: _ClassVar[int]
    min_key: bytes
    max_key: bytes
    def __init__(self, min_key: _Optional[bytes] = ..., max_key: _Optional[bytes] = ...) -> None: ...

class SplitSchemaPB(_message.Message):
    __slots__ = ("split_field_ids", "num_split_keys")
    SPLIT_FIELD_IDS_FIELD_NUMBER: _ClassVar[int]
    NUM_SPLIT_KEYS_FIELD_NUMBER: _ClassVar[int]
    split_field_ids: _containers.RepeatedScalarFieldContainer[int]
    num_split_keys: int
    def __init__(self, split_field_ids: _Optional[_Iterable[int]] = ..., num_split_keys: _Optional[int] = ...) -> None: ...

class PackedSliceLocationPB(_message.Message):
    __slots__ = ("packed_file_path", "offset", "size", "packed_file_size")
    PACKED_FILE_PATH_FIELD_NUMBER: _ClassVar[int]
    OFFSET_FIELD_NUMBER: _ClassVar[int]
    SIZE_FIELD_NUMBER: _ClassVar[int]
    PACKED_FILE_SIZE_FIELD_NUMBER: _ClassVar[int]
    packed_file_path: str
    offset: int
    size: int
    packed_file_size: int
    def __init__(self, packed_file_path: _Optional[str] = ..., offset: _Optional[int] = ..., size: _Optional[int] = ..., packed_file_size: _Optional[int] = ...) -> None: ...

class SchemaDictKeyList(_message.Message):
    __slots__ = ("column_dict_key_list", "index_info_dict_key_list", "sparse_column_dict_key_list")
    COLUMN_DICT_KEY_LIST_FIELD_NUMBER: _ClassVar[int]
    INDEX_INFO_DICT_KEY_LIST_FIELD_NUMBER: _ClassVar[int]
    SPARSE_COLUMN_DICT_KEY_LIST_FIELD_NUMBER: _ClassVar[int]
    column_dict_key_list: _containers.RepeatedScalarFieldContainer[int]
    index_info_dict_key_list: _containers.RepeatedScalarFieldContainer[int]
    sparse_column_dict_key_list: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, column_dict_key_list: _Optional[_Iterable[int]] = ..., index_info_dict_key_list: _Optional[_Iterable[int]] = ..., sparse_column_dict_key_list: _Optional[_Iterable[int]] = ...) -> None: ...

class RowsetMetaCloudPB(_message.Message):
    __slots__ = ("rowset_id", "partition_id", "tablet_id", "txn_id", "tablet_schema_hash", "rowset_type", "rowset_state", "start_version", "end_version", "version_hash", "num_rows", "total_disk_size", "data_disk_size", "index_disk_size", "zone_maps", "delete_predicate", "empty", "load_id", "delete_flag", "creation_time", "tablet_uid", "num_segments", "rowset_id_v2", "resource_id", "newest_write_timestamp", "segments_key_bounds", "tablet_schema", "txn_expiration", "segments_overlap_pb", "compaction_level", "source_tablet_id", "source_rowset_id", "segments_key_bounds_truncated", "num_segment_rows", "segments_file_size", "index_id", "schema_version", "enable_segments_file_size", "has_variant_type_in_schema", "schema_dict_key_list", "enable_inverted_index_file_info", "inverted_index_file_info", "__split_schema", "visible_ts_ms", "reference_instance_id", "packed_slice_locations", "is_recycled", "job_id")
    class PackedSliceLocationsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: PackedSliceLocationPB
        def __init__(self, key: _Optional[str] = ..., value: _Optional[_Union[PackedSliceLocationPB, _Mapping]] = ...) -> None: ...
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
    ZONE_MAPS_FIELD_NUMBER: _ClassVar[int]
    DELETE_PREDICATE_FIELD_NUMBER: _ClassVar[int]
    EMPTY_FIELD_NUMBER: _ClassVar[int]
    LOAD_ID_FIELD_NUMBER: _ClassVar[int]
    DELETE_FLAG_FIELD_NUMBER: _ClassVar[int]
    CREATION_TIME_FIELD_NUMBER: _ClassVar[int]
    TABLET_UID_FIELD_NUMBER: _ClassVar[int]
    NUM_SEGMENTS_FIELD_NUMBER: _ClassVar[int]
    ROWSET_ID_V2_FIELD_NUMBER: _ClassVar[int]
    RESOURCE_ID_FIELD_NUMBER: _ClassVar[int]
    NEWEST_WRITE_TIMESTAMP_FIELD_NUMBER: _ClassVar[int]
    SEGMENTS_KEY_BOUNDS_FIELD_NUMBER: _ClassVar[int]
    TABLET_SCHEMA_FIELD_NUMBER: _ClassVar[int]
    TXN_EXPIRATION_FIELD_NUMBER: _ClassVar[int]
    SEGMENTS_OVERLAP_PB_FIELD_NUMBER: _ClassVar[int]
    COMPACTION_LEVEL_FIELD_NUMBER: _ClassVar[int]
    SOURCE_TABLET_ID_FIELD_NUMBER: _ClassVar[int]
    SOURCE_ROWSET_ID_FIELD_NUMBER: _ClassVar[int]
    SEGMENTS_KEY_BOUNDS_TRUNCATED_FIELD_NUMBER: _ClassVar[int]
    NUM_SEGMENT_ROWS_FIELD_NUMBER: _ClassVar[int]
    SEGMENTS_FILE_SIZE_FIELD_NUMBER: _ClassVar[int]
    INDEX_ID_FIELD_NUMBER: _ClassVar[int]
    SCHEMA_VERSION_FIELD_NUMBER: _ClassVar[int]
    ENABLE_SEGMENTS_FILE_SIZE_FIELD_NUMBER: _ClassVar[int]
    HAS_VARIANT_TYPE_IN_SCHEMA_FIELD_NUMBER: _ClassVar[int]
    SCHEMA_DICT_KEY_LIST_FIELD_NUMBER: _ClassVar[int]
    ENABLE_INVERTED_INDEX_FILE_INFO_FIELD_NUMBER: _ClassVar[int]
    INVERTED_INDEX_FILE_INFO_FIELD_NUMBER: _ClassVar[int]
    __SPLIT_SCHEMA_FIELD_NUMBER: _ClassVar[int]
    VISIBLE_TS_MS_FIELD_NUMBER: _ClassVar[int]
    REFERENCE_INSTANCE_ID_FIELD_NUMBER: _ClassVar[int]
    PACKED_SLICE_LOCATIONS_FIELD_NUMBER: _ClassVar[int]
    IS_RECYCLED_FIELD_NUMBER: _ClassVar[int]
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    rowset_id: int
    partition_id: int
    tablet_id: int
    txn_id: int
    tablet_schema_hash: int
    rowset_type: RowsetTypePB
    rowset_state: RowsetStatePB
    start_version: int
    end_version: int
    version_hash: int
    num_rows: int
    total_disk_size: int
    data_disk_size: int
    index_disk_size: int
    zone_maps: _containers.RepeatedCompositeFieldContainer[ZoneMap]
    delete_predicate: DeletePredicatePB
    empty: bool
    load_id: PUniqueId
    delete_flag: bool
    creation_time: int
    tablet_uid: PUniqueId
    num_segments: int
    rowset_id_v2: str
    resource_id: str
    newest_write_timestamp: int
    segments_key_bounds: _containers.RepeatedCompositeFieldContainer[KeyBoundsPB]
    tablet_schema: TabletSchemaCloudPB
    txn_expiration: int
    segments_overlap_pb: SegmentsOverlapPB
    compaction_level: int
    source_tablet_id: int
    source_rowset_id: str
    segments_key_bounds_truncated: bool
    num_segment_rows: _containers.RepeatedScalarFieldContainer[int]
    segments_file_size: _containers.RepeatedScalarFieldContainer[int]
    index_id: int
    schema_version: int
    enable_segments_file_size: bool
    has_variant_type_in_schema: bool
    schema_dict_key_list: SchemaDictKeyList
    enable_inverted_index_file_info: bool
    inverted_index_file_info: _containers.RepeatedCompositeFieldContainer[InvertedIndexFileInfo]
    __split_schema: SplitSchemaPB
    visible_ts_ms: int
    reference_instance_id: str
    packed_slice_locations: _containers.MessageMap[str, PackedSliceLocationPB]
    is_recycled: bool
    job_id: str
    def __init__(self, rowset_id: _Optional[int] = ..., partition_id: _Optional[int] = ..., tablet_id: _Optional[int] = ..., txn_id: _Optional[int] = ..., tablet_schema_hash: _Optional[int] = ..., rowset_type: _Optional[_Union[RowsetTypePB, str]] = ..., rowset_state: _Optional[_Union[RowsetStatePB, str]] = ..., start_version: _Optional[int] = ..., end_version: _Optional[int] = ..., version_hash: _Optional[int] = ..., num_rows: _Optional[int] = ..., total_disk_size: _Optional[int] = ..., data_disk_size: _Optional[int] = ..., index_disk_size: _Optional[int] = ..., zone_maps: _Optional[_Iterable[_Union[ZoneMap, _Mapping]]] = ..., delete_predicate: _Optional[_Union[DeletePredicatePB, _Mapping]] = ..., empty: _Optional[bool] = ..., load_id: _Optional[_Union[PUniqueId, _Mapping]] = ..., delete_flag: _Optional[bool] = ..., creation_time: _Optional[int] = ..., tablet_uid: _Optional[_Union[PUniqueId, _Mapping]] = ..., num_segments: _Optional[int] = ..., rowset_id_v2: _Optional[str] = ..., resource_id: _Optional[str] = ..., newest_write_timestamp: _Optional[int] = ..., segments_key_bounds: _Optional[_Iterable[_Union[KeyBoundsPB, _Mapping]]] = ..., tablet_schema: _Optional[_Union[TabletSchemaCloudPB, _Mapping]] = ..., txn_expiration: _Optional[int] = ..., segments_overlap_pb: _Optional[_Union[SegmentsOverlapPB, str]] = ..., compaction_level: _Optional[int] = ..., source_tablet_id: _Optional[int] = ..., source_rowset_id: _Optional[str] = ..., segments_key_bounds_truncated: _Optional[bool] = ..., num_segment_rows: _Optional[_Iterable[int]] = ..., segments_file_size: _Optional[_Iterable[int]] = ..., index_id: _Optional[int] = ..., schema_version: _Optional[int] = ..., enable_segments_file_size: _Optional[bool] = ..., has_variant_type_in_schema: _Optional[bool] = ..., schema_dict_key_list: _Optional[_Union[SchemaDictKeyList, _Mapping]] = ..., enable_inverted_index_file_info: _Optional[bool] = ..., inverted_index_file_info: _Optional[_Iterable[_Union[InvertedIndexFileInfo, _Mapping]]] = ..., __split_schema: _Optional[_Union[SplitSchemaPB, _Mapping]] = ..., visible_ts_ms: _Optional[int] = ..., reference_instance_id: _Optional[str] = ..., packed_slice_locations: _Optional[_Mapping[str, PackedSliceLocationPB]] = ..., is_recycled: _Optional[bool] = ..., job_id: _Optional[str] = ...) -> None: ...

class DeletePredicatePB(_message.Message):
    __slots__ = ("version", "sub_predicates", "in_predicates", "sub_predicates_v2")
    VERSION_FIELD_NUMBER: _ClassVar[int]
    SUB_PREDICATES_FIELD_NUMBER: _ClassVar[int]
    IN_PREDICATES_FIELD_NUMBER: _ClassVar[int]
    SUB_PREDICATES_V2_FIELD_NUMBER: _ClassVar[int]
    version: int
    sub_predicates: _containers.RepeatedScalarFieldContainer[str]
    in_predicates: _containers.RepeatedCompositeFieldContainer[InPredicatePB]
    sub_predicates_v2: _containers.RepeatedCompositeFieldContainer[DeleteSubPredicatePB]
    def __init__(self, version: _Optional[int] = ..., sub_predicates: _Optional[_Iterable[str]] = ..., in_predicates: _Optional[_Iterable[_Union[InPredicatePB, _Mapping]]] = ..., sub_predicates_v2: _Optional[_Iterable[_Union[DeleteSubPredicatePB, _Mapping]]] = ...) -> None: ...

class DeleteSubPredicatePB(_message.Message):
    __slots__ = ("column_unique_id", "column_name", "op", "cond_value")
    COLUMN_UNIQUE_ID_FIELD_NUMBER: _ClassVar[int]
    COLUMN_NAME_FIELD_NUMBER: _ClassVar[int]
    OP_FIELD_NUMBER: _ClassVar[int]
    COND_VALUE_FIELD_NUMBER: _ClassVar[int]
    column_unique_id: int
    column_name: str
    op: str
    cond_value: str
    def __init__(self, column_unique_id: _Optional[int] = ..., column_name: _Optional[str] = ..., op: _Optional[str] = ..., cond_value: _Optional[str] = ...) -> None: ...

class InPredicatePB(_message.Message):
    __slots__ = ("column_name", "is_not_in", "values", "column_unique_id")
    COLUMN_NAME_FIELD_NUMBER: _ClassVar[int]
    IS_NOT_IN_FIELD_NUMBER: _ClassVar[int]
    VALUES_FIELD_NUMBER: _ClassVar[int]
    COLUMN_UNIQUE_ID_FIELD_NUMBER: _ClassVar[int]
    column_name: str
    is_not_in: bool
    values: _containers.RepeatedScalarFieldContainer[str]
    column_unique_id: int
    def __init__(self, column_name: _Optional[str] = ..., is_not_in: _Optional[bool] = ..., values: _Optional[_Iterable[str]] = ..., column_unique_id: _Optional[int] = ...) -> None: ...

class AlterTabletPB(_message.Message):
    __slots__ = ("alter_state", "related_tablet_id", "related_schema_hash", "alter_type")
    ALTER_STATE_FIELD_NUMBER: _ClassVar[int]
    RELATED_TABLET_ID_FIELD_NUMBER: _ClassVar[int]
    RELATED_SCHEMA_HASH_FIELD_NUMBER: _ClassVar[int]
    ALTER_TYPE_FIELD_NUMBER: _ClassVar[int]
    alter_state: AlterTabletState
    related_tablet_id: int
    related_schema_hash: int
    alter_type: AlterTabletType
    def __init__(self, alter_state: _Optional[_Union[AlterTabletState, str]] = ..., related_tablet_id: _Optional[int] = ..., related_schema_hash: _Optional[int] = ..., alter_type: _Optional[_Union[AlterTabletType, str]] = ...) -> None: ...

class ColumnPB(_message.Message):
    __slots__ = ("unique_id", "name", "type", "is_key", "aggregation", "is_nullable", "default_value", "precision", "frac", "length", "index_length", "is_bf_column", "referenced_column_id", "referenced_column", "has_bitmap_index", "visible", "children_columns", "children_column_names", "result_is_nullable", "column_path_info", "sparse_columns", "is_auto_increment", "parent_unique_id", "be_exec_version", "variant_max_subcolumns_count", "pattern_type", "variant_enable_typed_paths_to_sparse", "is_on_update_current_timestamp", "variant_max_sparse_column_statistics_size", "variant_sparse_hash_shard_count")
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
    INDEX_LENGTH_FIELD_NUMBER: _ClassVar[int]
    IS_BF_COLUMN_FIELD_NUMBER: _ClassVar[int]
    REFERENCED_COLUMN_ID_FIELD_NUMBER: _ClassVar[int]
    REFERENCED_COLUMN_FIELD_NUMBER: _ClassVar[int]
    HAS_BITMAP_INDEX_FIELD_NUMBER: _ClassVar[int]
    VISIBLE_FIELD_NUMBER: _ClassVar[int]
    CHILDREN_COLUMNS_FIELD_NUMBER: _ClassVar[int]
    CHILDREN_COLUMN_NAMES_FIELD_NUMBER: _ClassVar[int]
    RESULT_IS_NULLABLE_FIELD_NUMBER: _ClassVar[int]
    COLUMN_PATH_INFO_FIELD_NUMBER: _ClassVar[int]
    SPARSE_COLUMNS_FIELD_NUMBER: _ClassVar[int]
    IS_AUTO_INCREMENT_FIELD_NUMBER: _ClassVar[int]
    PARENT_UNIQUE_ID_FIELD_NUMBER: _ClassVar[int]
    BE_EXEC_VERSION_FIELD_NUMBER: _ClassVar[int]
    VARIANT_MAX_SUBCOLUMNS_COUNT_FIELD_NUMBER: _ClassVar[int]
    PATTERN_TYPE_FIELD_NUMBER: _ClassVar[int]
    VARIANT_ENABLE_TYPED_PATHS_TO_SPARSE_FIELD_NUMBER: _ClassVar[int]
    IS_ON_UPDATE_CURRENT_TIMESTAMP_FIELD_NUMBER: _ClassVar[int]
    VARIANT_MAX_SPARSE_COLUMN_STATISTICS_SIZE_FIELD_NUMBER: _ClassVar[int]
    VARIANT_SPARSE_HASH_SHARD_COUNT_FIELD_NUMBER: _ClassVar[int]
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
    index_length: int
    is_bf_column: bool
    referenced_column_id: int
    referenced_column: str
    has_bitmap_index: bool
    visible: bool
    children_columns: _containers.RepeatedCompositeFieldContainer[ColumnPB]
    children_column_names: _containers.RepeatedScalarFieldContainer[str]
    result_is_nullable: bool
    column_path_info: _segment_v2_pb2.ColumnPathInfo
    sparse_columns: _containers.RepeatedCompositeFieldContainer[ColumnPB]
    is_auto_increment: bool
    parent_unique_id: int
    be_exec_version: int
    variant_max_subcolumns_count: int
    pattern_type: PatternTypePB
    variant_enable_typed_paths_to_sparse: bool
    is_on_update_current_timestamp: bool
    variant_max_sparse_column_statistics_size: int
    variant_sparse_hash_shard_count: int
    def __init__(self, unique_id: _Optional[int] = ..., name: _Optional[str] = ..., type: _Optional[str] = ..., is_key: _Optional[bool] = ..., aggregation: _Optional[str] = ..., is_nullable: _Optional[bool] = ..., default_value: _Optional[bytes] = ..., precision: _Optional[int] = ..., frac: _Optional[int] = ..., length: _Optional[int] = ..., index_length: _Optional[int] = ..., is_bf_column: _Optional[bool] = ..., referenced_column_id: _Optional[int] = ..., referenced_column: _Optional[str] = ..., has_bitmap_index: _Optional[bool] = ..., visible: _Optional[bool] = ..., children_columns: _Optional[_Iterable[_Union[ColumnPB, _Mapping]]] = ..., children_column_names: _Optional[_Iterable[str]] = ..., result_is_nullable: _Optional[bool] = ..., column_path_info: _Optional[_Union[_segment_v2_pb2.ColumnPathInfo, _Mapping]] = ..., sparse_columns: _Optional[_Iterable[_Union[ColumnPB, _Mapping]]] = ..., is_auto_increment: _Optional[bool] = ..., parent_unique_id: _Optional[int] = ..., be_exec_version: _Optional[int] = ..., variant_max_subcolumns_count: _Optional[int] = ..., pattern_type: _Optional[_Union[PatternTypePB, str]] = ..., variant_enable_typed_paths_to_sparse: _Optional[bool] = ..., is_on_update_current_timestamp: _Optional[bool] = ..., variant_max_sparse_column_statistics_size: _Optional[int] = ..., variant_sparse_hash_shard_count: _Optional[int] = ...) -> None: ...

class SchemaCloudDictionary(_message.Message):
    __slots__ = ("column_dict", "current_column_dict_id", "index_dict", "current_index_dict_id")
    class ColumnDictEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: int
        value: ColumnPB
        def __init__(self, key: _Optional[int] = ..., value: _Optional[_Union[ColumnPB, _Mapping]] = ...) -> None: ...
    class IndexDictEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: int
        value: TabletIndexPB
        def __init__(self, key: _Optional[int] = ..., value: _Optional[_Union[TabletIndexPB, _Mapping]] = ...) -> None: ...
    COLUMN_DICT_FIELD_NUMBER: _ClassVar[int]
    CURRENT_COLUMN_DICT_ID_FIELD_NUMBER: _ClassVar[int]
    INDEX_DICT_FIELD_NUMBER: _ClassVar[int]
    CURRENT_INDEX_DICT_ID_FIELD_NUMBER: _ClassVar[int]
    column_dict: _containers.MessageMap[int, ColumnPB]
    current_column_dict_id: int
    index_dict: _containers.MessageMap[int, TabletIndexPB]
    current_index_dict_id: int
    def __init__(self, column_dict: _Optional[_Mapping[int, ColumnPB]] = ..., current_column_dict_id: _Optional[int] = ..., index_dict: _Optional[_Mapping[int, TabletIndexPB]] = ..., current_index_dict_id: _Optional[int] = ...) -> None: ...

class TabletIndexPB(_message.Message):
    __slots__ = ("index_id", "index_name", "index_type", "col_unique_id", "properties", "index_suffix_name")
    class PropertiesEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    INDEX_ID_FIELD_NUMBER: _ClassVar[int]
    INDEX_NAME_FIELD_NUMBER: _ClassVar[int]
    INDEX_TYPE_FIELD_NUMBER: _ClassVar[int]
    COL_UNIQUE_ID_FIELD_NUMBER: _ClassVar[int]
    PROPERTIES_FIELD_NUMBER: _ClassVar[int]
    INDEX_SUFFIX_NAME_FIELD_NUMBER: _ClassVar[int]
    index_id: int
    index_name: str
    index_type: IndexType
    col_unique_id: _containers.RepeatedScalarFieldContainer[int]
    properties: _containers.ScalarMap[str, str]
    index_suffix_name: str
    def __init__(self, index_id: _Optional[int] = ..., index_name: _Optional[str] = ..., index_type: _Optional[_Union[IndexType, str]] = ..., col_unique_id: _Optional[_Iterable[int]] = ..., properties: _Optional[_Mapping[str, str]] = ..., index_suffix_name: _Optional[str] = ...) -> None: ...

class ColumnGroupPB(_message.Message):
    __slots__ = ("sequence_column", "columns_in_group")
    SEQUENCE_COLUMN_FIELD_NUMBER: _ClassVar[int]
    COLUMNS_IN_GROUP_FIELD_NUMBER: _ClassVar[int]
    sequence_column: int
    columns_in_group: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, sequence_column: _Optional[int] = ..., columns_in_group: _Optional[_Iterable[int]] = ...) -> None: ...

class ColumnGroupsPB(_message.Message):
    __slots__ = ("cg",)
    CG_FIELD_NUMBER: _ClassVar[int]
    cg: _containers.RepeatedCompositeFieldContainer[ColumnGroupPB]
    def __init__(self, cg: _Optional[_Iterable[_Union[ColumnGroupPB, _Mapping]]] = ...) -> None: ...

class TabletSchemaCloudPB(_message.Message):
    __slots__ = ("keys_type", "column", "num_short_key_columns", "num_rows_per_row_block", "compress_kind", "bf_fpp", "next_column_unique_id", "delete_sign_idx", "sequence_col_idx", "sort_type", "sort_col_num", "compression_type", "schema_version", "disable_auto_compaction", "index", "version_col_idx", "store_row_column", "enable_single_replica_compaction", "skip_write_index_on_load", "cluster_key_uids", "inverted_index_storage_format", "row_store_column_unique_ids", "row_store_page_size", "enable_variant_flatten_nested", "skip_bitmap_col_idx", "storage_page_size", "storage_dict_page_size", "is_external_segment_column_meta_used", "integer_type_default_use_plain_encoding", "binary_plain_encoding_default_impl", "seq_map", "is_dynamic_schema", "is_in_memory", "__split_schema")
    KEYS_TYPE_FIELD_NUMBER: _ClassVar[int]
    COLUMN_FIELD_NUMBER: _ClassVar[int]
    NUM_SHORT_KEY_COLUMNS_FIELD_NUMBER: _ClassVar[int]
    NUM_ROWS_PER_ROW_BLOCK_FIELD_NUMBER: _ClassVar[int]
    COMPRESS_KIND_FIELD_NUMBER: _ClassVar[int]
    BF_FPP_FIELD_NUMBER: _ClassVar[int]
    NEXT_COLUMN_UNIQUE_ID_FIELD_NUMBER: _ClassVar[int]
    DELETE_SIGN_IDX_FIELD_NUMBER: _ClassVar[int]
    SEQUENCE_COL_IDX_FIELD_NUMBER: _ClassVar[int]
    SORT_TYPE_FIELD_NUMBER: _ClassVar[int]
    SORT_COL_NUM_FIELD_NUMBER: _ClassVar[int]
    COMPRESSION_TYPE_FIELD_NUMBER: _ClassVar[int]
    SCHEMA_VERSION_FIELD_NUMBER: _ClassVar[int]
    DISABLE_AUTO_COMPACTION_FIELD_NUMBER: _ClassVar[int]
    INDEX_FIELD_NUMBER: _ClassVar[int]
    VERSION_COL_IDX_FIELD_NUMBER: _ClassVar[int]
    STORE_ROW_COLUMN_FIELD_NUMBER: _ClassVar[int]
    ENABLE_SINGLE_REPLICA_COMPACTION_FIELD_NUMBER: _ClassVar[int]
    SKIP_WRITE_INDEX_ON_LOAD_FIELD_NUMBER: _ClassVar[int]
    CLUSTER_KEY_UIDS_FIELD_NUMBER: _ClassVar[int]
    INVERTED_INDEX_STORAGE_FORMAT_FIELD_NUMBER: _ClassVar[int]
    ROW_STORE_COLUMN_UNIQUE_IDS_FIELD_NUMBER: _ClassVar[int]
    ROW_STORE_PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    ENABLE_VARIANT_FLATTEN_NESTED_FIELD_NUMBER: _ClassVar[int]
    SKIP_BITMAP_COL_IDX_FIELD_NUMBER: _ClassVar[int]
    STORAGE_PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    STORAGE_DICT_PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    IS_EXTERNAL_SEGMENT_COLUMN_META_USED_FIELD_NUMBER: _ClassVar[int]
    INTEGER_TYPE_DEFAULT_USE_PLAIN_ENCODING_FIELD_NUMBER: _ClassVar[int]
    BINARY_PLAIN_ENCODING_DEFAULT_IMPL_FIELD_NUMBER: _ClassVar[int]
    SEQ_MAP_FIELD_NUMBER: _ClassVar[int]
    IS_DYNAMIC_SCHEMA_FIELD_NUMBER: _ClassVar[int]
    IS_IN_MEMORY_FIELD_NUMBER: _ClassVar[int]
    __SPLIT_SCHEMA_FIELD_NUMBER: _ClassVar[int]
    keys_type: KeysType
    column: _containers.RepeatedCompositeFieldContainer[ColumnPB]
    num_short_key_columns: int
    num_rows_per_row_block: int
    compress_kind: CompressKind
    bf_fpp: float
    next_column_unique_id: int
    delete_sign_idx: int
    sequence_col_idx: int
    sort_type: SortType
    sort_col_num: int
    compression_type: _segment_v2_pb2.CompressionTypePB
    schema_version: int
    disable_auto_compaction: bool
    index: _containers.RepeatedCompositeFieldContainer[TabletIndexPB]
    version_col_idx: int
    store_row_column: bool
    enable_single_replica_compaction: bool
    skip_write_index_on_load: bool
    cluster_key_uids: _containers.RepeatedScalarFieldContainer[int]
    inverted_index_storage_format: InvertedIndexStorageFormatPB
    row_store_column_unique_ids: _containers.RepeatedScalarFieldContainer[int]
    row_store_page_size: int
    enable_variant_flatten_nested: bool
    skip_bitmap_col_idx: int
    storage_page_size: int
    storage_dict_page_size: int
    is_external_segment_column_meta_used: bool
    integer_type_default_use_plain_encoding: bool
    binary_plain_encoding_default_impl: BinaryPlainEncodingTypePB
    seq_map: ColumnGroupsPB
    is_dynamic_schema: bool
    is_in_memory: bool
    __split_schema: SplitSchemaPB
    def __init__(self, keys_type: _Optional[_Union[KeysType, str]] = ..., column: _Optional[_Iterable[_Union[ColumnPB, _Mapping]]] = ..., num_short_key_columns: _Optional[int] = ..., num_rows_per_row_block: _Optional[int] = ..., compress_kind: _Optional[_Union[CompressKind, str]] = ..., bf_fpp: _Optional[float] = ..., next_column_unique_id: _Optional[int] = ..., delete_sign_idx: _Optional[int] = ..., sequence_col_idx: _Optional[int] = ..., sort_type: _Optional[_Union[SortType, str]] = ..., sort_col_num: _Optional[int] = ..., compression_type: _Optional[_Union[_segment_v2_pb2.CompressionTypePB, str]] = ..., schema_version: _Optional[int] = ..., disable_auto_compaction: _Optional[bool] = ..., index: _Optional[_Iterable[_Union[TabletIndexPB, _Mapping]]] = ..., version_col_idx: _Optional[int] = ..., store_row_column: _Optional[bool] = ..., enable_single_replica_compaction: _Optional[bool] = ..., skip_write_index_on_load: _Optional[bool] = ..., cluster_key_uids: _Optional[_Iterable[int]] = ..., inverted_index_storage_format: _Optional[_Union[InvertedIndexStorageFormatPB, str]] = ..., row_store_column_unique_ids: _Optional[_Iterable[int]] = ..., row_store_page_size: _Optional[int] = ..., enable_variant_flatten_nested: _Optional[bool] = ..., skip_bitmap_col_idx: _Optional[int] = ..., storage_page_size: _Optional[int] = ..., storage_dict_page_size: _Optional[int] = ..., is_external_segment_column_meta_used: _Optional[bool] = ..., integer_type_default_use_plain_encoding: _Optional[bool] = ..., binary_plain_encoding_default_impl: _Optional[_Union[BinaryPlainEncodingTypePB, str]] = ..., seq_map: _Optional[_Union[ColumnGroupsPB, _Mapping]] = ..., is_dynamic_schema: _Optional[bool] = ..., is_in_memory: _Optional[bool] = ..., __split_schema: _Optional[_Union[SplitSchemaPB, _Mapping]] = ...) -> None: ...

class BinlogConfigPB(_message.Message):
    __slots__ = ("enable", "ttl_seconds", "max_bytes", "max_history_nums")
    ENABLE_FIELD_NUMBER: _ClassVar[int]
    TTL_SECONDS_FIELD_NUMBER: _ClassVar[int]
    MAX_BYTES_FIELD_NUMBER: _ClassVar[int]
    MAX_HISTORY_NUMS_FIELD_NUMBER: _ClassVar[int]
    enable: bool
    ttl_seconds: int
    max_bytes: int
    max_history_nums: int
    def __init__(self, enable: _Optional[bool] = ..., ttl_seconds: _Optional[int] = ..., max_bytes: _Optional[int] = ..., max_history_nums: _Optional[int] = ...) -> None: ...

class TabletMetaCloudPB(_message.Message):
    __slots__ = ("table_id", "partition_id", "tablet_id", "schema_hash", "shard_id", "creation_time", "cumulative_layer_point", "tablet_state", "schema", "rs_metas", "inc_rs_metas", "alter_task", "in_restore_mode", "tablet_uid", "end_rowset_id", "preferred_rowset_type", "tablet_type", "stale_rs_metas", "replica_id", "delete_bitmap", "enable_unique_key_merge_on_write", "index_id", "is_in_memory", "is_persistent", "storage_policy_id", "cooldown_meta_id", "binlog_config", "compaction_policy", "time_series_compaction_goal_size_mbytes", "time_series_compaction_file_count_threshold", "time_series_compaction_time_threshold_seconds", "time_series_compaction_empty_rowsets_threshold", "time_series_compaction_level_threshold", "encryption_algorithm", "table_name", "ttl_seconds", "schema_version")
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
    INC_RS_METAS_FIELD_NUMBER: _ClassVar[int]
    ALTER_TASK_FIELD_NUMBER: _ClassVar[int]
    IN_RESTORE_MODE_FIELD_NUMBER: _ClassVar[int]
    TABLET_UID_FIELD_NUMBER: _ClassVar[int]
    END_ROWSET_ID_FIELD_NUMBER: _ClassVar[int]
    PREFERRED_ROWSET_TYPE_FIELD_NUMBER: _ClassVar[int]
    TABLET_TYPE_FIELD_NUMBER: _ClassVar[int]
    STALE_RS_METAS_FIELD_NUMBER: _ClassVar[int]
    REPLICA_ID_FIELD_NUMBER: _ClassVar[int]
    DELETE_BITMAP_FIELD_NUMBER: _ClassVar[int]
    ENABLE_UNIQUE_KEY_MERGE_ON_WRITE_FIELD_NUMBER: _ClassVar[int]
    INDEX_ID_FIELD_NUMBER: _ClassVar[int]
    IS_IN_MEMORY_FIELD_NUMBER: _ClassVar[int]
    IS_PERSISTENT_FIELD_NUMBER: _ClassVar[int]
    STORAGE_POLICY_ID_FIELD_NUMBER: _ClassVar[int]
    COOLDOWN_META_ID_FIELD_NUMBER: _ClassVar[int]
    BINLOG_CONFIG_FIELD_NUMBER: _ClassVar[int]
    COMPACTION_POLICY_FIELD_NUMBER: _ClassVar[int]
    TIME_SERIES_COMPACTION_GOAL_SIZE_MBYTES_FIELD_NUMBER: _ClassVar[int]
    TIME_SERIES_COMPACTION_FILE_COUNT_THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    TIME_SERIES_COMPACTION_TIME_THRESHOLD_SECONDS_FIELD_NUMBER: _ClassVar[int]
    TIME_SERIES_COMPACTION_EMPTY_ROWSETS_THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    TIME_SERIES_COMPACTION_LEVEL_THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    ENCRYPTION_ALGORITHM_FIELD_NUMBER: _ClassVar[int]
    TABLE_NAME_FIELD_NUMBER: _ClassVar[int]
    TTL_SECONDS_FIELD_NUMBER: _ClassVar[int]
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
    inc_rs_metas: _containers.RepeatedCompositeFieldContainer[RowsetMetaCloudPB]
    alter_task: AlterTabletPB
    in_restore_mode: bool
    tablet_uid: PUniqueId
    end_rowset_id: int
    preferred_rowset_type: RowsetTypePB
    tablet_type: TabletTypePB
    stale_rs_metas: _containers.RepeatedCompositeFieldContainer[RowsetMetaCloudPB]
    replica_id: int
    delete_bitmap: DeleteBitmapPB
    enable_unique_key_merge_on_write: bool
    index_id: int
    is_in_memory: bool
    is_persistent: bool
    storage_policy_id: int
    cooldown_meta_id: PUniqueId
    binlog_config: BinlogConfigPB
    compaction_policy: str
    time_series_compaction_goal_size_mbytes: int
    time_series_compaction_file_count_threshold: int
    time_series_compaction_time_threshold_seconds: int
    time_series_compaction_empty_rowsets_threshold: int
    time_series_compaction_level_threshold: int
    encryption_algorithm: EncryptionAlgorithmPB
    table_name: str
    ttl_seconds: int
    schema_version: int
    def __init__(self, table_id: _Optional[int] = ..., partition_id: _Optional[int] = ..., tablet_id: _Optional[int] = ..., schema_hash: _Optional[int] = ..., shard_id: _Optional[int] = ..., creation_time: _Optional[int] = ..., cumulative_layer_point: _Optional[int] = ..., tablet_state: _Optional[_Union[TabletStatePB, str]] = ..., schema: _Optional[_Union[TabletSchemaCloudPB, _Mapping]] = ..., rs_metas: _Optional[_Iterable[_Union[RowsetMetaCloudPB, _Mapping]]] = ..., inc_rs_metas: _Optional[_Iterable[_Union[RowsetMetaCloudPB, _Mapping]]] = ..., alter_task: _Optional[_Union[AlterTabletPB, _Mapping]] = ..., in_restore_mode: _Optional[bool] = ..., tablet_uid: _Optional[_Union[PUniqueId, _Mapping]] = ..., end_rowset_id: _Optional[int] = ..., preferred_rowset_type: _Optional[_Union[RowsetTypePB, str]] = ..., tablet_type: _Optional[_Union[TabletTypePB, str]] = ..., stale_rs_metas: _Optional[_Iterable[_Union[RowsetMetaCloudPB, _Mapping]]] = ..., replica_id: _Optional[int] = ..., delete_bitmap: _Optional[_Union[DeleteBitmapPB, _Mapping]] = ..., enable_unique_key_merge_on_write: _Optional[bool] = ..., index_id: _Optional[int] = ..., is_in_memory: _Optional[bool] = ..., is_persistent: _Optional[bool] = ..., storage_policy_id: _Optional[int] = ..., cooldown_meta_id: _Optional[_Union[PUniqueId, _Mapping]] = ..., binlog_config: _Optional[_Union[BinlogConfigPB, _Mapping]] = ..., compaction_policy: _Optional[str] = ..., time_series_compaction_goal_size_mbytes: _Optional[int] = ..., time_series_compaction_file_count_threshold: _Optional[int] = ..., time_series_compaction_time_threshold_seconds: _Optional[int] = ..., time_series_compaction_empty_rowsets_threshold: _Optional[int] = ..., time_series_compaction_level_threshold: _Optional[int] = ..., encryption_algorithm: _Optional[_Union[EncryptionAlgorithmPB, str]] = ..., table_name: _Optional[str] = ..., ttl_seconds: _Optional[int] = ..., schema_version: _Optional[int] = ...) -> None: ...

class DeleteBitmapPB(_message.Message):
    __slots__ = ("rowset_ids", "segment_ids", "versions", "segment_delete_bitmaps")
    ROWSET_IDS_FIELD_NUMBER: _ClassVar[int]
    SEGMENT_IDS_FIELD_NUMBER: _ClassVar[int]
    VERSIONS_FIELD_NUMBER: _ClassVar[int]
    SEGMENT_DELETE_BITMAPS_FIELD_NUMBER: _ClassVar[int]
    rowset_ids: _containers.RepeatedScalarFieldContainer[str]
    segment_ids: _containers.RepeatedScalarFieldContainer[int]
    versions: _containers.RepeatedScalarFieldContainer[int]
    segment_delete_bitmaps: _containers.RepeatedScalarFieldContainer[bytes]
    def __init__(self, rowset_ids: _Optional[_Iterable[str]] = ..., segment_ids: _Optional[_Iterable[int]] = ..., versions: _Optional[_Iterable[int]] = ..., segment_delete_bitmaps: _Optional[_Iterable[bytes]] = ...) -> None: ...
