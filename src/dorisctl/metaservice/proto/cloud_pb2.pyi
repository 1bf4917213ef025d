from dorisctl.metaservice.proto import olap_file_pb2 as _olap_file_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class MultiVersionStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    MULTI_VERSION_DISABLED: _ClassVar[MultiVersionStatus]
    MULTI_VERSION_WRITE_ONLY: _ClassVar[MultiVersionStatus]
    MULTI_VERSION_READ_WRITE: _ClassVar[MultiVersionStatus]
    MULTI_VERSION_ENABLED: _ClassVar[MultiVersionStatus]

class SnapshotSwitchStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SNAPSHOT_SWITCH_DISABLED: _ClassVar[SnapshotSwitchStatus]
    SNAPSHOT_SWITCH_OFF: _ClassVar[SnapshotSwitchStatus]
    SNAPSHOT_SWITCH_ON: _ClassVar[SnapshotSwitchStatus]

class KeySetType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    UNKNOWN_KEY_SET: _ClassVar[KeySetType]
    SINGLE_VERSION_PARTITION_VERSION: _ClassVar[KeySetType]
    SINGLE_VERSION_TABLE_VERSION: _ClassVar[KeySetType]
    SINGLE_VERSION_META_ROWSET: _ClassVar[KeySetType]
    SINGLE_VERSION_META_TABLET: _ClassVar[KeySetType]
    SINGLE_VERSION_META_SCHEMA: _ClassVar[KeySetType]
    SINGLE_VERSION_TABLET_STATS: _ClassVar[KeySetType]
    SINGLE_VERSION_TABLET_INDEX: _ClassVar[KeySetType]
    MULTI_VERSION_PARTITION_VERSION: _ClassVar[KeySetType]
    MULTI_VERSION_TABLE_VERSION: _ClassVar[KeySetType]
    MULTI_VERSION_INDEX_PARTITION: _ClassVar[KeySetType]
    MULTI_VERSION_INDEX_INDEX: _ClassVar[KeySetType]
    MULTI_VERSION_INDEX_TABLET: _ClassVar[KeySetType]
    MULTI_VERSION_TABLET_STATS: _ClassVar[KeySetType]
    MULTI_VERSION_META_PARTITION: _ClassVar[KeySetType]
    MULTI_VERSION_META_INDEX: _ClassVar[KeySetType]
    MULTI_VERSION_META_TABLET: _ClassVar[KeySetType]
    MULTI_VERSION_META_SCHEMA: _ClassVar[KeySetType]
    MULTI_VERSION_META_ROWSET: _ClassVar[KeySetType]

class ClusterStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    UNKNOWN: _ClassVar[ClusterStatus]
    NORMAL: _ClassVar[ClusterStatus]
    SUSPENDED: _ClassVar[ClusterStatus]
    TO_RESUME: _ClassVar[ClusterStatus]
    MANUAL_SHUTDOWN: _ClassVar[ClusterStatus]

class NodeStatusPB(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    NODE_STATUS_UNKNOWN: _ClassVar[NodeStatusPB]
    NODE_STATUS_RUNNING: _ClassVar[NodeStatusPB]
    NODE_STATUS_SHUTDOWN: _ClassVar[NodeStatusPB]
    NODE_STATUS_DECOMMISSIONING: _ClassVar[NodeStatusPB]
    NODE_STATUS_DECOMMISSIONED: _ClassVar[NodeStatusPB]

class CredProviderTypePB(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    DEFAULT: _ClassVar[CredProviderTypePB]
    SIMPLE: _ClassVar[CredProviderTypePB]
    INSTANCE_PROFILE: _ClassVar[CredProviderTypePB]

class TxnSourceTypePB(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    UKNOWN_TXN_SOURCE_TYPE: _ClassVar[TxnSourceTypePB]
    TXN_SOURCE_TYPE_FE: _ClassVar[TxnSourceTypePB]
    TXN_SOURCE_TYPE_BE: _ClassVar[TxnSourceTypePB]

class LoadJobSourceTypePB(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    LOAD_JOB_SRC_TYPE_UNKNOWN: _ClassVar[LoadJobSourceTypePB]
    LOAD_JOB_SRC_TYPE_FRONTEND: _ClassVar[LoadJobSourceTypePB]
    LOAD_JOB_SRC_TYPE_BACKEND_STREAMING: _ClassVar[LoadJobSourceTypePB]
    LOAD_JOB_SRC_TYPE_INSERT_STREAMING: _ClassVar[LoadJobSourceTypePB]
    LOAD_JOB_SRC_TYPE_ROUTINE_LOAD_TASK: _ClassVar[LoadJobSourceTypePB]
    LOAD_JOB_SRC_TYPE_BATCH_LOAD_JOB: _ClassVar[LoadJobSourceTypePB]
    LOAD_JOB_SRC_TYPE_STREAMING_JOB: _ClassVar[LoadJobSourceTypePB]

class TxnStatusPB(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    TXN_STATUS_UNKNOWN: _ClassVar[TxnStatusPB]
    TXN_STATUS_PREPARED: _ClassVar[TxnStatusPB]
    TXN_STATUS_COMMITTED: _ClassVar[TxnStatusPB]
    TXN_STATUS_VISIBLE: _ClassVar[TxnStatusPB]
    TXN_STATUS_ABORTED: _ClassVar[TxnStatusPB]
    TXN_STATUS_PRECOMMITTED: _ClassVar[TxnStatusPB]

class SnapshotType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SNAPSHOT_REFERENCE: _ClassVar[SnapshotType]

class SnapshotStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SNAPSHOT_PREPARE: _ClassVar[SnapshotStatus]
    SNAPSHOT_NORMAL: _ClassVar[SnapshotStatus]
    SNAPSHOT_ABORTED: _ClassVar[SnapshotStatus]
    SNAPSHOT_RECYCLED: _ClassVar[SnapshotStatus]

class MetaServiceCode(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    OK: _ClassVar[MetaServiceCode]
    INVALID_ARGUMENT: _ClassVar[MetaServiceCode]
    KV_TXN_CREATE_ERR: _ClassVar[MetaServiceCode]
    KV_TXN_GET_ERR: _ClassVar[MetaServiceCode]
    KV_TXN_COMMIT_ERR: _ClassVar[MetaServiceCode]
    KV_TXN_CONFLICT: _ClassVar[MetaServiceCode]
    PROTOBUF_PARSE_ERR: _ClassVar[MetaServiceCode]
    PROTOBUF_SERIALIZE_ERR: _ClassVar[MetaServiceCode]
    KV_TXN_STORE_GET_RETRYABLE: _ClassVar[MetaServiceCode]
    KV_TXN_STORE_COMMIT_RETRYABLE: _ClassVar[MetaServiceCode]
    KV_TXN_STORE_CREATE_RETRYABLE: _ClassVar[MetaServiceCode]
    KV_TXN_TOO_OLD: _ClassVar[MetaServiceCode]
    TXN_GEN_ID_ERR: _ClassVar[MetaServiceCode]
    TXN_DUPLICATED_REQ: _ClassVar[MetaServiceCode]
    TXN_LABEL_ALREADY_USED: _ClassVar[MetaServiceCode]
    TXN_INVALID_STATUS: _ClassVar[MetaServiceCode]
    TXN_LABEL_NOT_FOUND: _ClassVar[MetaServiceCode]
    TXN_ID_NOT_FOUND: _ClassVar[MetaServiceCode]
    TXN_ALREADY_ABORTED: _ClassVar[MetaServiceCode]
    TXN_ALREADY_VISIBLE: _ClassVar[MetaServiceCode]
    TXN_ALREADY_PRECOMMITED: _ClassVar[MetaServiceCode]
    VERSION_NOT_FOUND: _ClassVar[MetaServiceCode]
    TABLET_NOT_FOUND: _ClassVar[MetaServiceCode]
    STALE_TABLET_CACHE: _ClassVar[MetaServiceCode]
    STALE_PREPARE_ROWSET: _ClassVar[MetaServiceCode]
    CLUSTER_NOT_FOUND: _ClassVar[MetaServiceCode]
    ALREADY_EXISTED: _ClassVar[MetaServiceCode]
    CLUSTER_ENDPOINT_MISSING: _ClassVar[MetaServiceCode]
    STORAGE_VAULT_NOT_FOUND: _ClassVar[MetaServiceCode]
    STAGE_NOT_FOUND: _ClassVar[MetaServiceCode]
    STAGE_GET_ERR: _ClassVar[MetaServiceCode]
    STATE_ALREADY_EXISTED_FOR_USER: _ClassVar[MetaServiceCode]
    COPY_JOB_NOT_FOUND: _ClassVar[MetaServiceCode]
    JOB_EXPIRED: _ClassVar[MetaServiceCode]
    JOB_TABLET_BUSY: _ClassVar[MetaServiceCode]
    JOB_ALREADY_SUCCESS: _ClassVar[MetaServiceCode]
    ROUTINE_LOAD_DATA_INCONSISTENT: _ClassVar[MetaServiceCode]
    ROUTINE_LOAD_PROGRESS_NOT_FOUND: _ClassVar[MetaServiceCode]
    JOB_CHECK_ALTER_VERSION: _ClassVar[MetaServiceCode]
    STREAMING_JOB_PROGRESS_NOT_FOUND: _ClassVar[MetaServiceCode]
    MAX_QPS_LIMIT: _ClassVar[MetaServiceCode]
    ERR_ENCRYPT: _ClassVar[MetaServiceCode]
    ERR_DECPYPT: _ClassVar[MetaServiceCode]
    LOCK_EXPIRED: _ClassVar[MetaServiceCode]
    LOCK_CONFLICT: _ClassVar[MetaServiceCode]
    ROWSETS_EXPIRED: _ClassVar[MetaServiceCode]
    VERSION_NOT_MATCH: _ClassVar[MetaServiceCode]
    UPDATE_OVERRIDE_EXISTING_KV: _ClassVar[MetaServiceCode]
    ROWSET_META_NOT_FOUND: _ClassVar[MetaServiceCode]
    KV_TXN_CONFLICT_RETRY_EXCEEDED_MAX_TIMES: _ClassVar[MetaServiceCode]
    SCHEMA_DICT_NOT_FOUND: _ClassVar[MetaServiceCode]
    UNDEFINED_ERR: _ClassVar[MetaServiceCode]
MULTI_VERSION_DISABLED: MultiVersionStatus
MULTI_VERSION_WRITE_ONLY: MultiVersionStatus
MULTI_VERSION_READ_WRITE: MultiVersionStatus
MULTI_VERSION_ENABLED: MultiVersionStatus
SNAPSHOT_SWITCH_DISABLED: SnapshotSwitchStatus
SNAPSHOT_SWITCH_OFF: SnapshotSwitchStatus
SNAPSHOT_SWITCH_ON: SnapshotSwitchStatus
UNKNOWN_KEY_SET: KeySetType
SINGLE_VERSION_PARTITION_VERSION: KeySetType
SINGLE_VERSION_TABLE_VERSION: KeySetType
SINGLE_VERSION_META_ROWSET: KeySetType
SINGLE_VERSION_META_TABLET: KeySetType
SINGLE_VERSION_META_SCHEMA: KeySetType
SINGLE_VERSION_TABLET_STATS: KeySetType
SINGLE_VERSION_TABLET_INDEX: KeySetType
MULTI_VERSION_PARTITION_VERSION: KeySetType
MULTI_VERSION_TABLE_VERSION: KeySetType
MULTI_VERSION_INDEX_PARTITION: KeySetType
MULTI_VERSION_INDEX_INDEX: KeySetType
MULTI_VERSION_INDEX_TABLET: KeySetType
MULTI_VERSION_TABLET_STATS: KeySetType
MULTI_VERSION_META_PARTITION: KeySetType
MULTI_VERSION_META_INDEX: KeySetType
MULTI_VERSION_META_TABLET: KeySetType
MULTI_VERSION_META_SCHEMA: KeySetType
MULTI_VERSION_META_ROWSET: KeySetType
UNKNOWN: ClusterStatus
NORMAL: ClusterStatus
SUSPENDED: ClusterStatus
TO_RESUME: ClusterStatus
MANUAL_SHUTDOWN: ClusterStatus
NODE_STATUS_UNKNOWN: NodeStatusPB
NODE_STATUS_RUNNING: NodeStatusPB
NODE_STATUS_SHUTDOWN: NodeStatusPB
NODE_STATUS_DECOMMISSIONING: NodeStatusPB
NODE_STATUS_DECOMMISSIONED: NodeStatusPB
DEFAULT: CredProviderTypePB
SIMPLE: CredProviderTypePB
INSTANCE_PROFILE: CredProviderTypePB
UKNOWN_TXN_SOURCE_TYPE: TxnSourceTypePB
TXN_SOURCE_TYPE_FE: TxnSourceTypePB
TXN_SOURCE_TYPE_BE: TxnSourceTypePB
LOAD_JOB_SRC_TYPE_UNKNOWN: LoadJobSourceTypePB
LOAD_JOB_SRC_TYPE_FRONTEND: LoadJobSourceTypePB
LOAD_JOB_SRC_TYPE_BACKEND_STREAMING: LoadJobSourceTypePB
LOAD_JOB_SRC_TYPE_INSERT_STREAMING: LoadJobSourceTypePB
LOAD_JOB_SRC_TYPE_ROUTINE_LOAD_TASK: LoadJobSourceTypePB
LOAD_JOB_SRC_TYPE_BATCH_LOAD_JOB: LoadJobSourceTypePB
LOAD_JOB_SRC_TYPE_STREAMING_JOB: LoadJobSourceTypePB
TXN_STATUS_UNKNOWN: TxnStatusPB
TXN_STATUS_PREPARED: TxnStatusPB
TXN_STATUS_COMMITTED: TxnStatusPB
TXN_STATUS_VISIBLE: TxnStatusPB
TXN_STATUS_ABORTED: TxnStatusPB
TXN_STATUS_PRECOMMITTED: TxnStatusPB
SNAPSHOT_REFERENCE: SnapshotType
SNAPSHOT_PREPARE: SnapshotStatus
SNAPSHOT_NORMAL: SnapshotStatus
SNAPSHOT_ABORTED: SnapshotStatus
SNAPSHOT_RECYCLED: SnapshotStatus
OK: MetaServiceCode
INVALID_ARGUMENT: MetaServiceCode
KV_TXN_CREATE_ERR: MetaServiceCode
KV_TXN_GET_ERR: MetaServiceCode
KV_TXN_COMMIT_ERR: MetaServiceCode
KV_TXN_CONFLICT: MetaServiceCode
PROTOBUF_PARSE_ERR: MetaServiceCode
PROTOBUF_SERIALIZE_ERR: MetaServiceCode
KV_TXN_STORE_GET_RETRYABLE: MetaServiceCode
KV_TXN_STORE_COMMIT_RETRYABLE: MetaServiceCode
KV_TXN_STORE_CREATE_RETRYABLE: MetaServiceCode
KV_TXN_TOO_OLD: MetaServiceCode
TXN_GEN_ID_ERR: MetaServiceCode
TXN_DUPLICATED_REQ: MetaServiceCode
TXN_LABEL_ALREADY_USED: MetaServiceCode
TXN_INVALID_STATUS: MetaServiceCode
TXN_LABEL_NOT_FOUND: MetaServiceCode
TXN_ID_NOT_FOUND: MetaServiceCode
TXN_ALREADY_ABORTED: MetaServiceCode
TXN_ALREADY_VISIBLE: MetaServiceCode
TXN_ALREADY_PRECOMMITED: MetaServiceCode
VERSION_NOT_FOUND: MetaServiceCode
TABLET_NOT_FOUND: MetaServiceCode
STALE_TABLET_CACHE: MetaServiceCode
STALE_PREPARE_ROWSET: MetaServiceCode
CLUSTER_NOT_FOUND: MetaServiceCode
ALREADY_EXISTED: MetaServiceCode
CLUSTER_ENDPOINT_MISSING: MetaServiceCode
STORAGE_VAULT_NOT_FOUND: MetaServiceCode
STAGE_NOT_FOUND: MetaServiceCode
STAGE_GET_ERR: MetaServiceCode
STATE_ALREADY_EXISTED_FOR_USER: MetaServiceCode
COPY_JOB_NOT_FOUND: MetaServiceCode
JOB_EXPIRED: MetaServiceCode
JOB_TABLET_BUSY: MetaServiceCode
JOB_ALREADY_SUCCESS: MetaServiceCode
ROUTINE_LOAD_DATA_INCONSISTENT: MetaServiceCode
ROUTINE_LOAD_PROGRESS_NOT_FOUND: MetaServiceCode
JOB_CHECK_ALTER_VERSION: MetaServiceCode
STREAMING_JOB_PROGRESS_NOT_FOUND: MetaServiceCode
MAX_QPS_LIMIT: MetaServiceCode
ERR_ENCRYPT: MetaServiceCode
ERR_DECPYPT: MetaServiceCode
LOCK_EXPIRED: MetaServiceCode
LOCK_CONFLICT: MetaServiceCode
ROWSETS_EXPIRED: MetaServiceCode
VERSION_NOT_MATCH: MetaServiceCode
UPDATE_OVERRIDE_EXISTING_KV: MetaServiceCode
ROWSET_META_NOT_FOUND: MetaServiceCode
KV_TXN_CONFLICT_RETRY_EXCEEDED_MAX_TIMES: MetaServiceCode
SCHEMA_DICT_NOT_FOUND: MetaServiceCode
UNDEFINED_ERR: MetaServiceCode

class EncryptionInfoPB(_message.Message):
    __slots__ = ("encryption_method", "key_id")
    ENCRYPTION_METHOD_FIELD_NUMBER: _ClassVar[int]
    KEY_ID_FIELD_NUMBER: _ClassVar[int]
    encryption_method: str
    key_id: int
    def __init__(self, encryption_method: _Optional[str] = ..., key_id: _Optional[int] = ...) -> None: ...

class EncryptionKeyInfoPB(_message.Message):
    __slots__ = ("items",)
    class KMSInfo(_message.Message):
        __slots__ = ("endpoint", "region", "cmk")
        ENDPOINT_FIELD_NUMBER: _ClassVar[int]
        REGION_FIELD_NUMBER: _ClassVar[int]
        CMK_FIELD_NUMBER: _ClassVar[int]
        endpoint: str
        region: str
        cmk: str
        def __init__(self, endpoint: _Optional[str] = ..., region: _Optional[str] = ..., cmk: _Optional[str] = ...) -> None: ...
    class Item(_message.Message):
        __slots__ = ("key_id", "key", "kms_info")
        KEY_ID_FIELD_NUMBER: _ClassVar[int]
        KEY_FIELD_NUMBER: _ClassVar[int]
        KMS_INFO_FIELD_NUMBER: _ClassVar[int]
        key_id: int
        key: str
        kms_info: EncryptionKeyInfoPB.KMSInfo
        def __init__(self, key_id: _Optional[int] = ..., key: _Optional[str] = ..., kms_info: _Optional[_Union[EncryptionKeyInfoPB.KMSInfo, _Mapping]] = ...) -> None: ...
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    items: _containers.RepeatedCompositeFieldContainer[EncryptionKeyInfoPB.Item]
    def __init__(self, items: _Optional[_Iterable[_Union[EncryptionKeyInfoPB.Item, _Mapping]]] = ...) -> None: ...

class RamUserPB(_message.Message):
    __slots__ = ("user_id", "ak", "sk", "external_id", "encryption_info")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    AK_FIELD_NUMBER: _ClassVar[int]
    SK_FIELD_NUMBER: _ClassVar[int]
    EXTERNAL_ID_FIELD_NUMBER: _ClassVar[int]
    ENCRYPTION_INFO_FIELD_NUMBER: _ClassVar[int]
    user_id: str
    ak: str
    sk: str
    external_id: str
    encryption_info: EncryptionInfoPB
    def __init__(self, user_id: _Optional[str] = ..., ak: _Optional[str] = ..., sk: _Optional[str] = ..., external_id: _Optional[str] = ..., encryption_info: _Optional[_Union[EncryptionInfoPB, _Mapping]] = ...) -> None: ...

class InstanceInfoPB(_message.Message):
    __slots__ = ("user_id", "instance_id", "name", "lb_ip", "ctime", "mtime", "clusters", "obj_info", "stages", "status", "ram_user", "iam_user", "sse_enabled", "resource_ids", "storage_vault_names", "default_storage_vault_id", "default_storage_vault_name", "enable_storage_vault", "multi_version_status", "snapshot_switch_status", "source_instance_id", "source_snapshot_id", "original_instance_id", "successor_instance_id", "ready_only", "max_reserved_snapshot", "snapshot_interval_seconds", "migrated_key_sets", "compacted_key_sets", "snapshot_retained_data_size", "snapshot_billable_data_size")
    class Status(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        NORMAL: _ClassVar[InstanceInfoPB.Status]
        DELETED: _ClassVar[InstanceInfoPB.Status]
        OVERDUE: _ClassVar[InstanceInfoPB.Status]
    NORMAL: InstanceInfoPB.Status
    DELETED: InstanceInfoPB.Status
    OVERDUE: InstanceInfoPB.Status
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    INSTANCE_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    LB_IP_FIELD_NUMBER: _ClassVar[int]
    CTIME_FIELD_NUMBER: _ClassVar[int]
    MTIME_FIELD_NUMBER: _ClassVar[int]
    CLUSTERS_FIELD_NUMBER: _ClassVar[int]
    OBJ_INFO_FIELD_NUMBER: _ClassVar[int]
    STAGES_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    RAM_USER_FIELD_NUMBER: _ClassVar[int]
    IAM_USER_FIELD_NUMBER: _ClassVar[int]
    SSE_ENABLED_FIELD_NUMBER: _ClassVar[int]
    RESOURCE_IDS_FIELD_NUMBER: _ClassVar[int]
    STORAGE_VAULT_NAMES_FIELD_NUMBER: _ClassVar[int]
    DEFAULT_STORAGE_VAULT_ID_FIELD_NUMBER: _ClassVar[int]
    DEFAULT_STORAGE_VAULT_NAME_FIELD_NUMBER: _ClassVar[int]
    ENABLE_STORAGE_VAULT_FIELD_NUMBER: _ClassVar[int]
    MULTI_VERSION_STATUS_FIELD_NUMBER: _ClassVar[int]
    SNAPSHOT_SWITCH_STATUS_FIELD_NUMBER: _ClassVar[int]
    SOURCE_INSTANCE_ID_FIELD_NUMBER: _ClassVar[int]
    SOURCE_SNAPSHOT_ID_FIELD_NUMBER: _ClassVar[int]
    ORIGINAL_INSTANCE_ID_FIELD_NUMBER: _ClassVar[int]
    SUCCESSOR_INSTANCE_ID_FIELD_NUMBER: _ClassVar[int]
    READY_ONLY_FIELD_NUMBER: _ClassVar[int]
    MAX_RESERVED_SNAPSHOT_FIELD_NUMBER: _ClassVar[int]
    SNAPSHOT_INTERVAL_SECONDS_FIELD_NUMBER: _ClassVar[int]
    MIGRATED_KEY_SETS_FIELD_NUMBER: _ClassVar[int]
    COMPACTED_KEY_SETS_FIELD_NUMBER: _ClassVar[int]
    SNAPSHOT_RETAINED_DATA_SIZE_FIELD_NUMBER: _ClassVar[int]
    SNAPSHOT_BILLABLE_DATA_SIZE_FIELD_NUMBER: _ClassVar[int]
    user_id: str
    instance_id: str
    name: str
    lb_ip: _containers.RepeatedScalarFieldContainer[str]
    ctime: int
    mtime: int
    clusters: _containers.RepeatedCompositeFieldContainer[ClusterPB]
    obj_info: _containers.RepeatedCompositeFieldContainer[ObjectStoreInfoPB]
    stages: _containers.RepeatedCompositeFieldContainer[StagePB]
    status: InstanceInfoPB.Status
    ram_user: RamUserPB
    iam_user: RamUserPB
    sse_enabled: bool
    resource_ids: _containers.RepeatedScalarFieldContainer[str]
    storage_vault_names: _containers.RepeatedScalarFieldContainer[str]
    default_storage_vault_id: str
    default_storage_vault_name: str
    enable_storage_vault: bool
    multi_version_status: MultiVersionStatus
    snapshot_switch_status: SnapshotSwitchStatus
    source_instance_id: str
    source_snapshot_id: str
    original_instance_id: str
    successor_instance_id: str
    ready_only: bool
    max_reserved_snapshot: int
    snapshot_interval_seconds: int
    migrated_key_sets: _containers.RepeatedScalarFieldContainer[KeySetType]
    compacted_key_sets: _containers.RepeatedScalarFieldContainer[KeySetType]
    snapshot_retained_data_size: int
    snapshot_billable_data_size: int
    def __init__(self, user_id: _Optional[str] = ..., instance_id: _Optional[str] = ..., name: _Optional[str] = ..., lb_ip: _Optional[_Iterable[str]] = ..., ctime: _Optional[int] = ..., mtime: _Optional[int] = ..., clusters: _Optional[_Iterable[_Union[ClusterPB, _Mapping]]] = ..., obj_info: _Optional[_Iterable[_Union[ObjectStoreInfoPB, _Mapping]]] = ..., stages: _Optional[_Iterable[_Union[StagePB, _Mapping]]] = ..., status: _Optional[_Union[InstanceInfoPB.Status, str]] = ..., ram_user: _Optional[_Union[RamUserPB, _Mapping]] = ..., iam_user: _Optional[_Union[RamUserPB, _Mapping]] = ..., sse_enabled: _Optional[bool] = ..., resource_ids: _Optional[_Iterable[str]] = ..., storage_vault_names: _Optional[_Iterable[str]] = ..., default_storage_vault_id: _Optional[str] = ..., default_storage_vault_name: _Optional[str] = ..., enable_storage_vault: _Optional[bool] = ..., multi_version_status: _Optional[_Union[MultiVersionStatus, str]] = ..., snapshot_switch_status: _Optional[_Union[SnapshotSwitchStatus, str]] = ..., source_instance_id: _Optional[str] = ..., source_snapshot_id: _Optional[str] = ..., original_instance_id: _Optional[str] = ..., successor_instance_id: _Optional[str] = ..., ready_only: _Optional[bool] = ..., max_reserved_snapshot: _Optional[int] = ..., snapshot_interval_seconds: _Optional[int] = ..., migrated_key_sets: _Optional[_Iterable[_Union[KeySetType, str]]] = ..., compacted_key_sets: _Optional[_Iterable[_Union[KeySetType, str]]] = ..., snapshot_retained_data_size: _Optional[int] = ..., snapshot_billable_data_size: _Optional[int] = ...) -> None: ...

class StagePB(_message.Message):
    __slots__ = ("type", "mysql_user_name", "name", "obj_info", "stage_id", "properties", "mysql_user_id", "comment", "create_time", "access_type", "role_name", "arn", "external_id")
    class StageType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        INTERNAL: _ClassVar[StagePB.StageType]
        EXTERNAL: _ClassVar[StagePB.StageType]
    INTERNAL: StagePB.StageType
    EXTERNAL: StagePB.StageType
    class StageAccessType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        UNKNOWN: _ClassVar[StagePB.StageAccessType]
        AKSK: _ClassVar[StagePB.StageAccessType]
        IAM: _ClassVar[StagePB.StageAccessType]
        BUCKET_ACL: _ClassVar[StagePB.StageAccessType]
    UNKNOWN: StagePB.StageAccessType
    AKSK: StagePB.StageAccessType
    IAM: StagePB.StageAccessType
    BUCKET_ACL: StagePB.StageAccessType
    class PropertiesEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    TYPE_FIELD_NUMBER: _ClassVar[int]
    MYSQL_USER_NAME_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    OBJ_INFO_FIELD_NUMBER: _ClassVar[int]
    STAGE_ID_FIELD_NUMBER: _ClassVar[int]
    PROPERTIES_FIELD_NUMBER: _ClassVar[int]
    MYSQL_USER_ID_FIELD_NUMBER: _ClassVar[int]
    COMMENT_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    ACCESS_TYPE_FIELD_NUMBER: _ClassVar[int]
    ROLE_NAME_FIELD_NUMBER: _ClassVar[int]
    ARN_FIELD_NUMBER: _ClassVar[int]
    EXTERNAL_ID_FIELD_NUMBER: _ClassVar[int]
    type: StagePB.StageType
    mysql_user_name: _containers.RepeatedScalarFieldContainer[str]
    name: str
    obj_info: ObjectStoreInfoPB
    stage_id: str
    properties: _containers.ScalarMap[str, str]
    mysql_user_id: _containers.RepeatedScalarFieldContainer[str]
    comment: str
    create_time: int
    access_type: StagePB.StageAccessType
    role_name: str
    arn: str
    external_id: str
    def __init__(self, type: _Optional[_Union[StagePB.StageType, str]] = ..., mysql_user_name: _Optional[_Iterable[str]] = ..., name: _Optional[str] = ..., obj_info: _Optional[_Union[ObjectStoreInfoPB, _Mapping]] = ..., stage_id: _Optional[str] = ..., properties: _Optional[_Mapping[str, str]] = ..., mysql_user_id: _Optional[_Iterable[str]] = ..., comment: _Optional[str] = ..., create_time: _Optional[int] = ..., access_type: _Optional[_Union[StagePB.StageAccessType, str]] = ..., role_name: _Optional[str] = ..., arn: _Optional[str] = ..., external_id: _Optional[str] = ...) -> None: ...

class ClusterPolicy(_message.Message):
    __slots__ = ("type", "active_cluster_name", "standby_cluster_names", "failover_failure_threshold", "unhealthy_node_threshold_percent", "cache_warmup_jobids")
    class PolicyType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        ActiveStandby: _ClassVar[ClusterPolicy.PolicyType]
    ActiveStandby: ClusterPolicy.PolicyType
    TYPE_FIELD_NUMBER: _ClassVar[int]
    ACTIVE_CLUSTER_NAME_FIELD_NUMBER: _ClassVar[int]
    STANDBY_CLUSTER_NAMES_FIELD_NUMBER: _ClassVar[int]
    FAILOVER_FAILURE_THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    UNHEALTHY_NODE_THRESHOLD_PERCENT_FIELD_NUMBER: _ClassVar[int]
    CACHE_WARMUP_JOBIDS_FIELD_NUMBER: _ClassVar[int]
    type: ClusterPolicy.PolicyType
    active_cluster_name: str
    standby_cluster_names: _containers.RepeatedScalarFieldContainer[str]
    failover_failure_threshold: int
    unhealthy_node_threshold_percent: int
    cache_warmup_jobids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, type: _Optional[_Union[ClusterPolicy.PolicyType, str]] = ..., active_cluster_name: _Optional[str] = ..., standby_cluster_names: _Optional[_Iterable[str]] = ..., failover_failure_threshold: _Optional[int] = ..., unhealthy_node_threshold_percent: _Optional[int] = ..., cache_warmup_jobids: _Optional[_Iterable[str]] = ...) -> None: ...

class ClusterPB(_message.Message):
    __slots__ = ("cluster_id", "cluster_name", "type", "desc", "nodes", "mysql_user_name", "public_endpoint", "private_endpoint", "cluster_status", "ctime", "mtime", "cluster_names", "cluster_policy", "properties")
    class Type(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        SQL: _ClassVar[ClusterPB.Type]
        COMPUTE: _ClassVar[ClusterPB.Type]
        VIRTUAL: _ClassVar[ClusterPB.Type]
    SQL: ClusterPB.Type
    COMPUTE: ClusterPB.Type
    VIRTUAL: ClusterPB.Type
    class PropertiesEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    CLUSTER_ID_FIELD_NUMBER: _ClassVar[int]
    CLUSTER_NAME_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    DESC_FIELD_NUMBER: _ClassVar[int]
    NODES_FIELD_NUMBER: _ClassVar[int]
    MYSQL_USER_NAME_FIELD_NUMBER: _ClassVar[int]
    PUBLIC_ENDPOINT_FIELD_NUMBER: _ClassVar[int]
    PRIVATE_ENDPOINT_FIELD_NUMBER: _ClassVar[int]
    CLUSTER_STATUS_FIELD_NUMBER: _ClassVar[int]
    CTIME_FIELD_NUMBER: _ClassVar[int]
    MTIME_FIELD_NUMBER: _ClassVar[int]
    CLUSTER_NAMES_FIELD_NUMBER: _ClassVar[int]
    CLUSTER_POLICY_FIELD_NUMBER: _ClassVar[int]
    PROPERTIES_FIELD_NUMBER: _ClassVar[int]
    cluster_id: str
    cluster_name: str
    type: ClusterPB.Type
    desc: str
    nodes: _containers.RepeatedCompositeFieldContainer[NodeInfoPB]
    mysql_user_name: _containers.RepeatedScalarFieldContainer[str]
    public_endpoint: str
    private_endpoint: str
    cluster_status: ClusterStatus
    ctime: int
    mtime: int
    cluster_names: _containers.RepeatedScalarFieldContainer[str]
    cluster_policy: ClusterPolicy
    properties: _containers.ScalarMap[str, str]
    def __init__(self, cluster_id: _Optional[str] = ..., cluster_name: _Optional[str] = ..., type: _Optional[_Union[ClusterPB.Type, str]] = ..., desc: _Optional[str] = ..., nodes: _Optional[_Iterable[_Union[NodeInfoPB, _Mapping]]] = ..., mysql_user_name: _Optional[_Iterable[str]] = ..., public_endpoint: _Optional[str] = ..., private_endpoint: _Optional[str] = ..., cluster_status: _Optional[_Union[ClusterStatus, str]] = ..., ctime: _Optional[int] = ..., mtime: _Optional[int] = ..., cluster_names: _Optional[_Iterable[str]] = ..., cluster_policy: _Optional[_Union[ClusterPolicy, _Mapping]] = ..., properties: _Optional[_Mapping[str, str]] = ...) -> None: ...

class NodeInfoPB(_message.Message):
    __slots__ = ("cloud_unique_id", "name", "ip", "vpc_name", "ctime", "mtime", "status", "heartbeat_port", "desc", "edit_log_port", "node_type", "is_smooth_upgrade", "host", "public_endpoint", "private_endpoint")
    class NodeType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        UNKNOWN: _ClassVar[NodeInfoPB.NodeType]
        FE_MASTER: _ClassVar[NodeInfoPB.NodeType]
        FE_OBSERVER: _ClassVar[NodeInfoPB.NodeType]
        FE_FOLLOWER: _ClassVar[NodeInfoPB.NodeType]
    UNKNOWN: NodeInfoPB.NodeType
    FE_MASTER: NodeInfoPB.NodeType
    FE_OBSERVER: NodeInfoPB.NodeType
    FE_FOLLOWER: NodeInfoPB.NodeType
    CLOUD_UNIQUE_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    IP_FIELD_NUMBER: _ClassVar[int]
    VPC_NAME_FIELD_NUMBER: _ClassVar[int]
    CTIME_FIELD_NUMBER: _ClassVar[int]
    MTIME_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    HEARTBEAT_PORT_FIELD_NUMBER: _ClassVar[int]
    DESC_FIELD_NUMBER: _ClassVar[int]
    EDIT_LOG_PORT_FIELD_NUMBER: _ClassVar[int]
    NODE_TYPE_FIELD_NUMBER: _ClassVar[int]
    IS_SMOOTH_UPGRADE_FIELD_NUMBER: _ClassVar[int]
    HOST_FIELD_NUMBER: _ClassVar[int]
    PUBLIC_ENDPOINT_FIELD_NUMBER: _ClassVar[int]
    PRIVATE_ENDPOINT_FIELD_NUMBER: _ClassVar[int]
    cloud_unique_id: str
    name: str
    ip: str
    vpc_name: str
    ctime: int
    mtime: int
    status: NodeStatusPB
    heartbeat_port: int
    desc: str
    edit_log_port: int
    node_type: NodeInfoPB.NodeType
    is_smooth_upgrade: bool
    host: str
    public_endpoint: str
    private_endpoint: str
    def __init__(self, cloud_unique_id: _Optional[str] = ..., name: _Optional[str] = ..., ip: _Optional[str] = ..., vpc_name: _Optional[str] = ..., ctime: _Optional[int] = ..., mtime: _Optional[int] = ..., status: _Optional[_Union[NodeStatusPB, str]] = ..., heartbeat_port: _Optional[int] = ..., desc: _Optional[str] = ..., edit_log_port: _Optional[int] = ..., node_type: _Optional[_Union[NodeInfoPB.NodeType, str]] = ..., is_smooth_upgrade: _Optional[bool] = ..., host: _Optional[str] = ..., public_endpoint: _Optional[str] = ..., private_endpoint: _Optional[str] = ...) -> None: ...

class ObjectStoreInfoPB(_message.Message):
    __slots__ = ("ctime", "mtime", "id", "ak", "sk", "bucket", "prefix", "endpoint", "region", "provider", "external_endpoint", "user_id", "encryption_info", "sse_enabled", "use_path_style", "cred_provider_type", "role_arn", "external_id")
    class Provider(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        UNKONWN: _ClassVar[ObjectStoreInfoPB.Provider]
        OSS: _ClassVar[ObjectStoreInfoPB.Provider]
        S3: _ClassVar[ObjectStoreInfoPB.Provider]
        COS: _ClassVar[ObjectStoreInfoPB.Provider]
        OBS: _ClassVar[ObjectStoreInfoPB.Provider]
        BOS: _ClassVar[ObjectStoreInfoPB.Provider]
        GCP: _ClassVar[ObjectStoreInfoPB.Provider]
        AZURE: _ClassVar[ObjectStoreInfoPB.Provider]
        TOS: _ClassVar[ObjectStoreInfoPB.Provider]
    UNKONWN: ObjectStoreInfoPB.Provider
    OSS: ObjectStoreInfoPB.Provider
    S3: ObjectStoreInfoPB.Provider
    COS: ObjectStoreInfoPB.Provider
    OBS: ObjectStoreInfoPB.Provider
    BOS: ObjectStoreInfoPB.Provider
    GCP: ObjectStoreInfoPB.Provider
    AZURE: ObjectStoreInfoPB.Provider
    TOS: ObjectStoreInfoPB.Provider
    CTIME_FIELD_NUMBER: _ClassVar[int]
    MTIME_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    AK_FIELD_NUMBER: _ClassVar[int]
    SK_FIELD_NUMBER: _ClassVar[int]
    BUCKET_FIELD_NUMBER: _ClassVar[int]
    PREFIX_FIELD_NUMBER: _ClassVar[int]
    ENDPOINT_FIELD_NUMBER: _ClassVar[int]
    REGION_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_FIELD_NUMBER: _ClassVar[int]
    EXTERNAL_ENDPOINT_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    ENCRYPTION_INFO_FIELD_NUMBER: _ClassVar[int]
    SSE_ENABLED_FIELD_NUMBER: _ClassVar[int]
    USE_PATH_STYLE_FIELD_NUMBER: _ClassVar[int]
    CRED_PROVIDER_TYPE_FIELD_NUMBER: _ClassVar[int]
    ROLE_ARN_FIELD_NUMBER: _ClassVar[int]
    EXTERNAL_ID_FIELD_NUMBER: _ClassVar[int]
    ctime: int
    mtime: int
    id: str
    ak: str
    sk: str
    bucket: str
    prefix: str
    endpoint: str
    region: str
    provider: ObjectStoreInfoPB.Provider
    external_endpoint: str
    user_id: str
    encryption_info: EncryptionInfoPB
    sse_enabled: bool
    use_path_style: bool
    cred_provider_type: CredProviderTypePB
    role_arn: str
    external_id: str
    def __init__(self, ctime: _Optional[int] = ..., mtime: _Optional[int] = ..., id: _Optional[str] = ..., ak: _Optional[str] = ..., sk: _Optional[str] = ..., bucket: _Optional[str] = ..., prefix: _Optional[str] = ..., endpoint: _Optional[str] = ..., region: _Optional[str] = ..., provider: _Optional[_Union[ObjectStoreInfoPB.Provider, str]] = ..., external_endpoint: _Optional[str] = ..., user_id: _Optional[str] = ..., encryption_info: _Optional[_Union[EncryptionInfoPB, _Mapping]] = ..., sse_enabled: _Optional[bool] = ..., use_path_style: _Optional[bool] = ..., cred_provider_type: _Optional[_Union[CredProviderTypePB, str]] = ..., role_arn: _Optional[str] = ..., external_id: _Optional[str] = ...) -> None: ...

class StorageVaultPB(_message.Message):
    __slots__ = ("id", "name", "hdfs_info", "obj_info", "path_format", "alter_name")
    class PathFormat(_message.Message):
        __slots__ = ("path_version", "shard_num")
        PATH_VERSION_FIELD_NUMBER: _ClassVar[int]
        SHARD_NUM_FIELD_NUMBER: _ClassVar[int]
        path_version: int
        shard_num: int
        def __init__(self, path_version: _Optional[int] = ..., shard_num: _Optional[int] = ...) -> None: ...
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    HDFS_INFO_FIELD_NUMBER: _ClassVar[int]
    OBJ_INFO_FIELD_NUMBER: _ClassVar[int]
    PATH_FORMAT_FIELD_NUMBER: _ClassVar[int]
    ALTER_NAME_FIELD_NUMBER: _ClassVar[int]
    id: str
    name: str
    hdfs_info: HdfsVaultInfo
    obj_info: ObjectStoreInfoPB
    path_format: StorageVaultPB.PathFormat
    alter_name: str
    def __init__(self, id: _Optional[str] = ..., name: _Optional[str] = ..., hdfs_info: _Optional[_Union[HdfsVaultInfo, _Mapping]] = ..., obj_info: _Optional[_Union[ObjectStoreInfoPB, _Mapping]] = ..., path_format: _Optional[_Union[StorageVaultPB.PathFormat, _Mapping]] = ..., alter_name: _Optional[str] = ...) -> None: ...

class HdfsBuildConf(_message.Message):
    __slots__ = ("fs_name", "user", "hdfs_kerberos_principal", "hdfs_kerberos_keytab", "hdfs_confs")
    class HdfsConfKVPair(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    FS_NAME_FIELD_NUMBER: _ClassVar[int]
    USER_FIELD_NUMBER: _ClassVar[int]
    HDFS_KERBEROS_PRINCIPAL_FIELD_NUMBER: _ClassVar[int]
    HDFS_KERBEROS_KEYTAB_FIELD_NUMBER: _ClassVar[int]
    HDFS_CONFS_FIELD_NUMBER: _ClassVar[int]
    fs_name: str
    user: str
    hdfs_kerberos_principal: str
    hdfs_kerberos_keytab: str
    hdfs_confs: _containers.RepeatedCompositeFieldContainer[HdfsBuildConf.HdfsConfKVPair]
    def __init__(self, fs_name: _Optional[str] = ..., user: _Optional[str] = ..., hdfs_kerberos_principal: _Optional[str] = ..., hdfs_kerberos_keytab: _Optional[str] = ..., hdfs_confs: _Optional[_Iterable[_Union[HdfsBuildConf.HdfsConfKVPair, _Mapping]]] = ...) -> None: ...

class HdfsVaultInfo(_message.Message):
    __slots__ = ("build_conf", "prefix")
    BUILD_CONF_FIELD_NUMBER: _ClassVar[int]
    PREFIX_FIELD_NUMBER: _ClassVar[int]
    build_conf: HdfsBuildConf
    prefix: str
    def __init__(self, build_conf: _Optional[_Union[HdfsBuildConf, _Mapping]] = ..., prefix: _Optional[str] = ...) -> None: ...

class UniqueIdPB(_message.Message):
    __slots__ = ("hi", "lo")
    HI_FIELD_NUMBER: _ClassVar[int]
    LO_FIELD_NUMBER: _ClassVar[int]
    hi: int
    lo: int
    def __init__(self, hi: _Optional[int] = ..., lo: _Optional[int] = ...) -> None: ...

class TxnCoordinatorPB(_message.Message):
    __slots__ = ("sourceType", "ip", "id", "start_time")
    SOURCETYPE_FIELD_NUMBER: _ClassVar[int]
    IP_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    sourceType: TxnSourceTypePB
    ip: str
    id: int
    start_time: int
    def __init__(self, sourceType: _Optional[_Union[TxnSourceTypePB, str]] = ..., ip: _Optional[str] = ..., id: _Optional[int] = ..., start_time: _Optional[int] = ...) -> None: ...

class RoutineLoadProgressPB(_message.Message):
    __slots__ = ("partition_to_offset", "stat")
    class PartitionToOffsetEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: int
        value: int
        def __init__(self, key: _Optional[int] = ..., value: _Optional[int] = ...) -> None: ...
    PARTITION_TO_OFFSET_FIELD_NUMBER: _ClassVar[int]
    STAT_FIELD_NUMBER: _ClassVar[int]
    partition_to_offset: _containers.ScalarMap[int, int]
    stat: RoutineLoadJobStatisticPB
    def __init__(self, partition_to_offset: _Optional[_Mapping[int, int]] = ..., stat: _Optional[_Union[RoutineLoadJobStatisticPB, _Mapping]] = ...) -> None: ...

class RLTaskTxnCommitAttachmentPB(_message.Message):
    __slots__ = ("job_id", "task_id", "filtered_rows", "loaded_rows", "unselected_rows", "received_bytes", "task_execution_time_ms", "progress", "error_log_url")
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    TASK_ID_FIELD_NUMBER: _ClassVar[int]
    FILTERED_ROWS_FIELD_NUMBER: _ClassVar[int]
    LOADED_ROWS_FIELD_NUMBER: _ClassVar[int]
    UNSELECTED_ROWS_FIELD_NUMBER: _ClassVar[int]
    RECEIVED_BYTES_FIELD_NUMBER: _ClassVar[int]
    TASK_EXECUTION_TIME_MS_FIELD_NUMBER: _ClassVar[int]
    PROGRESS_FIELD_NUMBER: _ClassVar[int]
    ERROR_LOG_URL_FIELD_NUMBER: _ClassVar[int]
    job_id: int
    task_id: UniqueIdPB
    filtered_rows: int
    loaded_rows: int
    unselected_rows: int
    received_bytes: int
    task_execution_time_ms: int
    progress: RoutineLoadProgressPB
    error_log_url: str
    def __init__(self, job_id: _Optional[int] = ..., task_id: _Optional[_Union[UniqueIdPB, _Mapping]] = ..., filtered_rows: _Optional[int] = ..., loaded_rows: _Optional[int] = ..., unselected_rows: _Optional[int] = ..., received_bytes: _Optional[int] = ..., task_execution_time_ms: _Optional[int] = ..., progress: _Optional[_Union[RoutineLoadProgressPB, _Mapping]] = ..., error_log_url: _Optional[str] = ...) -> None: ...

class RoutineLoadJobStatisticPB(_message.Message):
    __slots__ = ("filtered_rows", "loaded_rows", "unselected_rows", "received_bytes", "task_execution_time_ms")
    FILTERED_ROWS_FIELD_NUMBER: _ClassVar[int]
    LOADED_ROWS_FIELD_NUMBER: _ClassVar[int]
    UNSELECTED_ROWS_FIELD_NUMBER: _ClassVar[int]
    RECEIVED_BYTES_FIELD_NUMBER: _ClassVar[int]
    TASK_EXECUTION_TIME_MS_FIELD_NUMBER: _ClassVar[int]
    filtered_rows: int
    loaded_rows: int
    unselected_rows: int
    received_bytes: int
    task_execution_time_ms: int
    def __init__(self, filtered_rows: _Optional[int] = ..., loaded_rows: _Optional[int] = ..., unselected_rows: _Optional[int] = ..., received_bytes: _Optional[int] = ..., task_execution_time_ms: _Optional[int] = ...) -> None: ...

class StreamingTaskCommitAttachmentPB(_message.Message):
    __slots__ = ("job_id", "offset", "scanned_rows", "load_bytes", "num_files", "file_bytes")
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    OFFSET_FIELD_NUMBER: _ClassVar[int]
    SCANNED_ROWS_FIELD_NUMBER: _ClassVar[int]
    LOAD_BYTES_FIELD_NUMBER: _ClassVar[int]
    NUM_FILES_FIELD_NUMBER: _ClassVar[int]
    FILE_BYTES_FIELD_NUMBER: _ClassVar[int]
    job_id: int
    offset: str
    scanned_rows: int
    load_bytes: int
    num_files: int
    file_bytes: int
    def __init__(self, job_id: _Optional[int] = ..., offset: _Optional[str] = ..., scanned_rows: _Optional[int] = ..., load_bytes: _Optional[int] = ..., num_files: _Optional[int] = ..., file_bytes: _Optional[int] = ...) -> None: ...

class TxnCommitAttachmentPB(_message.Message):
    __slots__ = ("type", "load_job_final_operation", "rl_task_txn_commit_attachment", "streaming_task_txn_commit_attachment")
    class Type(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        LODD_JOB_FINAL_OPERATION: _ClassVar[TxnCommitAttachmentPB.Type]
        RT_TASK_TXN_COMMIT_ATTACHMENT: _ClassVar[TxnCommitAttachmentPB.Type]
        STREAMING_TASK_TXN_COMMIT_ATTACHMENT: _ClassVar[TxnCommitAttachmentPB.Type]
    LODD_JOB_FINAL_OPERATION: TxnCommitAttachmentPB.Type
    RT_TASK_TXN_COMMIT_ATTACHMENT: TxnCommitAttachmentPB.Type
    STREAMING_TASK_TXN_COMMIT_ATTACHMENT: TxnCommitAttachmentPB.Type
    class LoadJobFinalOperationPB(_message.Message):
        __slots__ = ("id", "loading_status", "progress", "load_start_timestamp", "finish_timestamp", "job_state", "fail_msg", "copy_id", "load_file_paths")
        class JobStatePB(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
            __slots__ = ()
            UNKNOWN: _ClassVar[TxnCommitAttachmentPB.LoadJobFinalOperationPB.JobStatePB]
            PENDING: _ClassVar[TxnCommitAttachmentPB.LoadJobFinalOperationPB.JobStatePB]
            ETL: _ClassVar[TxnCommitAttachmentPB.LoadJobFinalOperationPB.JobStatePB]
            LOADING: _ClassVar[TxnCommitAttachmentPB.LoadJobFinalOperationPB.JobStatePB]
            COMMITTED: _ClassVar[TxnCommitAttachmentPB.LoadJobFinalOperationPB.JobStatePB]
            FINISHED: _ClassVar[TxnCommitAttachmentPB.LoadJobFinalOperationPB.JobStatePB]
            CANCELLED: _ClassVar[TxnCommitAttachmentPB.LoadJobFinalOperationPB.JobStatePB]
        UNKNOWN: TxnCommitAttachmentPB.LoadJobFinalOperationPB.JobStatePB
        PENDING: TxnCommitAttachmentPB.LoadJobFinalOperationPB.JobStatePB
        ETL: TxnCommitAttachmentPB.LoadJobFinalOperationPB.JobStatePB
        LOADING: TxnCommitAttachmentPB.LoadJobFinalOperationPB.JobStatePB
        COMMITTED: TxnCommitAttachmentPB.LoadJobFinalOperationPB.JobStatePB
        FINISHED: TxnCommitAttachmentPB.LoadJobFinalOperationPB.JobStatePB
        CANCELLED: TxnCommitAttachmentPB.LoadJobFinalOperationPB.JobStatePB
        class EtlStatusPB(_message.Message):
            __slots__ = ("state", "tracking_url", "stats", "counters")
            class EtlStatePB(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
                __slots__ = ()
                RUNNING: _ClassVar[TxnCommitAttachmentPB.LoadJobFinalOperationPB.EtlStatusPB.EtlStatePB]
                FINISHED: _ClassVar[TxnCommitAttachmentPB.LoadJobFinalOperationPB.EtlStatusPB.EtlStatePB]
                CANCELLED: _ClassVar[TxnCommitAttachmentPB.LoadJobFinalOperationPB.EtlStatusPB.EtlStatePB]
                UNKNOWN: _ClassVar[TxnCommitAttachmentPB.LoadJobFinalOperationPB.EtlStatusPB.EtlStatePB]
            RUNNING: TxnCommitAttachmentPB.LoadJobFinalOperationPB.EtlStatusPB.EtlStatePB
            FINISHED: TxnCommitAttachmentPB.LoadJobFinalOperationPB.EtlStatusPB.EtlStatePB
            CANCELLED: TxnCommitAttachmentPB.LoadJobFinalOperationPB.EtlStatusPB.EtlStatePB
            UNKNOWN: TxnCommitAttachmentPB.LoadJobFinalOperationPB.EtlStatusPB.EtlStatePB
            class StatsEntry(_message.Message):
                __slots__ = ("key", "value")
                KEY_FIELD_NUMBER: _ClassVar[int]
                VALUE_FIELD_NUMBER: _ClassVar[int]
                key: str
                value: str
                def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
            class CountersEntry(_message.Message):
                __slots__ = ("key", "value")
                KEY_FIELD_NUMBER: _ClassVar[int]
                VALUE_FIELD_NUMBER: _ClassVar[int]
                key: str
                value: str
                def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
            STATE_FIELD_NUMBER: _ClassVar[int]
            TRACKING_URL_FIELD_NUMBER: _ClassVar[int]
            STATS_FIELD_NUMBER: _ClassVar[int]
            COUNTERS_FIELD_NUMBER: _ClassVar[int]
            state: TxnCommitAttachmentPB.LoadJobFinalOperationPB.EtlStatusPB.EtlStatePB
            tracking_url: str
            stats: _containers.ScalarMap[str, str]
            counters: _containers.ScalarMap[str, str]
            def __init__(self, state: _Optional[_Union[TxnCommitAttachmentPB.LoadJobFinalOperationPB.EtlStatusPB.EtlStatePB, str]] = ..., tracking_url: _Optional[str] = ..., stats: _Optional[_Mapping[str, str]] = ..., counters: _Optional[_Mapping[str, str]] = ...) -> None: ...
        class FailMsgPB(_message.Message):
            __slots__ = ("cancel_type", "msg")
            class CancelTypePB(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
                __slots__ = ()
                USER_CANCEL: _ClassVar[TxnCommitAttachmentPB.LoadJobFinalOperationPB.FailMsgPB.CancelTypePB]
                ETL_SUBMIT_FAIL: _ClassVar[TxnCommitAttachmentPB.LoadJobFinalOperationPB.FailMsgPB.CancelTypePB]
                ETL_RUN_FAIL: _ClassVar[TxnCommitAttachmentPB.LoadJobFinalOperationPB.FailMsgPB.CancelTypePB]
                ETL_QUALITY_UNSATISFIED: _ClassVar[TxnCommitAttachmentPB.LoadJobFinalOperationPB.FailMsgPB.CancelTypePB]
                LOAD_RUN_FAIL: _ClassVar[TxnCommitAttachmentPB.LoadJobFinalOperationPB.FailMsgPB.CancelTypePB]
                TIMEOUT: _ClassVar[TxnCommitAttachmentPB.LoadJobFinalOperationPB.FailMsgPB.CancelTypePB]
                UNKNOWN: _ClassVar[TxnCommitAttachmentPB.LoadJobFinalOperationPB.FailMsgPB.CancelTypePB]
                TXN_UNKNOWN: _ClassVar[TxnCommitAttachmentPB.LoadJobFinalOperationPB.FailMsgPB.CancelTypePB]
            USER_CANCEL: TxnCommitAttachmentPB.LoadJobFinalOperationPB.FailMsgPB.CancelTypePB
            ETL_SUBMIT_FAIL: TxnCommitAttachmentPB.LoadJobFinalOperationPB.FailMsgPB.CancelTypePB
            ETL_RUN_FAIL: TxnCommitAttachmentPB.LoadJobFinalOperationPB.FailMsgPB.CancelTypePB
            ETL_QUALITY_UNSATISFIED: TxnCommitAttachmentPB.LoadJobFinalOperationPB.FailMsgPB.CancelTypePB
            LOAD_RUN_FAIL: TxnCommitAttachmentPB.LoadJobFinalOperationPB.FailMsgPB.CancelTypePB
            TIMEOUT: TxnCommitAttachmentPB.LoadJobFinalOperationPB.FailMsgPB.CancelTypePB
            UNKNOWN: TxnCommitAttachmentPB.LoadJobFinalOperationPB.FailMsgPB.CancelTypePB
            TXN_UNKNOWN: TxnCommitAttachmentPB.LoadJobFinalOperationPB.FailMsgPB.CancelTypePB
            CANCEL_TYPE_FIELD_NUMBER: _ClassVar[int]
            MSG_FIELD_NUMBER: _ClassVar[int]
            cancel_type: TxnCommitAttachmentPB.LoadJobFinalOperationPB.FailMsgPB.CancelTypePB
            msg: str
            def __init__(self, cancel_type: _Optional[_Union[TxnCommitAttachmentPB.LoadJobFinalOperationPB.FailMsgPB.CancelTypePB, str]] = ..., msg: _Optional[str] = ...) -> None: ...
        ID_FIELD_NUMBER: _ClassVar[int]
        LOADING_STATUS_FIELD_NUMBER: _ClassVar[int]
        PROGRESS_FIELD_NUMBER: _ClassVar[int]
        LOAD_START_TIMESTAMP_FIELD_NUMBER: _ClassVar[int]
        FINISH_TIMESTAMP_FIELD_NUMBER: _ClassVar[int]
        JOB_STATE_FIELD_NUMBER: _ClassVar[int]
        FAIL_MSG_FIELD_NUMBER: _ClassVar[int]
        COPY_ID_FIELD_NUMBER: _ClassVar[int]
        LOAD_FILE_PATHS_FIELD_NUMBER: _ClassVar[int]
        id: int
        loading_status: TxnCommitAttachmentPB.LoadJobFinalOperationPB.EtlStatusPB
        progress: int
        load_start_timestamp: int
        finish_timestamp: int
        job_state: TxnCommitAttachmentPB.LoadJobFinalOperationPB.JobStatePB
        fail_msg: TxnCommitAttachmentPB.LoadJobFinalOperationPB.FailMsgPB
        copy_id: str
        load_file_paths: str
        def __init__(self, id: _Optional[int] = ..., loading_status: _Optional[_Union[TxnCommitAttachmentPB.LoadJobFinalOperationPB.EtlStatusPB, _Mapping]] = ..., progress: _Optional[int] = ..., load_start_timestamp: _Optional[int] = ..., finish_timestamp: _Optional[int] = ..., job_state: _Optional[_Union[TxnCommitAttachmentPB.LoadJobFinalOperationPB.JobStatePB, str]] = ..., fail_msg: _Optional[_Union[TxnCommitAttachmentPB.LoadJobFinalOperationPB.FailMsgPB, _Mapping]] = ..., copy_id: _Optional[str] = ..., load_file_paths: _Optional[str] = ...) -> None: ...
    TYPE_FIELD_NUMBER: _ClassVar[int]
    LOAD_JOB_FINAL_OPERATION_FIELD_NUMBER: _ClassVar[int]
    RL_TASK_TXN_COMMIT_ATTACHMENT_FIELD_NUMBER: _ClassVar[int]
    STREAMING_TASK_TXN_COMMIT_ATTACHMENT_FIELD_NUMBER: _ClassVar[int]
    type: TxnCommitAttachmentPB.Type
    load_job_final_operation: TxnCommitAttachmentPB.LoadJobFinalOperationPB
    rl_task_txn_commit_attachment: RLTaskTxnCommitAttachmentPB
    streaming_task_txn_commit_attachment: StreamingTaskCommitAttachmentPB
    def __init__(self, type: _Optional[_Union[TxnCommitAttachmentPB.Type, str]] = ..., load_job_final_operation: _Optional[_Union[TxnCommitAttachmentPB.LoadJobFinalOperationPB, _Mapping]] = ..., rl_task_txn_commit_attachment: _Optional[_Union[RLTaskTxnCommitAttachmentPB, _Mapping]] = ..., streaming_task_txn_commit_attachment: _Optional[_Union[StreamingTaskCommitAttachmentPB, _Mapping]] = ...) -> None: ...

class TxnLabelPB(_message.Message):
    __slots__ = ("txn_ids",)
    TXN_IDS_FIELD_NUMBER: _ClassVar[int]
    txn_ids: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, txn_ids: _Optional[_Iterable[int]] = ...) -> None: ...

class TxnIndexPB(_message.Message):
    __slots__ = ("tablet_index", "parent_txn_id")
    TABLET_INDEX_FIELD_NUMBER: _ClassVar[int]
    PARENT_TXN_ID_FIELD_NUMBER: _ClassVar[int]
    tablet_index: TabletIndexPB
    parent_txn_id: int
    def __init__(self, tablet_index: _Optional[_Union[TabletIndexPB, _Mapping]] = ..., parent_txn_id: _Optional[int] = ...) -> None: ...

class TxnInfoPB(_message.Message):
    __slots__ = ("db_id", "table_ids", "txn_id", "label", "request_id", "coordinator", "load_job_source_type", "timeout_ms", "precommit_timeout_ms", "prepare_time", "precommit_time", "commit_time", "finish_time", "reason", "status", "commit_attachment", "listener_id", "sub_txn_ids", "versioned_write", "versioned_read")
    DB_ID_FIELD_NUMBER: _ClassVar[int]
    TABLE_IDS_FIELD_NUMBER: _ClassVar[int]
    TXN_ID_FIELD_NUMBER: _ClassVar[int]
    LABEL_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    COORDINATOR_FIELD_NUMBER: _ClassVar[int]
    LOAD_JOB_SOURCE_TYPE_FIELD_NUMBER: _ClassVar[int]
    TIMEOUT_MS_FIELD_NUMBER: _ClassVar[int]
    PRECOMMIT_TIMEOUT_MS_FIELD_NUMBER: _ClassVar[int]
    PREPARE_TIME_FIELD_NUMBER: _ClassVar[int]
    PRECOMMIT_TIME_FIELD_NUMBER: _ClassVar[int]
    COMMIT_TIME_FIELD_NUMBER: _ClassVar[int]
    FINISH_TIME_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    COMMIT_ATTACHMENT_FIELD_NUMBER: _ClassVar[int]
    LISTENER_ID_FIELD_NUMBER: _ClassVar[int]
    SUB_TXN_IDS_FIELD_NUMBER: _ClassVar[int]
    VERSIONED_WRITE_FIELD_NUMBER: _ClassVar[int]
    VERSIONED_READ_FIELD_NUMBER: _ClassVar[int]
    db_id: int
    table_ids: _containers.RepeatedScalarFieldContainer[int]
    txn_id: int
    label: str
    request_id: UniqueIdPB
    coordinator: TxnCoordinatorPB
    load_job_source_type: LoadJobSourceTypePB
    timeout_ms: int
    precommit_timeout_ms: int
    prepare_time: int
    precommit_time: int
    commit_time: int
    finish_time: int
    reason: str
    status: TxnStatusPB
    commit_attachment: TxnCommitAttachmentPB
    listener_id: int
    sub_txn_ids: _containers.RepeatedScalarFieldContainer[int]
    versioned_write: bool
    versioned_read: bool
    def __init__(self, db_id: _Optional[int] = ..., table_ids: _Optional[_Iterable[int]] = ..., txn_id: _Optional[int] = ..., label: _Optional[str] = ..., request_id: _Optional[_Union[UniqueIdPB, _Mapping]] = ..., coordinator: _Optional[_Union[TxnCoordinatorPB, _Mapping]] = ..., load_job_source_type: _Optional[_Union[LoadJobSourceTypePB, str]] = ..., timeout_ms: _Optional[int] = ..., precommit_timeout_ms: _Optional[int] = ..., prepare_time: _Optional[int] = ..., precommit_time: _Optional[int] = ..., commit_time: _Optional[int] = ..., finish_time: _Optional[int] = ..., reason: _Optional[str] = ..., status: _Optional[_Union[TxnStatusPB, str]] = ..., commit_attachment: _Optional[_Union[TxnCommitAttachmentPB, _Mapping]] = ..., listener_id: _Optional[int] = ..., sub_txn_ids: _Optional[_Iterable[int]] = ..., versioned_write: _Optional[bool] = ..., versioned_read: _Optional[bool] = ...) -> None: ...

class TxnRunningPB(_message.Message):
    __slots__ = ("table_ids", "timeout_time")
    TABLE_IDS_FIELD_NUMBER: _ClassVar[int]
    TIMEOUT_TIME_FIELD_NUMBER: _ClassVar[int]
    table_ids: _containers.RepeatedScalarFieldContainer[int]
    timeout_time: int
    def __init__(self, table_ids: _Optional[_Iterable[int]] = ..., timeout_time: _Optional[int] = ...) -> None: ...

class VersionPB(_message.Message):
    __slots__ = ("version", "update_time_ms", "pending_txn_ids")
    VERSION_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_MS_FIELD_NUMBER: _ClassVar[int]
    PENDING_TXN_IDS_FIELD_NUMBER: _ClassVar[int]
    version: int
    update_time_ms: int
    pending_txn_ids: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, version: _Optional[int] = ..., update_time_ms: _Optional[int] = ..., pending_txn_ids: _Optional[_Iterable[int]] = ...) -> None: ...

class RecycleTxnPB(_message.Message):
    __slots__ = ("creation_time", "label", "immediate")
    CREATION_TIME_FIELD_NUMBER: _ClassVar[int]
    LABEL_FIELD_NUMBER: _ClassVar[int]
    IMMEDIATE_FIELD_NUMBER: _ClassVar[int]
    creation_time: int
    label: str
    immediate: bool
    def __init__(self, creation_time: _Optional[int] = ..., label: _Optional[str] = ..., immediate: _Optional[bool] = ...) -> None: ...

class RecycleIndexPB(_message.Message):
    __slots__ = ("table_id", "creation_time", "expiration", "state", "db_id")
    class State(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        UNKNOWN: _ClassVar[RecycleIndexPB.State]
        PREPARED: _ClassVar[RecycleIndexPB.State]
        DROPPED: _ClassVar[RecycleIndexPB.State]
        RECYCLING: _ClassVar[RecycleIndexPB.State]
    UNKNOWN: RecycleIndexPB.State
    PREPARED: RecycleIndexPB.State
    DROPPED: RecycleIndexPB.State
    RECYCLING: RecycleIndexPB.State
    TABLE_ID_FIELD_NUMBER: _ClassVar[int]
    CREATION_TIME_FIELD_NUMBER: _ClassVar[int]
    EXPIRATION_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    DB_ID_FIELD_NUMBER: _ClassVar[int]
    table_id: int
    creation_time: int
    expiration: int
    state: RecycleIndexPB.State
    db_id: int
    def __init__(self, table_id: _Optional[int] = ..., creation_time: _Optional[int] = ..., expiration: _Optional[int] = ..., state: _Optional[_Union[RecycleIndexPB.State, str]] = ..., db_id: _Optional[int] = ...) -> None: ...

class RecyclePartitionPB(_message.Message):
    __slots__ = ("table_id", "index_id", "creation_time", "expiration", "state", "db_id")
    class State(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        UNKNOWN: _ClassVar[RecyclePartitionPB.State]
        PREPARED: _ClassVar[RecyclePartitionPB.State]
        DROPPED: _ClassVar[RecyclePartitionPB.State]
        RECYCLING: _ClassVar[RecyclePartitionPB.State]
    UNKNOWN: RecyclePartitionPB.State
    PREPARED: RecyclePartitionPB.State
    DROPPED: RecyclePartitionPB.State
    RECYCLING: RecyclePartitionPB.State
    TABLE_ID_FIELD_NUMBER: _ClassVar[int]
    INDEX_ID_FIELD_NUMBER: _ClassVar[int]
    CREATION_TIME_FIELD_NUMBER: _ClassVar[int]
    EXPIRATION_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    DB_ID_FIELD_NUMBER: _ClassVar[int]
    table_id: int
    index_id: _containers.RepeatedScalarFieldContainer[int]
    creation_time: int
    expiration: int
    state: RecyclePartitionPB.State
    db_id: int
    def __init__(self, table_id: _Optional[int] = ..., index_id: _Optional[_Iterable[int]] = ..., creation_time: _Optional[int] = ..., expiration: _Optional[int] = ..., state: _Optional[_Union[RecyclePartitionPB.State, str]] = ..., db_id: _Optional[int] = ...) -> None: ...

class RecycleRowsetPB(_message.Message):
    __slots__ = ("tablet_id", "resource_id", "creation_time", "expiration", "type", "rowset_meta")
    class Type(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        UNKNOWN: _ClassVar[RecycleRowsetPB.Type]
        PREPARE: _ClassVar[RecycleRowsetPB.Type]
        COMPACT: _ClassVar[RecycleRowsetPB.Type]
        DROP: _ClassVar[RecycleRowsetPB.Type]
    UNKNOWN: RecycleRowsetPB.Type
    PREPARE: RecycleRowsetPB.Type
    COMPACT: RecycleRowsetPB.Type
    DROP: RecycleRowsetPB.Type
    TABLET_ID_FIELD_NUMBER: _ClassVar[int]
    RESOURCE_ID_FIELD_NUMBER: _ClassVar[int]
    CREATION_TIME_FIELD_NUMBER: _ClassVar[int]
    EXPIRATION_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    ROWSET_META_FIELD_NUMBER: _ClassVar[int]
    tablet_id: int
    resource_id: str
    creation_time: int
    expiration: int
    type: RecycleRowsetPB.Type
    rowset_meta: _olap_file_pb2.RowsetMetaCloudPB
    def __init__(self, tablet_id: _Optional[int] = ..., resource_id: _Optional[str] = ..., creation_time: _Optional[int] = ..., expiration: _Optional[int] = ..., type: _Optional[_Union[RecycleRowsetPB.Type, str]] = ..., rowset_meta: _Optional[_Union[_olap_file_pb2.RowsetMetaCloudPB, _Mapping]] = ...) -> None: ...

class JobRecyclePB(_message.Message):
    __slots__ = ("instance_id", "ip_port", "last_ctime_ms", "expiration_time_ms", "last_finish_time_ms", "status", "last_success_time_ms")
    class Status(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        IDLE: _ClassVar[JobRecyclePB.Status]
        BUSY: _ClassVar[JobRecyclePB.Status]
    IDLE: JobRecyclePB.Status
    BUSY: JobRecyclePB.Status
    INSTANCE_ID_FIELD_NUMBER: _ClassVar[int]
    IP_PORT_FIELD_NUMBER: _ClassVar[int]
    LAST_CTIME_MS_FIELD_NUMBER: _ClassVar[int]
    EXPIRATION_TIME_MS_FIELD_NUMBER: _ClassVar[int]
    LAST_FINISH_TIME_MS_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    LAST_SUCCESS_TIME_MS_FIELD_NUMBER: _ClassVar[int]
    instance_id: str
    ip_port: str
    last_ctime_ms: int
    expiration_time_ms: int
    last_finish_time_ms: int
    status: JobRecyclePB.Status
    last_success_time_ms: int
    def __init__(self, instance_id: _Optional[str] = ..., ip_port: _Optional[str] = ..., last_ctime_ms: _Optional[int] = ..., expiration_time_ms: _Optional[int] = ..., last_finish_time_ms: _Optional[int] = ..., status: _Optional[_Union[JobRecyclePB.Status, str]] = ..., last_success_time_ms: _Optional[int] = ...) -> None: ...

class TabletIndexPB(_message.Message):
    __slots__ = ("db_id", "table_id", "index_id", "partition_id", "tablet_id")
    DB_ID_FIELD_NUMBER: _ClassVar[int]
    TABLE_ID_FIELD_NUMBER: _ClassVar[int]
    INDEX_ID_FIELD_NUMBER: _ClassVar[int]
    PARTITION_ID_FIELD_NUMBER: _ClassVar[int]
    TABLET_ID_FIELD_NUMBER: _ClassVar[int]
    db_id: int
    table_id: int
    index_id: int
    partition_id: int
    tablet_id: int
    def __init__(self, db_id: _Optional[int] = ..., table_id: _Optional[int] = ..., index_id: _Optional[int] = ..., partition_id: _Optional[int] = ..., tablet_id: _Optional[int] = ...) -> None: ...

class TabletMetaInfoPB(_message.Message):
    __slots__ = ("tablet_id", "is_in_memory", "is_persistent", "ttl_seconds", "group_commit_interval_ms", "group_commit_data_bytes", "compaction_policy", "time_series_compaction_goal_size_mbytes", "time_series_compaction_file_count_threshold", "time_series_compaction_time_threshold_seconds", "time_series_compaction_empty_rowsets_threshold", "time_series_compaction_level_threshold", "disable_auto_compaction", "enable_mow_light_delete")
    TABLET_ID_FIELD_NUMBER: _ClassVar[int]
    IS_IN_MEMORY_FIELD_NUMBER: _ClassVar[int]
    IS_PERSISTENT_FIELD_NUMBER: _ClassVar[int]
    TTL_SECONDS_FIELD_NUMBER: _ClassVar[int]
    GROUP_COMMIT_INTERVAL_MS_FIELD_NUMBER: _ClassVar[int]
    GROUP_COMMIT_DATA_BYTES_FIELD_NUMBER: _ClassVar[int]
    COMPACTION_POLICY_FIELD_NUMBER: _ClassVar[int]
    TIME_SERIES_COMPACTION_GOAL_SIZE_MBYTES_FIELD_NUMBER: _ClassVar[int]
    TIME_SERIES_COMPACTION_FILE_COUNT_THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    TIME_SERIES_COMPACTION_TIME_THRESHOLD_SECONDS_FIELD_NUMBER: _ClassVar[int]
    TIME_SERIES_COMPACTION_EMPTY_ROWSETS_THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    TIME_SERIES_COMPACTION_LEVEL_THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    DISABLE_AUTO_COMPACTION_FIELD_NUMBER: _ClassVar[int]
    ENABLE_MOW_LIGHT_DELETE_FIELD_NUMBER: _ClassVar[int]
    tablet_id: int
    is_in_memory: bool
    is_persistent: bool
    ttl_seconds: int
    group_commit_interval_ms: int
    group_commit_data_bytes: int
    compaction_policy: str
    time_series_compaction_goal_size_mbytes: int
    time_series_compaction_file_count_threshold: int
    time_series_compaction_time_threshold_seconds: int
    time_series_compaction_empty_rowsets_threshold: int
    time_series_compaction_level_threshold: int
    disable_auto_compaction: bool
    enable_mow_light_delete: bool
    def __init__(self, tablet_id: _Optional[int] = ..., is_in_memory: _Optional[bool] = ..., is_persistent: _Optional[bool] = ..., ttl_seconds: _Optional[int] = ..., group_commit_interval_ms: _Optional[int] = ..., group_commit_data_bytes: _Optional[int] = ..., compaction_policy: _Optional[str] = ..., time_series_compaction_goal_size_mbytes: _Optional[int] = ..., time_series_compaction_file_count_threshold: _Optional[int] = ..., time_series_compaction_time_threshold_seconds: _Optional[int] = ..., time_series_compaction_empty_rowsets_threshold: _Optional[int] = ..., time_series_compaction_level_threshold: _Optional[int] = ..., disable_auto_compaction: _Optional[bool] = ..., enable_mow_light_delete: _Optional[bool] = ...) -> None: ...

class TabletCompactionJobPB(_message.Message):
    __slots__ = ("initiator", "ctime", "mtime", "type", "input_cumulative_point", "output_cumulative_point", "num_input_rowsets", "num_input_segments", "num_output_rowsets", "num_output_segments", "size_input_rowsets", "size_output_rowsets", "num_input_rows", "num_output_rows", "input_versions", "output_versions", "output_rowset_ids", "txn_id", "base_compaction_cnt", "cumulative_compaction_cnt", "id", "expiration", "lease", "delete_bitmap_lock_initiator", "full_compaction_cnt", "check_input_versions_range", "index_size_input_rowsets", "segment_size_input_rowsets", "index_size_output_rowsets", "segment_size_output_rowsets")
    class CompactionType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        UNKOWN: _ClassVar[TabletCompactionJobPB.CompactionType]
        BASE: _ClassVar[TabletCompactionJobPB.CompactionType]
        CUMULATIVE: _ClassVar[TabletCompactionJobPB.CompactionType]
        EMPTY_CUMULATIVE: _ClassVar[TabletCompactionJobPB.CompactionType]
        FULL: _ClassVar[TabletCompactionJobPB.CompactionType]
        STOP_TOKEN: _ClassVar[TabletCompactionJobPB.CompactionType]
    UNKOWN: TabletCompactionJobPB.CompactionType
    BASE: TabletCompactionJobPB.CompactionType
    CUMULATIVE: TabletCompactionJobPB.CompactionType
    EMPTY_CUMULATIVE: TabletCompactionJobPB.CompactionType
    FULL: TabletCompactionJobPB.CompactionType
    STOP_TOKEN: TabletCompactionJobPB.CompactionType
    INITIATOR_FIELD_NUMBER: _ClassVar[int]
    CTIME_FIELD_NUMBER: _ClassVar[int]
    MTIME_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    INPUT_CUMULATIVE_POINT_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_CUMULATIVE_POINT_FIELD_NUMBER: _ClassVar[int]
    NUM_INPUT_ROWSETS_FIELD_NUMBER: _ClassVar[int]
    NUM_INPUT_SEGMENTS_FIELD_NUMBER: _ClassVar[int]
    NUM_OUTPUT_ROWSETS_FIELD_NUMBER: _ClassVar[int]
    NUM_OUTPUT_SEGMENTS_FIELD_NUMBER: _ClassVar[int]
    SIZE_INPUT_ROWSETS_FIELD_NUMBER: _ClassVar[int]
    SIZE_OUTPUT_ROWSETS_FIELD_NUMBER: _ClassVar[int]
    NUM_INPUT_ROWS_FIELD_NUMBER: _ClassVar[int]
    NUM_OUTPUT_ROWS_FIELD_NUMBER: _ClassVar[int]
    INPUT_VERSIONS_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_VERSIONS_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_ROWSET_IDS_FIELD_NUMBER: _ClassVar[int]
    TXN_ID_FIELD_NUMBER: _ClassVar[int]
    BASE_COMPACTION_CNT_FIELD_NUMBER: _ClassVar[int]
    CUMULATIVE_COMPACTION_CNT_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    EXPIRATION_FIELD_NUMBER: _ClassVar[int]
    LEASE_FIELD_NUMBER: _ClassVar[int]
    DELETE_BITMAP_LOCK_INITIATOR_FIELD_NUMBER: _ClassVar[int]
    FULL_COMPACTION_CNT_FIELD_NUMBER: _ClassVar[int]
    CHECK_INPUT_VERSIONS_RANGE_FIELD_NUMBER: _ClassVar[int]
    INDEX_SIZE_INPUT_ROWSETS_FIELD_NUMBER: _ClassVar[int]
    SEGMENT_SIZE_INPUT_ROWSETS_FIELD_NUMBER: _ClassVar[int]
    INDEX_SIZE_OUTPUT_ROWSETS_FIELD_NUMBER: _ClassVar[int]
    SEGMENT_SIZE_OUTPUT_ROWSETS_FIELD_NUMBER: _ClassVar[int]
    initiator: str
    ctime: int
    mtime: int
    type: TabletCompactionJobPB.CompactionType
    input_cumulative_point: int
    output_cumulative_point: int
    num_input_rowsets: int
    num_input_segments: int
    num_output_rowsets: int
    num_output_segments: int
    size_input_rowsets: int
    size_output_rowsets: int
    num_input_rows: int
    num_output_rows: int
    input_versions: _containers.RepeatedScalarFieldContainer[int]
    output_versions: _containers.RepeatedScalarFieldContainer[int]
    output_rowset_ids: _containers.RepeatedScalarFieldContainer[str]
    txn_id: _containers.RepeatedScalarFieldContainer[int]
    base_compaction_cnt: int
    cumulative_compaction_cnt: int
    id: str
    expiration: int
    lease: int
    delete_bitmap_lock_initiator: int
    full_compaction_cnt: int
    check_input_versions_range: bool
    index_size_input_rowsets: int
    segment_size_input_rowsets: int
    index_size_output_rowsets: int
    segment_size_output_rowsets: int
    def __init__(self, initiator: _Optional[str] = ..., ctime: _Optional[int] = ..., mtime: _Optional[int] = ..., type: _Optional[_Union[TabletCompactionJobPB.CompactionType, str]] = ..., input_cumulative_point: _Optional[int] = ..., output_cumulative_point: _Optional[int] = ..., num_input_rowsets: _Optional[int] = ..., num_input_segments: _Optional[int] = ..., num_output_rowsets: _Optional[int] = ..., num_output_segments: _Optional[int] = ..., size_input_rowsets: _Optional[int] = ..., size_output_rowsets: _Optional[int] = ..., num_input_rows: _Optional[int] = ..., num_output_rows: _Optional[int] = ..., input_versions: _Optional[_Iterable[int]] = ..., output_versions: _Optional[_Iterable[int]] = ..., output_rowset_ids: _Optional[_Iterable[str]] = ..., txn_id: _Optional[_Iterable[int]] = ..., base_compaction_cnt: _Optional[int] = ..., cumulative_compaction_cnt: _Optional[int] = ..., id: _Optional[str] = ..., expiration: _Optional[int] = ..., lease: _Optional[int] = ..., delete_bitmap_lock_initiator: _Optional[int] = ..., full_compaction_cnt: _Optional[int] = ..., check_input_versions_range: _Optional[bool] = ..., index_size_input_rowsets: _Optional[int] = ..., segment_size_input_rowsets: _Optional[int] = ..., index_size_output_rowsets: _Optional[int] = ..., segment_size_output_rowsets: _Optional[int] = ...) -> None: ...

class TabletSchemaChangeJobPB(_message.Message):
    __slots__ = ("initiator", "id", "expiration", "new_tablet_idx", "txn_ids", "alter_version", "num_output_rowsets", "num_output_segments", "size_output_rowsets", "num_output_rows", "output_versions", "output_cumulative_point", "is_inverted_index_change", "delete_bitmap_lock_initiator", "index_size_output_rowsets", "segment_size_output_rowsets")
    INITIATOR_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    EXPIRATION_FIELD_NUMBER: _ClassVar[int]
    NEW_TABLET_IDX_FIELD_NUMBER: _ClassVar[int]
    TXN_IDS_FIELD_NUMBER: _ClassVar[int]
    ALTER_VERSION_FIELD_NUMBER: _ClassVar[int]
    NUM_OUTPUT_ROWSETS_FIELD_NUMBER: _ClassVar[int]
    NUM_OUTPUT_SEGMENTS_FIELD_NUMBER: _ClassVar[int]
    SIZE_OUTPUT_ROWSETS_FIELD_NUMBER: _ClassVar[int]
    NUM_OUTPUT_ROWS_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_VERSIONS_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_CUMULATIVE_POINT_FIELD_NUMBER: _ClassVar[int]
    IS_INVERTED_INDEX_CHANGE_FIELD_NUMBER: _ClassVar[int]
    DELETE_BITMAP_LOCK_INITIATOR_FIELD_NUMBER: _ClassVar[int]
    INDEX_SIZE_OUTPUT_ROWSETS_FIELD_NUMBER: _ClassVar[int]
    SEGMENT_SIZE_OUTPUT_ROWSETS_FIELD_NUMBER: _ClassVar[int]
    initiator: str
    id: str
    expiration: int
    new_tablet_idx: TabletIndexPB
    txn_ids: _containers.RepeatedScalarFieldContainer[int]
    alter_version: int
    num_output_rowsets: int
    num_output_segments: int
    size_output_rowsets: int
    num_output_rows: int
    output_versions: _containers.RepeatedScalarFieldContainer[int]
    output_cumulative_point: int
    is_inverted_index_change: bool
    delete_bitmap_lock_initiator: int
    index_size_output_rowsets: int
    segment_size_output_rowsets: int
    def __init__(self, initiator: _Optional[str] = ..., id: _Optional[str] = ..., expiration: _Optional[int] = ..., new_tablet_idx: _Optional[_Union[TabletIndexPB, _Mapping]] = ..., txn_ids: _Optional[_Iterable[int]] = ..., alter_version: _Optional[int] = ..., num_output_rowsets: _Optional[int] = ..., num_output_segments: _Optional[int] = ..., size_output_rowsets: _Optional[int] = ..., num_output_rows: _Optional[int] = ..., output_versions: _Optional[_Iterable[int]] = ..., output_cumulative_point: _Optional[int] = ..., is_inverted_index_change: _Optional[bool] = ..., delete_bitmap_lock_initiator: _Optional[int] = ..., index_size_output_rowsets: _Optional[int] = ..., segment_size_output_rowsets: _Optional[int] = ...) -> None: ...

class TabletJobInfoPB(_message.Message):
    __slots__ = ("idx", "compaction", "schema_change")
    IDX_FIELD_NUMBER: _ClassVar[int]
    COMPACTION_FIELD_NUMBER: _ClassVar[int]
    SCHEMA_CHANGE_FIELD_NUMBER: _ClassVar[int]
    idx: TabletIndexPB
    compaction: _containers.RepeatedCompositeFieldContainer[TabletCompactionJobPB]
    schema_change: TabletSchemaChangeJobPB
    def __init__(self, idx: _Optional[_Union[TabletIndexPB, _Mapping]] = ..., compaction: _Optional[_Iterable[_Union[TabletCompactionJobPB, _Mapping]]] = ..., schema_change: _Optional[_Union[TabletSchemaChangeJobPB, _Mapping]] = ...) -> None: ...

class TabletStatsPB(_message.Message):
    __slots__ = ("idx", "data_size", "num_rows", "num_rowsets", "num_segments", "base_compaction_cnt", "cumulative_compaction_cnt", "cumulative_point", "last_base_compaction_time_ms", "last_cumu_compaction_time_ms", "full_compaction_cnt", "last_full_compaction_time_ms", "index_size", "segment_size")
    IDX_FIELD_NUMBER: _ClassVar[int]
    DATA_SIZE_FIELD_NUMBER: _ClassVar[int]
    NUM_ROWS_FIELD_NUMBER: _ClassVar[int]
    NUM_ROWSETS_FIELD_NUMBER: _ClassVar[int]
    NUM_SEGMENTS_FIELD_NUMBER: _ClassVar[int]
    BASE_COMPACTION_CNT_FIELD_NUMBER: _ClassVar[int]
    CUMULATIVE_COMPACTION_CNT_FIELD_NUMBER: _ClassVar[int]
    CUMULATIVE_POINT_FIELD_NUMBER: _ClassVar[int]
    LAST_BASE_COMPACTION_TIME_MS_FIELD_NUMBER: _ClassVar[int]
    LAST_CUMU_COMPACTION_TIME_MS_FIELD_NUMBER: _ClassVar[int]
    FULL_COMPACTION_CNT_FIELD_NUMBER: _ClassVar[int]
    LAST_FULL_COMPACTION_TIME_MS_FIELD_NUMBER: _ClassVar[int]
    INDEX_SIZE_FIELD_NUMBER: _ClassVar[int]
    SEGMENT_SIZE_FIELD_NUMBER: _ClassVar[int]
    idx: TabletIndexPB
    data_size: int
    num_rows: int
    num_rowsets: int
    num_segments: int
    base_compaction_cnt: int
    cumulative_compaction_cnt: int
    cumulative_point: int
    last_base_compaction_time_ms: int
    last_cumu_compaction_time_ms: int
    full_compaction_cnt: int
    last_full_compaction_time_ms: int
    index_size: int
    segment_size: int
    def __init__(self, idx: _Optional[_Union[TabletIndexPB, _Mapping]] = ..., data_size: _Optional[int] = ..., num_rows: _Optional[int] = ..., num_rowsets: _Optional[int] = ..., num_segments: _Optional[int] = ..., base_compaction_cnt: _Optional[int] = ..., cumulative_compaction_cnt: _Optional[int] = ..., cumulative_point: _Optional[int] = ..., last_base_compaction_time_ms: _Optional[int] = ..., last_cumu_compaction_time_ms: _Optional[int] = ..., full_compaction_cnt: _Optional[int] = ..., last_full_compaction_time_ms: _Optional[int] = ..., index_size: _Optional[int] = ..., segment_size: _Optional[int] = ...) -> None: ...

class ObjectFilePB(_message.Message):
    __slots__ = ("relative_path", "etag", "size")
    RELATIVE_PATH_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    SIZE_FIELD_NUMBER: _ClassVar[int]
    relative_path: str
    etag: str
    size: int
    def __init__(self, relative_path: _Optional[str] = ..., etag: _Optional[str] = ..., size: _Optional[int] = ...) -> None: ...

class CopyJobPB(_message.Message):
    __slots__ = ("stage_type", "object_files", "job_status", "start_time_ms", "timeout_time_ms", "finish_time_ms")
    class JobStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        UNKNOWN: _ClassVar[CopyJobPB.JobStatus]
        LOADING: _ClassVar[CopyJobPB.JobStatus]
        FINISH: _ClassVar[CopyJobPB.JobStatus]
    UNKNOWN: CopyJobPB.JobStatus
    LOADING: CopyJobPB.JobStatus
    FINISH: CopyJobPB.JobStatus
    STAGE_TYPE_FIELD_NUMBER: _ClassVar[int]
    OBJECT_FILES_FIELD_NUMBER: _ClassVar[int]
    JOB_STATUS_FIELD_NUMBER: _ClassVar[int]
    START_TIME_MS_FIELD_NUMBER: _ClassVar[int]
    TIMEOUT_TIME_MS_FIELD_NUMBER: _ClassVar[int]
    FINISH_TIME_MS_FIELD_NUMBER: _ClassVar[int]
    stage_type: StagePB.StageType
    object_files: _containers.RepeatedCompositeFieldContainer[ObjectFilePB]
    job_status: CopyJobPB.JobStatus
    start_time_ms: int
    timeout_time_ms: int
    finish_time_ms: int
    def __init__(self, stage_type: _Optional[_Union[StagePB.StageType, str]] = ..., object_files: _Optional[_Iterable[_Union[ObjectFilePB, _Mapping]]] = ..., job_status: _Optional[_Union[CopyJobPB.JobStatus, str]] = ..., start_time_ms: _Optional[int] = ..., timeout_time_ms: _Optional[int] = ..., finish_time_ms: _Optional[int] = ...) -> None: ...

class BeginTxnRequest(_message.Message):
    __slots__ = ("cloud_unique_id", "txn_info", "request_ip")
    CLOUD_UNIQUE_ID_FIELD_NUMBER: _ClassVar[int]
    TXN_INFO_FIELD_NUMBER: _ClassVar[int]
    REQUEST_IP_FIELD_NUMBER: _ClassVar[int]
    cloud_unique_id: str
    txn_info: TxnInfoPB
    request_ip: str
    def __init__(self, cloud_unique_id: _Optional[str] = ..., txn_info: _Optional[_Union[TxnInfoPB, _Mapping]] = ..., request_ip: _Optional[str] = ...) -> None: ...

class BeginTxnResponse(_message.Message):
    __slots__ = ("status", "txn_id", "dup_txn_id", "txn_status")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    TXN_ID_FIELD_NUMBER: _ClassVar[int]
    DUP_TXN_ID_FIELD_NUMBER: _ClassVar[int]
    TXN_STATUS_FIELD_NUMBER: _ClassVar[int]
    status: MetaServiceResponseStatus
    txn_id: int
    dup_txn_id: int
    txn_status: TxnStatusPB
    def __init__(self, status: _Optional[_Union[MetaServiceResponseStatus, _Mapping]] = ..., txn_id: _Optional[int] = ..., dup_txn_id: _Optional[int] = ..., txn_status: _Optional[_Union[TxnStatusPB, str]] = ...) -> None: ...

class PrecommitTxnRequest(_message.Message):
    __slots__ = ("cloud_unique_id", "db_id", "txn_id", "commit_attachment", "precommit_timeout_ms", "request_ip")
    CLOUD_UNIQUE_ID_FIELD_NUMBER: _ClassVar[int]
    DB_ID_FIELD_NUMBER: _ClassVar[int]
    TXN_ID_FIELD_NUMBER: _ClassVar[int]
    COMMIT_ATTACHMENT_FIELD_NUMBER: _ClassVar[int]
    PRECOMMIT_TIMEOUT_MS_FIELD_NUMBER: _ClassVar[int]
    REQUEST_IP_FIELD_NUMBER: _ClassVar[int]
    cloud_unique_id: str
    db_id: int
    txn_id: int
    commit_attachment: TxnCommitAttachmentPB
    precommit_timeout_ms: int
    request_ip: str
    def __init__(self, cloud_unique_id: _Optional[str] = ..., db_id: _Optional[int] = ..., txn_id: _Optional[int] = ..., commit_attachment: _Optional[_Union[TxnCommitAttachmentPB, _Mapping]] = ..., precommit_timeout_ms: _Optional[int] = ..., request_ip: _Optional[str] = ...) -> None: ...

class PrecommitTxnResponse(_message.Message):
    __slots__ = ("status", "txn_id")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    TXN_ID_FIELD_NUMBER: _ClassVar[int]
    status: MetaServiceResponseStatus
    txn_id: int
    def __init__(self, status: _Optional[_Union[MetaServiceResponseStatus, _Mapping]] = ..., txn_id: _Optional[int] = ...) -> None: ...

class CommitTxnRequest(_message.Message):
    __slots__ = ("cloud_unique_id", "db_id", "txn_id", "is_2pc", "commit_attachment", "mow_table_ids", "base_tablet_ids", "is_txn_load", "sub_txn_infos", "enable_txn_lazy_commit", "request_ip")
    CLOUD_UNIQUE_ID_FIELD_NUMBER: _ClassVar[int]
    DB_ID_FIELD_NUMBER: _ClassVar[int]
    TXN_ID_FIELD_NUMBER: _ClassVar[int]
    IS_2PC_FIELD_NUMBER: _ClassVar[int]
    COMMIT_ATTACHMENT_FIELD_NUMBER: _ClassVar[int]
    MOW_TABLE_IDS_FIELD_NUMBER: _ClassVar[int]
    BASE_TABLET_IDS_FIELD_NUMBER: _ClassVar[int]
    IS_TXN_LOAD_FIELD_NUMBER: _ClassVar[int]
    SUB_TXN_INFOS_FIELD_NUMBER: _ClassVar[int]
    ENABLE_TXN_LAZY_COMMIT_FIELD_NUMBER: _ClassVar[int]
    REQUEST_IP_FIELD_NUMBER: _ClassVar[int]
    cloud_unique_id: str
    db_id: int
    txn_id: int
    is_2pc: bool
    commit_attachment: TxnCommitAttachmentPB
    mow_table_ids: _containers.RepeatedScalarFieldContainer[int]
    base_tablet_ids: _containers.RepeatedScalarFieldContainer[int]
    is_txn_load: bool
    sub_txn_infos: _containers.RepeatedCompositeFieldContainer[SubTxnInfo]
    enable_txn_lazy_commit: bool
    request_ip: str
    def __init__(self, cloud_unique_id: _Optional[str] = ..., db_id: _Optional[int] = ..., txn_id: _Optional[int] = ..., is_2pc: _Optional[bool] = ..., commit_attachment: _Optional[_Union[TxnCommitAttachmentPB, _Mapping]] = ..., mow_table_ids: _Optional[_Iterable[int]] = ..., base_tablet_ids: _Optional[_Iterable[int]] = ..., is_txn_load: _Optional[bool] = ..., sub_txn_infos: _Optional[_Iterable[_Union[SubTxnInfo, _Mapping]]] = ..., enable_txn_lazy_commit: _Optional[bool] = ..., request_ip: _Optional[str] = ...) -> None: ...

class SubTxnInfo(_message.Message):
    __slots__ = ("sub_txn_id", "table_id", "base_tablet_ids")
    SUB_TXN_ID_FIELD_NUMBER: _ClassVar[int]
    TABLE_ID_FIELD_NUMBER: _ClassVar[int]
    BASE_TABLET_IDS_FIELD_NUMBER: _ClassVar[int]
    sub_txn_id: int
    table_id: int
    base_tablet_ids: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, sub_txn_id: _Optional[int] = ..., table_id: _Optional[int] = ..., base_tablet_ids: _Optional[_Iterable[int]] = ...) -> None: ...

class TableStatsPB(_message.Message):
    __slots__ = ("table_id", "updated_row_count")
    TABLE_ID_FIELD_NUMBER: _ClassVar[int]
    UPDATED_ROW_COUNT_FIELD_NUMBER: _ClassVar[int]
    table_id: int
    updated_row_count: int
    def __init__(self, table_id: _Optional[int] = ..., updated_row_count: _Optional[int] = ...) -> None: ...

class CommitTxnResponse(_message.Message):
    __slots__ = ("status", "txn_info", "table_ids", "partition_ids", "versions", "table_stats", "version_update_time_ms")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    TXN_INFO_FIELD_NUMBER: _ClassVar[int]
    TABLE_IDS_FIELD_NUMBER: _ClassVar[int]
    PARTITION_IDS_FIELD_NUMBER: _ClassVar[int]
    VERSIONS_FIELD_NUMBER: _ClassVar[int]
    TABLE_STATS_FIELD_NUMBER: _ClassVar[int]
    VERSION_UPDATE_TIME_MS_FIELD_NUMBER: _ClassVar[int]
    status: MetaServiceResponseStatus
    txn_info: TxnInfoPB
    table_ids: _containers.RepeatedScalarFieldContainer[int]
    partition_ids: _containers.RepeatedScalarFieldContainer[int]
    versions: _containers.RepeatedScalarFieldContainer[int]
    table_stats: _containers.RepeatedCompositeFieldContainer[TableStatsPB]
    version_update_time_ms: int
    def __init__(self, status: _Optional[_Union[MetaServiceResponseStatus, _Mapping]] = ..., txn_info: _Optional[_Union[TxnInfoPB, _Mapping]] = ..., table_ids: _Optional[_Iterable[int]] = ..., partition_ids: _Optional[_Iterable[int]] = ..., versions: _Optional[_Iterable[int]] = ..., table_stats: _Optional[_Iterable[_Union[TableStatsPB, _Mapping]]] = ..., version_update_time_ms: _Optional[int] = ...) -> None: ...

class AbortTxnRequest(_message.Message):
    __slots__ = ("cloud_unique_id", "db_id", "txn_id", "label", "reason", "commit_attachment", "request_ip")
    CLOUD_UNIQUE_ID_FIELD_NUMBER: _ClassVar[int]
    DB_ID_FIELD_NUMBER: _ClassVar[int]
    TXN_ID_FIELD_NUMBER: _ClassVar[int]
    LABEL_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    COMMIT_ATTACHMENT_FIELD_NUMBER: _ClassVar[int]
    REQUEST_IP_FIELD_NUMBER: _ClassVar[int]
    cloud_unique_id: str
    db_id: int
    txn_id: int
    label: str
    reason: str
    commit_attachment: TxnCommitAttachmentPB
    request_ip: str
    def __init__(self, cloud_unique_id: _Optional[str] = ..., db_id: _Optional[int] = ..., txn_id: _Optional[int] = ..., label: _Optional[str] = ..., reason: _Optional[str] = ..., commit_attachment: _Optional[_Union[TxnCommitAttachmentPB, _Mapping]] = ..., request_ip: _Optional[str] = ...) -> None: ...

class AbortTxnResponse(_message.Message):
    __slots__ = ("status", "txn_info")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    TXN_INFO_FIELD_NUMBER: _ClassVar[int]
    status: MetaServiceResponseStatus
    txn_info: TxnInfoPB
    def __init__(self, status: _Optional[_Union[MetaServiceResponseStatus, _Mapping]] = ..., txn_info: _Optional[_Union[TxnInfoPB, _Mapping]] = ...) -> None: ...

class GetTxnRequest(_message.Message):
    __slots__ = ("cloud_unique_id", "db_id", "txn_id", "label", "request_ip")
    CLOUD_UNIQUE_ID_FIELD_NUMBER: _ClassVar[int]
    DB_ID_FIELD_NUMBER: _ClassVar[int]
    TXN_ID_FIELD_NUMBER: _ClassVar[int]
    LABEL_FIELD_NUMBER: _ClassVar[int]
    REQUEST_IP_FIELD_NUMBER: _ClassVar[int]
    cloud_unique_id: str
    db_id: int
    txn_id: int
    label: str
    request_ip: str
    def __init__(self, cloud_unique_id: _Optional[str] = ..., db_id: _Optional[int] = ..., txn_id: _Optional[int] = ..., label: _Optional[str] = ..., request_ip: _Optional[str] = ...) -> None: ...

class GetTxnResponse(_message.Message):
    __slots__ = ("status", "txn_info")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    TXN_INFO_FIELD_NUMBER: _ClassVar[int]
    status: MetaServiceResponseStatus
    txn_info: TxnInfoPB
    def __init__(self, status: _Optional[_Union[MetaServiceResponseStatus, _Mapping]] = ..., txn_info: _Optional[_Union[TxnInfoPB, _Mapping]] = ...) -> None: ...

class GetTxnIdRequest(_message.Message):
    __slots__ = ("cloud_unique_id", "db_id", "label", "txn_status", "request_ip")
    CLOUD_UNIQUE_ID_FIELD_NUMBER: _ClassVar[int]
    DB_ID_FIELD_NUMBER: _ClassVar[int]
    LABEL_FIELD_NUMBER: _ClassVar[int]
    TXN_STATUS_FIELD_NUMBER: _ClassVar[int]
    REQUEST_IP_FIELD_NUMBER: _ClassVar[int]
    cloud_unique_id: str
    db_id: int
    label: str
    txn_status: _containers.RepeatedScalarFieldContainer[TxnStatusPB]
    request_ip: str
    def __init__(self, cloud_unique_id: _Optional[str] = ..., db_id: _Optional[int] = ..., label: _Optional[str] = ..., txn_status: _Optional[_Iterable[_Union[TxnStatusPB, str]]] = ..., request_ip: _Optional[str] = ...) -> None: ...

class GetTxnIdResponse(_message.Message):
    __slots__ = ("status", "txn_id")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    TXN_ID_FIELD_NUMBER: _ClassVar[int]
    status: MetaServiceResponseStatus
    txn_id: int
    def __init__(self, status: _Optional[_Union[MetaServiceResponseStatus, _Mapping]] = ..., txn_id: _Optional[int] = ...) -> None: ...

class BeginSubTxnRequest(_message.Message):
    __slots__ = ("cloud_unique_id", "txn_id", "sub_txn_num", "db_id", "table_ids", "label", "request_ip")
    CLOUD_UNIQUE_ID_FIELD_NUMBER: _ClassVar[int]
    TXN_ID_FIELD_NUMBER: _ClassVar[int]
    SUB_TXN_NUM_FIELD_NUMBER: _ClassVar[int]
    DB_ID_FIELD_NUMBER: _ClassVar[int]
    TABLE_IDS_FIELD_NUMBER: _ClassVar[int]
    LABEL_FIELD_NUMBER: _ClassVar[int]
    REQUEST_IP_FIELD_NUMBER: _ClassVar[int]
    cloud_unique_id: str
    txn_id: int
    sub_txn_num: int
    db_id: int
    table_ids: _containers.RepeatedScalarFieldContainer[int]
    label: str
    request_ip: str
    def __init__(self, cloud_unique_id: _Optional[str] = ..., txn_id: _Optional[int] = ..., sub_txn_num: _Optional[int] = ..., db_id: _Optional[int] = ..., table_ids: _Optional[_Iterable[int]] = ..., label: _Optional[str] = ..., request_ip: _Optional[str] = ...) -> None: ...

class BeginSubTxnResponse(_message.Message):
    __slots__ = ("status", "sub_txn_id", "txn_info")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    SUB_TXN_ID_FIELD_NUMBER: _ClassVar[int]
    TXN_INFO_FIELD_NUMBER: _ClassVar[int]
    status: MetaServiceResponseStatus
    sub_txn_id: int
    txn_info: TxnInfoPB
    def __init__(self, status: _Optional[_Union[MetaServiceResponseStatus, _Mapping]] = ..., sub_txn_id: _Optional[int] = ..., txn_info: _Optional[_Union[TxnInfoPB, _Mapping]] = ...) -> None: ...

class AbortSubTxnRequest(_message.Message):
    __slots__ = ("cloud_unique_id", "txn_id", "sub_txn_id", "sub_txn_num", "db_id", "table_ids", "request_ip")
    CLOUD_UNIQUE_ID_FIELD_NUMBER: _ClassVar[int]
    TXN_ID_FIELD_NUMBER: _ClassVar[int]
    SUB_TXN_ID_FIELD_NUMBER: _ClassVar[int]
    SUB_TXN_NUM_FIELD_NUMBER: _ClassVar[int]
    DB_ID_FIELD_NUMBER: _ClassVar[int]
    TABLE_IDS_FIELD_NUMBER: _ClassVar[int]
    REQUEST_IP_FIELD_NUMBER: _ClassVar[int]
    cloud_unique_id: str
    txn_id: int
    sub_txn_id: int
    sub_txn_num: int
    db_id: int
    table_ids: _containers.RepeatedScalarFieldContainer[int]
    request_ip: str
    def __init__(self, cloud_unique_id: _Optional[str] = ..., txn_id: _Optional[int] = ..., sub_txn_id: _Optional[int] = ..., sub_txn_num: _Optional[int] = ..., db_id: _Optional[int] = ..., table_ids: _Optional[_Iterable[int]] = ..., request_ip: _Optional[str] = ...) -> None: ...

class AbortSubTxnResponse(_message.Message):
    __slots__ = ("status", "txn_info")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    TXN_INFO_FIELD_NUMBER: _ClassVar[int]
    status: MetaServiceResponseStatus
    txn_info: TxnInfoPB
    def __init__(self, status: _Optional[_Union[MetaServiceResponseStatus, _Mapping]] = ..., txn_info: _Optional[_Union[TxnInfoPB, _Mapping]] = ...) -> None: ...

class GetCurrentMaxTxnRequest(_message.Message):
    __slots__ = ("cloud_unique_id", "request_ip")
    CLOUD_UNIQUE_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_IP_FIELD_NUMBER: _ClassVar[int]
    cloud_unique_id: str
    request_ip: str
    def __init__(self, cloud_unique_id: _Optional[str] = ..., request_ip: _Optional[str] = ...) -> None: ...

class GetCurrentMaxTxnResponse(_message.Message):
    __slots__ = ("status", "current_max_txn_id")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    CURRENT_MAX_TXN_ID_FIELD_NUMBER: _ClassVar[int]
    status: MetaServiceResponseStatus
    current_max_txn_id: int
    def __init__(self, status: _Optional[_Union[MetaServiceResponseStatus, _Mapping]] = ..., current_max_txn_id: _Optional[int] = ...) -> None: ...

class AbortTxnWithCoordinatorRequest(_message.Message):
    __slots__ = ("cloud_unique_id", "ip", "id", "start_time", "request_ip")
    CLOUD_UNIQUE_ID_FIELD_NUMBER: _ClassVar[int]
    IP_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    REQUEST_IP_FIELD_NUMBER: _ClassVar[int]
    cloud_unique_id: str
    ip: str
    id: int
    start_time: int
    request_ip: str
    def __init__(self, cloud_unique_id: _Optional[str] = ..., ip: _Optional[str] = ..., id: _Optional[int] = ..., start_time: _Optional[int] = ..., request_ip: _Optional[str] = ...) -> None: ...

class AbortTxnWithCoordinatorResponse(_message.Message):
    __slots__ = ("status",)
    STATUS_FIELD_NUMBER: _ClassVar[int]
    status: MetaServiceResponseStatus
    def __init__(self, status: _Optional[_Union[MetaServiceResponseStatus, _Mapping]] = ...) -> None: ...

class CheckTxnConflictRequest(_message.Message):
    __slots__ = ("cloud_unique_id", "db_id", "end_txn_id", "table_ids", "ignore_timeout_txn", "request_ip")
    CLOUD_UNIQUE_ID_FIELD_NUMBER: _ClassVar[int]
    DB_ID_FIELD_NUMBER: _ClassVar[int]
    END_TXN_ID_FIELD_NUMBER: _ClassVar[int]
    TABLE_IDS_FIELD_NUMBER: _ClassVar[int]
    IGNORE_TIMEOUT_TXN_FIELD_NUMBER: _ClassVar[int]
    REQUEST_IP_FIELD_NUMBER: _ClassVar[int]
    cloud_unique_id: str
    db_id: int
    end_txn_id: int
    table_ids: _containers.RepeatedScalarFieldContainer[int]
    ignore_timeout_txn: bool
    request_ip: str
    def __init__(self, cloud_unique_id: _Optional[str] = ..., db_id: _Optional[int] = ..., end_txn_id: _Optional[int] = ..., table_ids: _Optional[_Iterable[int]] = ..., ignore_timeout_txn: _Optional[bool] = ..., request_ip: _Optional[str] = ...) -> None: ...

class CheckTxnConflictResponse(_message.Message):
    __slots__ = ("status", "finished", "conflict_txns")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    FINISHED_FIELD_NUMBER: _ClassVar[int]
    CONFLICT_TXNS_FIELD_NUMBER: _ClassVar[int]
    status: MetaServiceResponseStatus
    finished: bool
    conflict_txns: _containers.RepeatedCompositeFieldContainer[TxnInfoPB]
    def __init__(self, status: _Optional[_Union[MetaServiceResponseStatus, _Mapping]] = ..., finished: _Optional[bool] = ..., conflict_txns: _Optional[_Iterable[_Union[TxnInfoPB, _Mapping]]] = ...) -> None: ...

class CleanTxnLabelRequest(_message.Message):
    __slots__ = ("cloud_unique_id", "db_id", "labels", "request_ip")
    CLOUD_UNIQUE_ID_FIELD_NUMBER: _ClassVar[int]
    DB_ID_FIELD_NUMBER: _ClassVar[int]
    LABELS_FIELD_NUMBER: _ClassVar[int]
    REQUEST_IP_FIELD_NUMBER: _ClassVar[int]
    cloud_unique_id: str
    db_id: int
    labels: _containers.RepeatedScalarFieldContainer[str]
    request_ip: str
    def __init__(self, cloud_unique_id: _Optional[str] = ..., db_id: _Optional[int] = ..., labels: _Optional[_Iterable[str]] = ..., request_ip: _Optional[str] = ...) -> None: ...

class CleanTxnLabelResponse(_message.Message):
    __slots__ = ("status",)
    STATUS_FIELD_NUMBER: _ClassVar[int]
    status: MetaServiceResponseStatus
    def __init__(self, status: _Optional[_Union[MetaServiceResponseStatus, _Mapping]] = ...) -> None: ...

class GetVersionRequest(_message.Message):
    __slots__ = ("cloud_unique_id", "db_id", "table_id", "partition_id", "batch_mode", "db_ids", "table_ids", "partition_ids", "is_table_version", "request_ip")
    CLOUD_UNIQUE_ID_FIELD_NUMBER: _ClassVar[int]
    DB_ID_FIELD_NUMBER: _ClassVar[int]
    TABLE_ID_FIELD_NUMBER: _ClassVar[int]
    PARTITION_ID_FIELD_NUMBER: _ClassVar[int]
    BATCH_MODE_FIELD_NUMBER: _ClassVar[int]
    DB_IDS_FIELD_NUMBER: _ClassVar[int]
    TABLE_IDS_FIELD_NUMBER: _ClassVar[int]
    PARTITION_IDS_FIELD_NUMBER: _ClassVar[int]
    IS_TABLE_VERSION_FIELD_NUMBER: _ClassVar[int]
    REQUEST_IP_FIELD_NUMBER: _ClassVar[int]
    cloud_unique_id: str
    db_id: int
    table_id: int
    partition_id: int
    batch_mode: bool
    db_ids: _containers.RepeatedScalarFieldContainer[int]
    table_ids: _containers.RepeatedScalarFieldContainer[int]
    partition_ids: _containers.RepeatedScalarFieldContainer[int]
    is_table_version: bool
    request_ip: str
    def __init__(self, cloud_unique_id: _Optional[str] = ..., db_id: _Optional[int] = ..., table_id: _Optional[int] = ..., partition_id: _Optional[int] = ..., batch_mode: _Optional[bool] = ..., db_ids: _Optional[_Iterable[int]] = ..., table_ids: _Optional[_Iterable[int]] = ..., partition_ids: _Optional[_Iterable[int]] = ..., is_table_version: _Optional[bool] = ..., request_ip: _Optional[str] = ...) -> None: ...

class GetVersionResponse(_message.Message):
    __slots__ = ("status", "version", "db_ids", "table_ids", "partition_ids", "versions", "version_update_time_ms")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    DB_IDS_FIELD_NUMBER: _ClassVar[int]
    TABLE_IDS_FIELD_NUMBER: _ClassVar[int]
    PARTITION_IDS_FIELD_NUMBER: _ClassVar[int]
    VERSIONS_FIELD_NUMBER: _ClassVar[int]
    VERSION_UPDATE_TIME_MS_FIELD_NUMBER: _ClassVar[int]
    status: MetaServiceResponseStatus
    version: int
    db_ids: _containers.RepeatedScalarFieldContainer[int]
    table_ids: _containers.RepeatedScalarFieldContainer[int]
    partition_ids: _containers.RepeatedScalarFieldContainer[int]
    versions: _containers.RepeatedScalarFieldContainer[int]
    version_update_time_ms: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, status: _Optional[_Union[MetaServiceResponseStatus, _Mapping]] = ..., version: _Optional[int] = ..., db_ids: _Optional[_Iterable[int]] = ..., table_ids: _Optional[_Iterable[int]] = ..., partition_ids: _Optional[_Iterable[int]] = ..., versions: _Optional[_Iterable[int]] = ..., version_update_time_ms: _Optional[_Iterable[int]] = ...) -> None: ...

class GetObjStoreInfoRequest(_message.Message):
    __slots__ = ("cloud_unique_id", "request_ip")
    CLOUD_UNIQUE_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_IP_FIELD_NUMBER: _ClassVar[int]
    cloud_unique_id: str
    request_ip: str
    def __init__(self, cloud_unique_id: _Optional[str] = ..., request_ip: _Optional[str] = ...) -> None: ...

class AlterObjStoreInfoRequest(_message.Message):
    __slots__ = ("cloud_unique_id", "obj", "op", "vault", "set_as_default_storage_vault", "request_ip")
    class Operation(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        UNKNOWN: _ClassVar[AlterObjStoreInfoRequest.Operation]
        UPDATE_AK_SK: _ClassVar[AlterObjStoreInfoRequest.Operation]
        ADD_OBJ_INFO: _ClassVar[AlterObjStoreInfoRequest.Operation]
        LEGACY_UPDATE_AK_SK: _ClassVar[AlterObjStoreInfoRequest.Operation]
        ALTER_OBJ_INFO: _ClassVar[AlterObjStoreInfoRequest.Operation]
        ADD_HDFS_INFO: _ClassVar[AlterObjStoreInfoRequest.Operation]
        DROP_HDFS_INFO: _ClassVar[AlterObjStoreInfoRequest.Operation]
        ADD_BUILT_IN_VAULT: _ClassVar[AlterObjStoreInfoRequest.Operation]
        ADD_S3_VAULT: _ClassVar[AlterObjStoreInfoRequest.Operation]
        DROP_S3_VAULT: _ClassVar[AlterObjStoreInfoRequest.Operation]
        ALTER_S3_VAULT: _ClassVar[AlterObjStoreInfoRequest.Operation]
        ALTER_HDFS_VAULT: _ClassVar[AlterObjStoreInfoRequest.Operation]
        SET_DEFAULT_VAULT: _ClassVar[AlterObjStoreInfoRequest.Operation]
        UNSET_DEFAULT_VAULT: _ClassVar[AlterObjStoreInfoRequest.Operation]
    UNKNOWN: AlterObjStoreInfoRequest.Operation
    UPDATE_AK_SK: AlterObjStoreInfoRequest.Operation
    ADD_OBJ_INFO: AlterObjStoreInfoRequest.Operation
    LEGACY_UPDATE_AK_SK: AlterObjStoreInfoRequest.Operation
    ALTER_OBJ_INFO: AlterObjStoreInfoRequest.Operation
    ADD_HDFS_INFO: AlterObjStoreInfoRequest.Operation
    DROP_HDFS_INFO: AlterObjStoreInfoRequest.Operation
    ADD_BUILT_IN_VAULT: AlterObjStoreInfoRequest.Operation
    ADD_S3_VAULT: AlterObjStoreInfoRequest.Operation
    DROP_S3_VAULT: AlterObjStoreInfoRequest.Operation
    ALTER_S3_VAULT: AlterObjStoreInfoRequest.Operation
    ALTER_HDFS_VAULT: AlterObjStoreInfoRequest.Operation
    SET_DEFAULT_VAULT: AlterObjStoreInfoRequest.Operation
    UNSET_DEFAULT_VAULT: AlterObjStoreInfoRequest.Operation
    CLOUD_UNIQUE_ID_FIELD_NUMBER: _ClassVar[int]
    OBJ_FIELD_NUMBER: _ClassVar[int]
    OP_FIELD_NUMBER: _ClassVar[int]
    VAULT_FIELD_NUMBER: _ClassVar[int]
    SET_AS_DEFAULT_STORAGE_VAULT_FIELD_NUMBER: _ClassVar[int]
    REQUEST_IP_FIELD_NUMBER: _ClassVar[int]
    cloud_unique_id: str
    obj: ObjectStoreInfoPB
    op: AlterObjStoreInfoRequest.Operation
    vault: StorageVaultPB
    set_as_default_storage_vault: bool
    request_ip: str
    def __init__(self, cloud_unique_id: _Optional[str] = ..., obj: _Optional[_Union[ObjectStoreInfoPB, _Mapping]] = ..., op: _Optional[_Union[AlterObjStoreInfoRequest.Operation, str]] = ..., vault: _Optional[_Union[StorageVaultPB, _Mapping]] = ..., set_as_default_storage_vault: _Optional[bool] = ..., request_ip: _Optional[str] = ...) -> None: ...

class AlterObjStoreInfoResponse(_message.Message):
    __slots__ = ("status", "storage_vault_id", "default_storage_vault_replaced")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    STORAGE_VAULT_ID_FIELD_NUMBER: _ClassVar[int]
    DEFAULT_STORAGE_VAULT_REPLACED_FIELD_NUMBER: _ClassVar[int]
    status: MetaServiceResponseStatus
    storage_vault_id: str
    default_storage_vault_replaced: bool
    def __init__(self, status: _Optional[_Union[MetaServiceResponseStatus, _Mapping]] = ..., storage_vault_id: _Optional[str] = ..., default_storage_vault_replaced: _Optional[bool] = ...) -> None: ...

class UpdateAkSkRequest(_message.Message):
    __slots__ = ("instance_id", "internal_bucket_user", "ram_user", "request_ip")
    INSTANCE_ID_FIELD_NUMBER: _ClassVar[int]
    INTERNAL_BUCKET_USER_FIELD_NUMBER: _ClassVar[int]
    RAM_USER_FIELD_NUMBER: _ClassVar[int]
    REQUEST_IP_FIELD_NUMBER: _ClassVar[int]
    instance_id: str
    internal_bucket_user: _containers.RepeatedCompositeFieldContainer[RamUserPB]
    ram_user: RamUserPB
    request_ip: str
    def __init__(self, instance_id: _Optional[str] = ..., internal_bucket_user: _Optional[_Iterable[_Union[RamUserPB, _Mapping]]] = ..., ram_user: _Optional[_Union[RamUserPB, _Mapping]] = ..., request_ip: _Optional[str] = ...) -> None: ...

class UpdateAkSkResponse(_message.Message):
    __slots__ = ("status",)
    STATUS_FIELD_NUMBER: _ClassVar[int]
    status: MetaServiceResponseStatus
    def __init__(self, status: _Optional[_Union[MetaServiceResponseStatus, _Mapping]] = ...) -> None: ...

class GetObjStoreInfoResponse(_message.Message):
    __slots__ = ("status", "obj_info", "storage_vault", "default_storage_vault_id", "default_storage_vault_name", "enable_storage_vault")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    OBJ_INFO_FIELD_NUMBER: _ClassVar[int]
    STORAGE_VAULT_FIELD_NUMBER: _ClassVar[int]
    DEFAULT_STORAGE_VAULT_ID_FIELD_NUMBER: _ClassVar[int]
    DEFAULT_STORAGE_VAULT_NAME_FIELD_NUMBER: _ClassVar[int]
    ENABLE_STORAGE_VAULT_FIELD_NUMBER: _ClassVar[int]
    status: MetaServiceResponseStatus
    obj_info: _containers.RepeatedCompositeFieldContainer[ObjectStoreInfoPB]
    storage_vault: _containers.RepeatedCompositeFieldContainer[StorageVaultPB]
    default_storage_vault_id: str
    default_storage_vault_name: str
    enable_storage_vault: bool
    def __init__(self, status: _Optional[_Union[MetaServiceResponseStatus, _Mapping]] = ..., obj_info: _Optional[_Iterable[_Union[ObjectStoreInfoPB, _Mapping]]] = ..., storage_vault: _Optional[_Iterable[_Union[StorageVaultPB, _Mapping]]] = ..., default_storage_vault_id: _Optional[str] = ..., default_storage_vault_name: _Optional[str] = ..., enable_storage_vault: _Optional[bool] = ...) -> None: ...

class CreateTabletsRequest(_message.Message):
    __slots__ = ("cloud_unique_id", "tablet_metas", "storage_vault_name", "db_id", "request_ip")
    CLOUD_UNIQUE_ID_FIELD_NUMBER: _ClassVar[int]
    TABLET_METAS_FIELD_NUMBER: _ClassVar[int]
    STORAGE_VAULT_NAME_FIELD_NUMBER: _ClassVar[int]
    DB_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_IP_FIELD_NUMBER: _ClassVar[int]
    cloud_unique_id: str
    tablet_metas: _containers.RepeatedCompositeFieldContainer[_olap_file_pb2.TabletMetaCloudPB]
    storage_vault_name: str
    db_id: int
    request_ip: str
    def __init__(self, cloud_unique_id: _Optional[str] = ..., tablet_metas: _Optional[_Iterable[_Union[_olap_file_pb2.TabletMetaCloudPB, _Mapping]]] = ..., storage_vault_name: _Optional[str] = ..., db_id: _Optional[int] = ..., request_ip: _Optional[str] = ...) -> None: ...

class CreateTabletsResponse(_message.Message):
    __slots__ = ("status", "storage_vault_id", "storage_vault_name")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    STORAGE_VAULT_ID_FIELD_NUMBER: _ClassVar[int]
    STORAGE_VAULT_NAME_FIELD_NUMBER: _ClassVar[int]
    status: MetaServiceResponseStatus
    storage_vault_id: str
    storage_vault_name: str
    def __init__(self, status: _Optional[_Union[MetaServiceResponseStatus, _Mapping]] = ..., storage_vault_id: _Optional[str] = ..., storage_vault_name: _Optional[str] = ...) -> None: ...

class UpdateTabletRequest(_message.Message):
    __slots__ = ("cloud_unique_id", "tablet_meta_infos", "request_ip")
    CLOUD_UNIQUE_ID_FIELD_NUMBER: _ClassVar[int]
    TABLET_META_INFOS_FIELD_NUMBER: _ClassVar[int]
    REQUEST_IP_FIELD_NUMBER: _ClassVar[int]
    cloud_unique_id: str
    tablet_meta_infos: _containers.RepeatedCompositeFieldContainer[TabletMetaInfoPB]
    request_ip: str
    def __init__(self, cloud_unique_id: _Optional[str] = ..., tablet_meta_infos: _Optional[_Iterable[_Union[TabletMetaInfoPB, _Mapping]]] = ..., request_ip: _Optional[str] = ...) -> None: ...

class UpdateTabletResponse(_message.Message):
    __slots__ = ("status",)
    STATUS_FIELD_NUMBER: _ClassVar[int]
    status: MetaServiceResponseStatus
    def __init__(self, status: _Optional[_Union[MetaServiceResponseStatus, _Mapping]] = ...) -> None: ...

class GetTabletRequest(_message.Message):
    __slots__ = ("cloud_unique_id", "tablet_id", "request_ip")
    CLOUD_UNIQUE_ID_FIELD_NUMBER: _ClassVar[int]
    TABLET_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_IP_FIELD_NUMBER: _ClassVar[int]
    cloud_unique_id: str
    tablet_id: int
    request_ip: str
    def __init__(self, cloud_unique_id: _Optional[str] = ..., tablet_id: _Optional[int] = ..., request_ip: _Optional[str] = ...) -> None: ...

class GetTabletResponse(_message.Message):
    __slots__ = ("status", "tablet_meta")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    TABLET_META_FIELD_NUMBER: _ClassVar[int]
    status: MetaServiceResponseStatus
    tablet_meta: _olap_file_pb2.TabletMetaCloudPB
    def __init__(self, status: _Optional[_Union[MetaServiceResponseStatus, _Mapping]] = ..., tablet_meta: _Optional[_Union[_olap_file_pb2.TabletMetaCloudPB, _Mapping]] = ...) -> None: ...

class CreateRowsetRequest(_message.Message):
    __slots__ = ("cloud_unique_id", "rowset_meta", "temporary", "txn_id", "tablet_job_id", "request_ip")
    CLOUD_UNIQUE_ID_FIELD_NUMBER: _ClassVar[int]
    ROWSET_META_FIELD_NUMBER: _ClassVar[int]
    TEMPORARY_FIELD_NUMBER: _ClassVar[int]
    TXN_ID_FIELD_NUMBER: _ClassVar[int]
    TABLET_JOB_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_IP_FIELD_NUMBER: _ClassVar[int]
    cloud_unique_id: str
    rowset_meta: _olap_file_pb2.RowsetMetaCloudPB
    temporary: bool
    txn_id: int
    tablet_job_id: str
    request_ip: str
    def __init__(self, cloud_unique_id: _Optional[str] = ..., rowset_meta: _Optional[_Union[_olap_file_pb2.RowsetMetaCloudPB, _Mapping]] = ..., temporary: _Optional[bool] = ..., txn_id: _Optional[int] = ..., tablet_job_id: _Optional[str] = ..., request_ip: _Optional[str] = ...) -> None: ...

class CreateRowsetResponse(_message.Message):
    __slots__ = ("status", "existed_rowset_meta")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    EXISTED_ROWSET_META_FIELD_NUMBER: _ClassVar[int]
    status: MetaServiceResponseStatus
    existed_rowset_meta: _olap_file_pb2.RowsetMetaCloudPB
    def __init__(self, status: _Optional[_Union[MetaServiceResponseStatus, _Mapping]] = ..., existed_rowset_meta: _Optional[_Union[_olap_file_pb2.RowsetMetaCloudPB, _Mapping]] = ...) -> None: ...

class GetRowsetRequest(_message.Message):
    __slots__ = ("cloud_unique_id", "idx", "start_version", "end_version", "base_compaction_cnt", "cumulative_compaction_cnt", "cumulative_point", "schema_op", "request_ip", "full_compaction_cnt")
    class SchemaOp(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        FILL_WITH_DICT: _ClassVar[GetRowsetRequest.SchemaOp]
        RETURN_DICT: _ClassVar[GetRowsetRequest.SchemaOp]
        NO_DICT: _ClassVar[GetRowsetRequest.SchemaOp]
    FILL_WITH_DICT: GetRowsetRequest.SchemaOp
    RETURN_DICT: GetRowsetRequest.SchemaOp
    NO_DICT: GetRowsetRequest.SchemaOp
    CLOUD_UNIQUE_ID_FIELD_NUMBER: _ClassVar[int]
    IDX_FIELD_NUMBER: _ClassVar[int]
    START_VERSION_FIELD_NUMBER: _ClassVar[int]
    END_VERSION_FIELD_NUMBER: _ClassVar[int]
    BASE_COMPACTION_CNT_FIELD_NUMBER: _ClassVar[int]
    CUMULATIVE_COMPACTION_CNT_FIELD_NUMBER: _ClassVar[int]
    CUMULATIVE_POINT_FIELD_NUMBER: _ClassVar[int]
    SCHEMA_OP_FIELD_NUMBER: _ClassVar[int]
    REQUEST_IP_FIELD_NUMBER: _ClassVar[int]
    FULL_COMPACTION_CNT_FIELD_NUMBER: _ClassVar[int]
    cloud_unique_id: str
    idx: TabletIndexPB
    start_version: int
    end_version: int
    base_compaction_cnt: int
    cumulative_compaction_cnt: int
    cumulative_point: int
    schema_op: GetRowsetRequest.SchemaOp
    request_ip: str
    full_compaction_cnt: int
    def __init__(self, cloud_unique_id: _Optional[str] = ..., idx: _Optional[_Union[TabletIndexPB, _Mapping]] = ..., start_version: _Optional[int] = ..., end_version: _Optional[int] = ..., base_compaction_cnt: _Optional[int] = ..., cumulative_compaction_cnt: _Optional[int] = ..., cumulative_point: _Optional[int] = ..., schema_op: _Optional[_Union[GetRowsetRequest.SchemaOp, str]] = ..., request_ip: _Optional[str] = ..., full_compaction_cnt: _Optional[int] = ...) -> None: ...

class GetRowsetResponse(_message.Message):
    __slots__ = ("status", "rowset_meta", "stats", "schema_dict", "partition_max_version")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    ROWSET_META_FIELD_NUMBER: _ClassVar[int]
    STATS_FIELD_NUMBER: _ClassVar[int]
    SCHEMA_DICT_FIELD_NUMBER: _ClassVar[int]
    PARTITION_MAX_VERSION_FIELD_NUMBER: _ClassVar[int]
    status: MetaServiceResponseStatus
    rowset_meta: _containers.RepeatedCompositeFieldContainer[_olap_file_pb2.RowsetMetaCloudPB]
    stats: TabletStatsPB
    schema_dict: _olap_file_pb2.SchemaCloudDictionary
    partition_max_version: int
    def __init__(self, status: _Optional[_Union[MetaServiceResponseStatus, _Mapping]] = ..., rowset_meta: _Optional[_Iterable[_Union[_olap_file_pb2.RowsetMetaCloudPB, _Mapping]]] = ..., stats: _Optional[_Union[TabletStatsPB, _Mapping]] = ..., schema_dict: _Optional[_Union[_olap_file_pb2.SchemaCloudDictionary, _Mapping]] = ..., partition_max_version: _Optional[int] = ...) -> None: ...

class GetSchemaDictRequest(_message.Message):
    __slots__ = ("cloud_unique_id", "index_id", "request_ip")
    CLOUD_UNIQUE_ID_FIELD_NUMBER: _ClassVar[int]
    INDEX_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_IP_FIELD_NUMBER: _ClassVar[int]
    cloud_unique_id: str
    index_id: int
    request_ip: str
    def __init__(self, cloud_unique_id: _Optional[str] = ..., index_id: _Optional[int] = ..., request_ip: _Optional[str] = ...) -> None: ...

class GetSchemaDictResponse(_message.Message):
    __slots__ = ("status", "schema_dict")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    SCHEMA_DICT_FIELD_NUMBER: _ClassVar[int]
    status: MetaServiceResponseStatus
    schema_dict: _olap_file_pb2.SchemaCloudDictionary
    def __init__(self, status: _Optional[_Union[MetaServiceResponseStatus, _Mapping]] = ..., schema_dict: _Optional[_Union[_olap_file_pb2.SchemaCloudDictionary, _Mapping]] = ...) -> None: ...

class IndexRequest(_message.Message):
    __slots__ = ("cloud_unique_id", "index_ids", "table_id", "expiration", "db_id", "is_new_table", "request_ip")
    CLOUD_UNIQUE_ID_FIELD_NUMBER: _ClassVar[int]
    INDEX_IDS_FIELD_NUMBER: _ClassVar[int]
    TABLE_ID_FIELD_NUMBER: _ClassVar[int]
    EXPIRATION_FIELD_NUMBER: _ClassVar[int]
    DB_ID_FIELD_NUMBER: _ClassVar[int]
    IS_NEW_TABLE_FIELD_NUMBER: _ClassVar[int]
    REQUEST_IP_FIELD_NUMBER: _ClassVar[int]
    cloud_unique_id: str
    index_ids: _containers.RepeatedScalarFieldContainer[int]
    table_id: int
    expiration: int
    db_id: int
    is_new_table: bool
    request_ip: str
    def __init__(self, cloud_unique_id: _Optional[str] = ..., index_ids: _Optional[_Iterable[int]] = ..., table_id: _Optional[int] = ..., expiration: _Optional[int] = ..., db_id: _Optional[int] = ..., is_new_table: _Optional[bool] = ..., request_ip: _Optional[str] = ...) -> None: ...

class IndexResponse(_message.Message):
    __slots__ = ("status",)
    STATUS_FIELD_NUMBER: _ClassVar[int]
    status: MetaServiceResponseStatus
    def __init__(self, status: _Optional[_Union[MetaServiceResponseStatus, _Mapping]] = ...) -> None: ...

class PartitionRequest(_message.Message):
    __slots__ = ("cloud_unique_id", "partition_ids", "table_id", "index_ids", "expiration", "db_id", "need_update_table_version", "request_ip", "partition_versions")
    CLOUD_UNIQUE_ID_FIELD_NUMBER: _ClassVar[int]
    PARTITION_IDS_FIELD_NUMBER: _ClassVar[int]
    TABLE_ID_FIELD_NUMBER: _ClassVar[int]
    INDEX_IDS_FIELD_NUMBER: _ClassVar[int]
    EXPIRATION_FIELD_NUMBER: _ClassVar[int]
    DB_ID_FIELD_NUMBER: _ClassVar[int]
    NEED_UPDATE_TABLE_VERSION_FIELD_NUMBER: _ClassVar[int]
    REQUEST_IP_FIELD_NUMBER: _ClassVar[int]
    PARTITION_VERSIONS_FIELD_NUMBER: _ClassVar[int]
    cloud_unique_id: str
    partition_ids: _containers.RepeatedScalarFieldContainer[int]
    table_id: int
    index_ids: _containers.RepeatedScalarFieldContainer[int]
    expiration: int
    db_id: int
    need_update_table_version: bool
    request_ip: str
    partition_versions: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, cloud_unique_id: _Optional[str] = ..., partition_ids: _Optional[_Iterable[int]] = ..., table_id: _Optional[int] = ..., index_ids: _Optional[_Iterable[int]] = ..., expiration: _Optional[int] = ..., db_id: _Optional[int] = ..., need_update_table_version: _Optional[bool] = ..., request_ip: _Optional[str] = ..., partition_versions: _Optional[_Iterable[int]] = ...) -> None: ...

class PartitionResponse(_message.Message):
    __slots__ = ("status",)
    STATUS_FIELD_NUMBER: _ClassVar[int]
    status: MetaServiceResponseStatus
    def __init__(self, status: _Optional[_Union[MetaServiceResponseStatus, _Mapping]] = ...) -> None: ...

class RestoreJobRequest(_message.Message):
    __slots__ = ("cloud_unique_id", "tablet_id", "tablet_meta", "expiration", "request_ip", "action", "store_version")
    class Action(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        UNKONWN: _ClassVar[RestoreJobRequest.Action]
        PREPARE: _ClassVar[RestoreJobRequest.Action]
        COMMIT: _ClassVar[RestoreJobRequest.Action]
        ABORT: _ClassVar[RestoreJobRequest.Action]
        COMPLETE: _ClassVar[RestoreJobRequest.Action]
    UNKONWN: RestoreJobRequest.Action
    PREPARE: RestoreJobRequest.Action
    COMMIT: RestoreJobRequest.Action
    ABORT: RestoreJobRequest.Action
    COMPLETE: RestoreJobRequest.Action
    CLOUD_UNIQUE_ID_FIELD_NUMBER: _ClassVar[int]
    TABLET_ID_FIELD_NUMBER: _ClassVar[int]
    TABLET_META_FIELD_NUMBER: _ClassVar[int]
    EXPIRATION_FIELD_NUMBER: _ClassVar[int]
    REQUEST_IP_FIELD_NUMBER: _ClassVar[int]
    ACTION_FIELD_NUMBER: _ClassVar[int]
    STORE_VERSION_FIELD_NUMBER: _ClassVar[int]
    cloud_unique_id: str
    tablet_id: int
    tablet_meta: _olap_file_pb2.TabletMetaCloudPB
    expiration: int
    request_ip: str
    action: RestoreJobRequest.Action
    store_version: int
    def __init__(self, cloud_unique_id: _Optional[str] = ..., tablet_id: _Optional[int] = ..., tablet_meta: _Optional[_Union[_olap_file_pb2.TabletMetaCloudPB, _Mapping]] = ..., expiration: _Optional[int] = ..., request_ip: _Optional[str] = ..., action: _Optional[_Union[RestoreJobRequest.Action, str]] = ..., store_version: _Optional[int] = ...) -> None: ...

class RestoreJobResponse(_message.Message):
    __slots__ = ("status",)
    STATUS_FIELD_NUMBER: _ClassVar[int]
    status: MetaServiceResponseStatus
    def __init__(self, status: _Optional[_Union[MetaServiceResponseStatus, _Mapping]] = ...) -> None: ...

class MetaServiceResponseStatus(_message.Message):
    __slots__ = ("code", "msg")
    CODE_FIELD_NUMBER: _ClassVar[int]
    MSG_FIELD_NUMBER: _ClassVar[int]
    code: MetaServiceCode
    msg: str
    def __init__(self, code: _Optional[_Union[MetaServiceCode, str]] = ..., msg: _Optional[str] = ...) -> None: ...

class MetaServiceHttpRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class MetaServiceHttpResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class CreateInstanceRequest(_message.Message):
    __slots__ = ("instance_id", "user_id", "name", "obj_info", "ram_user", "sse_enabled", "vault", "request_ip")
    INSTANCE_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    OBJ_INFO_FIELD_NUMBER: _ClassVar[int]
    RAM_USER_FIELD_NUMBER: _ClassVar[int]
    SSE_ENABLED_FIELD_NUMBER: _ClassVar[int]
    VAULT_FIELD_NUMBER: _ClassVar[int]
    REQUEST_IP_FIELD_NUMBER: _ClassVar[int]
    instance_id: str
    user_id: str
    name: str
    obj_info: ObjectStoreInfoPB
    ram_user: RamUserPB
    sse_enabled: bool
    vault: StorageVaultPB
    request_ip: str
    def __init__(self, instance_id: _Optional[str] = ..., user_id: _Optional[str] = ..., name: _Optional[str] = ..., obj_info: _Optional[_Union[ObjectStoreInfoPB, _Mapping]] = ..., ram_user: _Optional[_Union[RamUserPB, _Mapping]] = ..., sse_enabled: _Optional[bool] = ..., vault: _Optional[_Union[StorageVaultPB, _Mapping]] = ..., request_ip: _Optional[str] = ...) -> None: ...

class CreateInstanceResponse(_message.Message):
    __slots__ = ("status",)
    STATUS_FIELD_NUMBER: _ClassVar[int]
    status: MetaServiceResponseStatus
    def __init__(self, status: _Optional[_Union[MetaServiceResponseStatus, _Mapping]] = ...) -> None: ...

class AlterInstanceRequest(_message.Message):
    __slots__ = ("instance_id", "op", "name", "request_ip", "properties")
    class Operation(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        UNKNOWN: _ClassVar[AlterInstanceRequest.Operation]
        DROP: _ClassVar[AlterInstanceRequest.Operation]
        REFRESH: _ClassVar[AlterInstanceRequest.Operation]
        RENAME: _ClassVar[AlterInstanceRequest.Operation]
        ENABLE_SSE: _ClassVar[AlterInstanceRequest.Operation]
        DISABLE_SSE: _ClassVar[AlterInstanceRequest.Operation]
        SET_OVERDUE: _ClassVar[AlterInstanceRequest.Operation]
        SET_NORMAL: _ClassVar[AlterInstanceRequest.Operation]
        SET_SNAPSHOT_PROPERTY: _ClassVar[AlterInstanceRequest.Operation]
    UNKNOWN: AlterInstanceRequest.Operation
    DROP: AlterInstanceRequest.Operation
    REFRESH: AlterInstanceRequest.Operation
    RENAME: AlterInstanceRequest.Operation
    ENABLE_SSE: AlterInstanceRequest.Operation
    DISABLE_SSE: AlterInstanceRequest.Operation
    SET_OVERDUE: AlterInstanceRequest.Operation
    SET_NORMAL: AlterInstanceRequest.Operation
    SET_SNAPSHOT_PROPERTY: AlterInstanceRequest.Operation
    class SnapshotProperty(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        UNKNOWN_PROPERTY: _ClassVar[AlterInstanceRequest.SnapshotProperty]
        ENABLE_SNAPSHOT: _ClassVar[AlterInstanceRequest.SnapshotProperty]
        MAX_RESERVED_SNAPSHOTS: _ClassVar[AlterInstanceRequest.SnapshotProperty]
        SNAPSHOT_INTERVAL_SECONDS: _ClassVar[AlterInstanceRequest.SnapshotProperty]
    UNKNOWN_PROPERTY: AlterInstanceRequest.SnapshotProperty
    ENABLE_SNAPSHOT: AlterInstanceRequest.SnapshotProperty
    MAX_RESERVED_SNAPSHOTS: AlterInstanceRequest.SnapshotProperty
    SNAPSHOT_INTERVAL_SECONDS: AlterInstanceRequest.SnapshotProperty
    class PropertiesEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    INSTANCE_ID_FIELD_NUMBER: _ClassVar[int]
    OP_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    REQUEST_IP_FIELD_NUMBER: _ClassVar[int]
    PROPERTIES_FIELD_NUMBER: _ClassVar[int]
    instance_id: str
    op: AlterInstanceRequest.Operation
    name: str
    request_ip: str
    properties: _containers.ScalarMap[str, str]
    def __init__(self, instance_id: _Optional[str] = ..., op: _Optional[_Union[AlterInstanceRequest.Operation, str]] = ..., name: _Optional[str] = ..., request_ip: _Optional[str] = ..., properties: _Optional[_Mapping[str, str]] = ...) -> None: ...

class AlterInstanceResponse(_message.Message):
    __slots__ = ("status",)
    STATUS_FIELD_NUMBER: _ClassVar[int]
    status: MetaServiceResponseStatus
    def __init__(self, status: _Optional[_Union[MetaServiceResponseStatus, _Mapping]] = ...) -> None: ...

class GetInstanceRequest(_message.Message):
    __slots__ = ("instance_id", "cloud_unique_id", "request_ip")
    INSTANCE_ID_FIELD_NUMBER: _ClassVar[int]
    CLOUD_UNIQUE_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_IP_FIELD_NUMBER: _ClassVar[int]
    instance_id: str
    cloud_unique_id: str
    request_ip: str
    def __init__(self, instance_id: _Optional[str] = ..., cloud_unique_id: _Optional[str] = ..., request_ip: _Optional[str] = ...) -> None: ...

class GetInstanceResponse(_message.Message):
    __slots__ = ("status", "instance")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    INSTANCE_FIELD_NUMBER: _ClassVar[int]
    status: MetaServiceResponseStatus
    instance: InstanceInfoPB
    def __init__(self, status: _Optional[_Union[MetaServiceResponseStatus, _Mapping]] = ..., instance: _Optional[_Union[InstanceInfoPB, _Mapping]] = ...) -> None: ...

class AlterClusterRequest(_message.Message):
    __slots__ = ("instance_id", "cloud_unique_id", "cluster", "op", "replace_if_existing_empty_target_cluster", "request_ip")
    class Operation(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        UNKNOWN: _ClassVar[AlterClusterRequest.Operation]
        ADD_CLUSTER: _ClassVar[AlterClusterRequest.Operation]
        DROP_CLUSTER: _ClassVar[AlterClusterRequest.Operation]
        ADD_NODE: _ClassVar[AlterClusterRequest.Operation]
        DROP_NODE: _ClassVar[AlterClusterRequest.Operation]
        RENAME_CLUSTER: _ClassVar[AlterClusterRequest.Operation]
        UPDATE_CLUSTER_MYSQL_USER_NAME: _ClassVar[AlterClusterRequest.Operation]
        DECOMMISSION_NODE: _ClassVar[AlterClusterRequest.Operation]
        NOTIFY_DECOMMISSIONED: _ClassVar[AlterClusterRequest.Operation]
        UPDATE_CLUSTER_ENDPOINT: _ClassVar[AlterClusterRequest.Operation]
        SET_CLUSTER_STATUS: _ClassVar[AlterClusterRequest.Operation]
        ALTER_VCLUSTER_INFO: _ClassVar[AlterClusterRequest.Operation]
        ALTER_PROPERTIES: _ClassVar[AlterClusterRequest.Operation]
    UNKNOWN: AlterClusterRequest.Operation
    ADD_CLUSTER: AlterClusterRequest.Operation
    DROP_CLUSTER: AlterClusterRequest.Operation
    ADD_NODE: AlterClusterRequest.Operation
    DROP_NODE: AlterClusterRequest.Operation
    RENAME_CLUSTER: AlterClusterRequest.Operation
    UPDATE_CLUSTER_MYSQL_USER_NAME: AlterClusterRequest.Operation
    DECOMMISSION_NODE: AlterClusterRequest.Operation
    NOTIFY_DECOMMISSIONED: AlterClusterRequest.Operation
    UPDATE_CLUSTER_ENDPOINT: AlterClusterRequest.Operation
    SET_CLUSTER_STATUS: AlterClusterRequest.Operation
    ALTER_VCLUSTER_INFO: AlterClusterRequest.Operation
    ALTER_PROPERTIES: AlterClusterRequest.Operation
    INSTANCE_ID_FIELD_NUMBER: _ClassVar[int]
    CLOUD_UNIQUE_ID_FIELD_NUMBER: _ClassVar[int]
    CLUSTER_FIELD_NUMBER: _ClassVar[int]
    OP_FIELD_NUMBER: _ClassVar[int]
    REPLACE_IF_EXISTING_EMPTY_TARGET_CLUSTER_FIELD_NUMBER: _ClassVar[int]
    REQUEST_IP_FIELD_NUMBER: _ClassVar[int]
    instance_id: str
    cloud_unique_id: str
    cluster: ClusterPB
    op: AlterClusterRequest.Operation
    replace_if_existing_empty_target_cluster: bool
    request_ip: str
    def __init__(self, instance_id: _Optional[str] = ..., cloud_unique_id: _Optional[str] = ..., cluster: _Optional[_Union[ClusterPB, _Mapping]] = ..., op: _Optional[_Union[AlterClusterRequest.Operation, str]] = ..., replace_if_existing_empty_target_cluster: _Optional[bool] = ..., request_ip: _Optional[str] = ...) -> None: ...

class AlterClusterResponse(_message.Message):
    __slots__ = ("status",)
    STATUS_FIELD_NUMBER: _ClassVar[int]
    status: MetaServiceResponseStatus
    def __init__(self, status: _Optional[_Union[MetaServiceResponseStatus, _Mapping]] = ...) -> None: ...

class GetClusterRequest(_message.Message):
    __slots__ = ("instance_id", "cloud_unique_id", "cluster_id", "cluster_name", "mysql_user_name", "request_ip")
    INSTANCE_ID_FIELD_NUMBER: _ClassVar[int]
    CLOUD_UNIQUE_ID_FIELD_NUMBER: _ClassVar[int]
    CLUSTER_ID_FIELD_NUMBER: _ClassVar[int]
    CLUSTER_NAME_FIELD_NUMBER: _ClassVar[int]
    MYSQL_USER_NAME_FIELD_NUMBER: _ClassVar[int]
    REQUEST_IP_FIELD_NUMBER: _ClassVar[int]
    instance_id: str
    cloud_unique_id: str
    cluster_id: str
    cluster_name: str
    mysql_user_name: str
    request_ip: str
    def __init__(self, instance_id: _Optional[str] = ..., cloud_unique_id: _Optional[str] = ..., cluster_id: _Optional[str] = ..., cluster_name: _Optional[str] = ..., mysql_user_name: _Optional[str] = ..., request_ip: _Optional[str] = ...) -> None: ...

class GetClusterStatusRequest(_message.Message):
    __slots__ = ("instance_ids", "cloud_unique_ids", "status", "request_ip")
    INSTANCE_IDS_FIELD_NUMBER: _ClassVar[int]
    CLOUD_UNIQUE_IDS_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    REQUEST_IP_FIELD_NUMBER: _ClassVar[int]
    instance_ids: _containers.RepeatedScalarFieldContainer[str]
    cloud_unique_ids: _containers.RepeatedScalarFieldContainer[str]
    status: ClusterStatus
    request_ip: str
    def __init__(self, instance_ids: _Optional[_Iterable[str]] = ..., cloud_unique_ids: _Optional[_Iterable[str]] = ..., status: _Optional[_Union[ClusterStatus, str]] = ..., request_ip: _Optional[str] = ...) -> None: ...

class GetClusterStatusResponse(_message.Message):
    __slots__ = ("status", "details")
    class GetClusterStatusResponseDetail(_message.Message):
        __slots__ = ("instance_id", "clusters")
        INSTANCE_ID_FIELD_NUMBER: _ClassVar[int]
        CLUSTERS_FIELD_NUMBER: _ClassVar[int]
        instance_id: str
        clusters: _containers.RepeatedCompositeFieldContainer[ClusterPB]
        def __init__(self, instance_id: _Optional[str] = ..., clusters: _Optional[_Iterable[_Union[ClusterPB, _Mapping]]] = ...) -> None: ...
    STATUS_FIELD_NUMBER: _ClassVar[int]
    DETAILS_FIELD_NUMBER: _ClassVar[int]
    status: MetaServiceResponseStatus
    details: _containers.RepeatedCompositeFieldContainer[GetClusterStatusResponse.GetClusterStatusResponseDetail]
    def __init__(self, status: _Optional[_Union[MetaServiceResponseStatus, _Mapping]] = ..., details: _Optional[_Iterable[_Union[GetClusterStatusResponse.GetClusterStatusResponseDetail, _Mapping]]] = ...) -> None: ...

class GetClusterResponse(_message.Message):
    __slots__ = ("status", "cluster", "enable_storage_vault")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    CLUSTER_FIELD_NUMBER: _ClassVar[int]
    ENABLE_STORAGE_VAULT_FIELD_NUMBER: _ClassVar[int]
    status: MetaServiceResponseStatus
    cluster: _containers.RepeatedCompositeFieldContainer[ClusterPB]
    enable_storage_vault: bool
    def __init__(self, status: _Optional[_Union[MetaServiceResponseStatus, _Mapping]] = ..., cluster: _Optional[_Iterable[_Union[ClusterPB, _Mapping]]] = ..., enable_storage_vault: _Optional[bool] = ...) -> None: ...

class GetTabletStatsRequest(_message.Message):
    __slots__ = ("cloud_unique_id", "tablet_idx", "request_ip")
    CLOUD_UNIQUE_ID_FIELD_NUMBER: _ClassVar[int]
    TABLET_IDX_FIELD_NUMBER: _ClassVar[int]
    REQUEST_IP_FIELD_NUMBER: _ClassVar[int]
    cloud_unique_id: str
    tablet_idx: _containers.RepeatedCompositeFieldContainer[TabletIndexPB]
    request_ip: str
    def __init__(self, cloud_unique_id: _Optional[str] = ..., tablet_idx: _Optional[_Iterable[_Union[TabletIndexPB, _Mapping]]] = ..., request_ip: _Optional[str] = ...) -> None: ...

class GetTabletStatsResponse(_message.Message):
    __slots__ = ("status", "tablet_stats")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    TABLET_STATS_FIELD_NUMBER: _ClassVar[int]
    status: MetaServiceResponseStatus
    tablet_stats: _containers.RepeatedCompositeFieldContainer[TabletStatsPB]
    def __init__(self, status: _Optional[_Union[MetaServiceResponseStatus, _Mapping]] = ..., tablet_stats: _Optional[_Iterable[_Union[TabletStatsPB, _Mapping]]] = ...) -> None: ...

class CreateStageRequest(_message.Message):
    __slots__ = ("cloud_unique_id", "stage", "request_ip")
    CLOUD_UNIQUE_ID_FIELD_NUMBER: _ClassVar[int]
    STAGE_FIELD_NUMBER: _ClassVar[int]
    REQUEST_IP_FIELD_NUMBER: _ClassVar[int]
    cloud_unique_id: str
    stage: StagePB
    request_ip: str
    def __init__(self, cloud_unique_id: _Optional[str] = ..., stage: _Optional[_Union[StagePB, _Mapping]] = ..., request_ip: _Optional[str] = ...) -> None: ...

class CreateStageResponse(_message.Message):
    __slots__ = ("status",)
    STATUS_FIELD_NUMBER: _ClassVar[int]
    status: MetaServiceResponseStatus
    def __init__(self, status: _Optional[_Union[MetaServiceResponseStatus, _Mapping]] = ...) -> None: ...

class GetStageRequest(_message.Message):
    __slots__ = ("cloud_unique_id", "stage_name", "mysql_user_name", "type", "mysql_user_id", "request_ip")
    CLOUD_UNIQUE_ID_FIELD_NUMBER: _ClassVar[int]
    STAGE_NAME_FIELD_NUMBER: _ClassVar[int]
    MYSQL_USER_NAME_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    MYSQL_USER_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_IP_FIELD_NUMBER: _ClassVar[int]
    cloud_unique_id: str
    stage_name: str
    mysql_user_name: str
    type: StagePB.StageType
    mysql_user_id: str
    request_ip: str
    def __init__(self, cloud_unique_id: _Optional[str] = ..., stage_name: _Optional[str] = ..., mysql_user_name: _Optional[str] = ..., type: _Optional[_Union[StagePB.StageType, str]] = ..., mysql_user_id: _Optional[str] = ..., request_ip: _Optional[str] = ...) -> None: ...

class GetStageResponse(_message.Message):
    __slots__ = ("status", "stage")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    STAGE_FIELD_NUMBER: _ClassVar[int]
    status: MetaServiceResponseStatus
    stage: _containers.RepeatedCompositeFieldContainer[StagePB]
    def __init__(self, status: _Optional[_Union[MetaServiceResponseStatus, _Mapping]] = ..., stage: _Optional[_Iterable[_Union[StagePB, _Mapping]]] = ...) -> None: ...

class DropStageRequest(_message.Message):
    __slots__ = ("cloud_unique_id", "stage_name", "mysql_user_name", "type", "mysql_user_id", "reason", "request_ip")
    CLOUD_UNIQUE_ID_FIELD_NUMBER: _ClassVar[int]
    STAGE_NAME_FIELD_NUMBER: _ClassVar[int]
    MYSQL_USER_NAME_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    MYSQL_USER_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    REQUEST_IP_FIELD_NUMBER: _ClassVar[int]
    cloud_unique_id: str
    stage_name: str
    mysql_user_name: str
    type: StagePB.StageType
    mysql_user_id: str
    reason: str
    request_ip: str
    def __init__(self, cloud_unique_id: _Optional[str] = ..., stage_name: _Optional[str] = ..., mysql_user_name: _Optional[str] = ..., type: _Optional[_Union[StagePB.StageType, str]] = ..., mysql_user_id: _Optional[str] = ..., reason: _Optional[str] = ..., request_ip: _Optional[str] = ...) -> None: ...

class DropStageResponse(_message.Message):
    __slots__ = ("status",)
    STATUS_FIELD_NUMBER: _ClassVar[int]
    status: MetaServiceResponseStatus
    def __init__(self, status: _Optional[_Union[MetaServiceResponseStatus, _Mapping]] = ...) -> None: ...

class GetIamRequest(_message.Message):
    __slots__ = ("cloud_unique_id", "request_ip")
    CLOUD_UNIQUE_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_IP_FIELD_NUMBER: _ClassVar[int]
    cloud_unique_id: str
    request_ip: str
    def __init__(self, cloud_unique_id: _Optional[str] = ..., request_ip: _Optional[str] = ...) -> None: ...

class GetIamResponse(_message.Message):
    __slots__ = ("status", "iam_user", "ram_user")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    IAM_USER_FIELD_NUMBER: _ClassVar[int]
    RAM_USER_FIELD_NUMBER: _ClassVar[int]
    status: MetaServiceResponseStatus
    iam_user: RamUserPB
    ram_user: RamUserPB
    def __init__(self, status: _Optional[_Union[MetaServiceResponseStatus, _Mapping]] = ..., iam_user: _Optional[_Union[RamUserPB, _Mapping]] = ..., ram_user: _Optional[_Union[RamUserPB, _Mapping]] = ...) -> None: ...

class AlterIamRequest(_message.Message):
    __slots__ = ("account_id", "ak", "sk", "request_ip")
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    AK_FIELD_NUMBER: _ClassVar[int]
    SK_FIELD_NUMBER: _ClassVar[int]
    REQUEST_IP_FIELD_NUMBER: _ClassVar[int]
    account_id: str
    ak: str
    sk: str
    request_ip: str
    def __init__(self, account_id: _Optional[str] = ..., ak: _Optional[str] = ..., sk: _Optional[str] = ..., request_ip: _Optional[str] = ...) -> None: ...

class AlterIamResponse(_message.Message):
    __slots__ = ("status",)
    STATUS_FIELD_NUMBER: _ClassVar[int]
    status: MetaServiceResponseStatus
    def __init__(self, status: _Optional[_Union[MetaServiceResponseStatus, _Mapping]] = ...) -> None: ...

class AlterRamUserRequest(_message.Message):
    __slots__ = ("instance_id", "ram_user", "request_ip")
    INSTANCE_ID_FIELD_NUMBER: _ClassVar[int]
    RAM_USER_FIELD_NUMBER: _ClassVar[int]
    REQUEST_IP_FIELD_NUMBER: _ClassVar[int]
    instance_id: str
    ram_user: RamUserPB
    request_ip: str
    def __init__(self, instance_id: _Optional[str] = ..., ram_user: _Optional[_Union[RamUserPB, _Mapping]] = ..., request_ip: _Optional[str] = ...) -> None: ...

class AlterRamUserResponse(_message.Message):
    __slots__ = ("status",)
    STATUS_FIELD_NUMBER: _ClassVar[int]
    status: MetaServiceResponseStatus
    def __init__(self, status: _Optional[_Union[MetaServiceResponseStatus, _Mapping]] = ...) -> None: ...

class StartTabletJobRequest(_message.Message):
    __slots__ = ("cloud_unique_id", "job", "request_ip")
    CLOUD_UNIQUE_ID_FIELD_NUMBER: _ClassVar[int]
    JOB_FIELD_NUMBER: _ClassVar[int]
    REQUEST_IP_FIELD_NUMBER: _ClassVar[int]
    cloud_unique_id: str
    job: TabletJobInfoPB
    request_ip: str
    def __init__(self, cloud_unique_id: _Optional[str] = ..., job: _Optional[_Union[TabletJobInfoPB, _Mapping]] = ..., request_ip: _Optional[str] = ...) -> None: ...

class StartTabletJobResponse(_message.Message):
    __slots__ = ("status", "version_in_compaction", "alter_version")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    VERSION_IN_COMPACTION_FIELD_NUMBER: _ClassVar[int]
    ALTER_VERSION_FIELD_NUMBER: _ClassVar[int]
    status: MetaServiceResponseStatus
    version_in_compaction: _containers.RepeatedScalarFieldContainer[int]
    alter_version: int
    def __init__(self, status: _Optional[_Union[MetaServiceResponseStatus, _Mapping]] = ..., version_in_compaction: _Optional[_Iterable[int]] = ..., alter_version: _Optional[int] = ...) -> None: ...

class FinishTabletJobRequest(_message.Message):
    __slots__ = ("cloud_unique_id", "action", "job", "request_ip")
    class Action(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        UNKONWN: _ClassVar[FinishTabletJobRequest.Action]
        COMMIT: _ClassVar[FinishTabletJobRequest.Action]
        ABORT: _ClassVar[FinishTabletJobRequest.Action]
        LEASE: _ClassVar[FinishTabletJobRequest.Action]
    UNKONWN: FinishTabletJobRequest.Action
    COMMIT: FinishTabletJobRequest.Action
    ABORT: FinishTabletJobRequest.Action
    LEASE: FinishTabletJobRequest.Action
    CLOUD_UNIQUE_ID_FIELD_NUMBER: _ClassVar[int]
    ACTION_FIELD_NUMBER: _ClassVar[int]
    JOB_FIELD_NUMBER: _ClassVar[int]
    REQUEST_IP_FIELD_NUMBER: _ClassVar[int]
    cloud_unique_id: str
    action: FinishTabletJobRequest.Action
    job: TabletJobInfoPB
    request_ip: str
    def __init__(self, cloud_unique_id: _Optional[str] = ..., action: _Optional[_Union[FinishTabletJobRequest.Action, str]] = ..., job: _Optional[_Union[TabletJobInfoPB, _Mapping]] = ..., request_ip: _Optional[str] = ...) -> None: ...

class FinishTabletJobResponse(_message.Message):
    __slots__ = ("status", "stats", "alter_version")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    STATS_FIELD_NUMBER: _ClassVar[int]
    ALTER_VERSION_FIELD_NUMBER: _ClassVar[int]
    status: MetaServiceResponseStatus
    stats: TabletStatsPB
    alter_version: int
    def __init__(self, status: _Optional[_Union[MetaServiceResponseStatus, _Mapping]] = ..., stats: _Optional[_Union[TabletStatsPB, _Mapping]] = ..., alter_version: _Optional[int] = ...) -> None: ...

class BeginCopyRequest(_message.Message):
    __slots__ = ("cloud_unique_id", "stage_id", "stage_type", "table_id", "copy_id", "group_id", "start_time_ms", "timeout_time_ms", "object_files", "file_num_limit", "file_size_limit", "file_meta_size_limit", "request_ip")
    CLOUD_UNIQUE_ID_FIELD_NUMBER: _ClassVar[int]
    STAGE_ID_FIELD_NUMBER: _ClassVar[int]
    STAGE_TYPE_FIELD_NUMBER: _ClassVar[int]
    TABLE_ID_FIELD_NUMBER: _ClassVar[int]
    COPY_ID_FIELD_NUMBER: _ClassVar[int]
    GROUP_ID_FIELD_NUMBER: _ClassVar[int]
    START_TIME_MS_FIELD_NUMBER: _ClassVar[int]
    TIMEOUT_TIME_MS_FIELD_NUMBER: _ClassVar[int]
    OBJECT_FILES_FIELD_NUMBER: _ClassVar[int]
    FILE_NUM_LIMIT_FIELD_NUMBER: _ClassVar[int]
    FILE_SIZE_LIMIT_FIELD_NUMBER: _ClassVar[int]
    FILE_META_SIZE_LIMIT_FIELD_NUMBER: _ClassVar[int]
    REQUEST_IP_FIELD_NUMBER: _ClassVar[int]
    cloud_unique_id: str
    stage_id: str
    stage_type: StagePB.StageType
    table_id: int
    copy_id: str
    group_id: int
    start_time_ms: int
    timeout_time_ms: int
    object_files: _containers.RepeatedCompositeFieldContainer[ObjectFilePB]
    file_num_limit: int
    file_size_limit: int
    file_meta_size_limit: int
    request_ip: str
    def __init__(self, cloud_unique_id: _Optional[str] = ..., stage_id: _Optional[str] = ..., stage_type: _Optional[_Union[StagePB.StageType, str]] = ..., table_id: _Optional[int] = ..., copy_id: _Optional[str] = ..., group_id: _Optional[int] = ..., start_time_ms: _Optional[int] = ..., timeout_time_ms: _Optional[int] = ..., object_files: _Optional[_Iterable[_Union[ObjectFilePB, _Mapping]]] = ..., file_num_limit: _Optional[int] = ..., file_size_limit: _Optional[int] = ..., file_meta_size_limit: _Optional[int] = ..., request_ip: _Optional[str] = ...) -> None: ...

class BeginCopyResponse(_message.Message):
    __slots__ = ("status", "filtered_object_files")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    FILTERED_OBJECT_FILES_FIELD_NUMBER: _ClassVar[int]
    status: MetaServiceResponseStatus
    filtered_object_files: _containers.RepeatedCompositeFieldContainer[ObjectFilePB]
    def __init__(self, status: _Optional[_Union[MetaServiceResponseStatus, _Mapping]] = ..., filtered_object_files: _Optional[_Iterable[_Union[ObjectFilePB, _Mapping]]] = ...) -> None: ...

class FinishCopyRequest(_message.Message):
    __slots__ = ("cloud_unique_id", "stage_id", "stage_type", "table_id", "copy_id", "group_id", "action", "finish_time_ms", "request_ip")
    class Action(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        UNKNOWN: _ClassVar[FinishCopyRequest.Action]
        COMMIT: _ClassVar[FinishCopyRequest.Action]
        ABORT: _ClassVar[FinishCopyRequest.Action]
        REMOVE: _ClassVar[FinishCopyRequest.Action]
    UNKNOWN: FinishCopyRequest.Action
    COMMIT: FinishCopyRequest.Action
    ABORT: FinishCopyRequest.Action
    REMOVE: FinishCopyRequest.Action
    CLOUD_UNIQUE_ID_FIELD_NUMBER: _ClassVar[int]
    STAGE_ID_FIELD_NUMBER: _ClassVar[int]
    STAGE_TYPE_FIELD_NUMBER: _ClassVar[int]
    TABLE_ID_FIELD_NUMBER: _ClassVar[int]
    COPY_ID_FIELD_NUMBER: _ClassVar[int]
    GROUP_ID_FIELD_NUMBER: _ClassVar[int]
    ACTION_FIELD_NUMBER: _ClassVar[int]
    FINISH_TIME_MS_FIELD_NUMBER: _ClassVar[int]
    REQUEST_IP_FIELD_NUMBER: _ClassVar[int]
    cloud_unique_id: str
    stage_id: str
    stage_type: StagePB.StageType
    table_id: int
    copy_id: str
    group_id: int
    action: FinishCopyRequest.Action
    finish_time_ms: int
    request_ip: str
    def __init__(self, cloud_unique_id: _Optional[str] = ..., stage_id: _Optional[str] = ..., stage_type: _Optional[_Union[StagePB.StageType, str]] = ..., table_id: _Optional[int] = ..., copy_id: _Optional[str] = ..., group_id: _Optional[int] = ..., action: _Optional[_Union[FinishCopyRequest.Action, str]] = ..., finish_time_ms: _Optional[int] = ..., request_ip: _Optional[str] = ...) -> None: ...

class FinishCopyResponse(_message.Message):
    __slots__ = ("status",)
    STATUS_FIELD_NUMBER: _ClassVar[int]
    status: MetaServiceResponseStatus
    def __init__(self, status: _Optional[_Union[MetaServiceResponseStatus, _Mapping]] = ...) -> None: ...

class GetCopyJobRequest(_message.Message):
    __slots__ = ("cloud_unique_id", "stage_id", "table_id", "copy_id", "group_id", "request_ip")
    CLOUD_UNIQUE_ID_FIELD_NUMBER: _ClassVar[int]
    STAGE_ID_FIELD_NUMBER: _ClassVar[int]
    TABLE_ID_FIELD_NUMBER: _ClassVar[int]
    COPY_ID_FIELD_NUMBER: _ClassVar[int]
    GROUP_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_IP_FIELD_NUMBER: _ClassVar[int]
    cloud_unique_id: str
    stage_id: str
    table_id: int
    copy_id: str
    group_id: int
    request_ip: str
    def __init__(self, cloud_unique_id: _Optional[str] = ..., stage_id: _Optional[str] = ..., table_id: _Optional[int] = ..., copy_id: _Optional[str] = ..., group_id: _Optional[int] = ..., request_ip: _Optional[str] = ...) -> None: ...

class GetCopyJobResponse(_message.Message):
    __slots__ = ("status", "copy_job")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    COPY_JOB_FIELD_NUMBER: _ClassVar[int]
    status: MetaServiceResponseStatus
    copy_job: CopyJobPB
    def __init__(self, status: _Optional[_Union[MetaServiceResponseStatus, _Mapping]] = ..., copy_job: _Optional[_Union[CopyJobPB, _Mapping]] = ...) -> None: ...

class GetCopyFilesRequest(_message.Message):
    __slots__ = ("cloud_unique_id", "stage_id", "table_id", "request_ip")
    CLOUD_UNIQUE_ID_FIELD_NUMBER: _ClassVar[int]
    STAGE_ID_FIELD_NUMBER: _ClassVar[int]
    TABLE_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_IP_FIELD_NUMBER: _ClassVar[int]
    cloud_unique_id: str
    stage_id: str
    table_id: int
    request_ip: str
    def __init__(self, cloud_unique_id: _Optional[str] = ..., stage_id: _Optional[str] = ..., table_id: _Optional[int] = ..., request_ip: _Optional[str] = ...) -> None: ...

class GetCopyFilesResponse(_message.Message):
    __slots__ = ("status", "object_files")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    OBJECT_FILES_FIELD_NUMBER: _ClassVar[int]
    status: MetaServiceResponseStatus
    object_files: _containers.RepeatedCompositeFieldContainer[ObjectFilePB]
    def __init__(self, status: _Optional[_Union[MetaServiceResponseStatus, _Mapping]] = ..., object_files: _Optional[_Iterable[_Union[ObjectFilePB, _Mapping]]] = ...) -> None: ...

class FilterCopyFilesRequest(_message.Message):
    __slots__ = ("cloud_unique_id", "stage_id", "table_id", "object_files", "request_ip")
    CLOUD_UNIQUE_ID_FIELD_NUMBER: _ClassVar[int]
    STAGE_ID_FIELD_NUMBER: _ClassVar[int]
    TABLE_ID_FIELD_NUMBER: _ClassVar[int]
    OBJECT_FILES_FIELD_NUMBER: _ClassVar[int]
    REQUEST_IP_FIELD_NUMBER: _ClassVar[int]
    cloud_unique_id: str
    stage_id: str
    table_id: int
    object_files: _containers.RepeatedCompositeFieldContainer[ObjectFilePB]
    request_ip: str
    def __init__(self, cloud_unique_id: _Optional[str] = ..., stage_id: _Optional[str] = ..., table_id: _Optional[int] = ..., object_files: _Optional[_Iterable[_Union[ObjectFilePB, _Mapping]]] = ..., request_ip: _Optional[str] = ...) -> None: ...

class FilterCopyFilesResponse(_message.Message):
    __slots__ = ("status", "object_files")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    OBJECT_FILES_FIELD_NUMBER: _ClassVar[int]
    status: MetaServiceResponseStatus
    object_files: _containers.RepeatedCompositeFieldContainer[ObjectFilePB]
    def __init__(self, status: _Optional[_Union[MetaServiceResponseStatus, _Mapping]] = ..., object_files: _Optional[_Iterable[_Union[ObjectFilePB, _Mapping]]] = ...) -> None: ...

class DeleteBitmapStoragePB(_message.Message):
    __slots__ = ("store_in_fdb", "delete_bitmap")
    STORE_IN_FDB_FIELD_NUMBER: _ClassVar[int]
    DELETE_BITMAP_FIELD_NUMBER: _ClassVar[int]
    store_in_fdb: bool
    delete_bitmap: _olap_file_pb2.DeleteBitmapPB
    def __init__(self, store_in_fdb: _Optional[bool] = ..., delete_bitmap: _Optional[_Union[_olap_file_pb2.DeleteBitmapPB, _Mapping]] = ...) -> None: ...

class UpdateDeleteBitmapRequest(_message.Message):
    __slots__ = ("cloud_unique_id", "table_id", "partition_id", "tablet_id", "lock_id", "initiator", "rowset_ids", "segment_ids", "versions", "segment_delete_bitmaps", "without_lock", "is_explicit_txn", "txn_id", "next_visible_version", "request_ip", "pre_rowset_agg_start_version", "pre_rowset_agg_end_version", "pre_rowset_versions", "delta_rowset_ids", "delete_bitmap_storages", "store_version")
    CLOUD_UNIQUE_ID_FIELD_NUMBER: _ClassVar[int]
    TABLE_ID_FIELD_NUMBER: _ClassVar[int]
    PARTITION_ID_FIELD_NUMBER: _ClassVar[int]
    TABLET_ID_FIELD_NUMBER: _ClassVar[int]
    LOCK_ID_FIELD_NUMBER: _ClassVar[int]
    INITIATOR_FIELD_NUMBER: _ClassVar[int]
    ROWSET_IDS_FIELD_NUMBER: _ClassVar[int]
    SEGMENT_IDS_FIELD_NUMBER: _ClassVar[int]
    VERSIONS_FIELD_NUMBER: _ClassVar[int]
    SEGMENT_DELETE_BITMAPS_FIELD_NUMBER: _ClassVar[int]
    WITHOUT_LOCK_FIELD_NUMBER: _ClassVar[int]
    IS_EXPLICIT_TXN_FIELD_NUMBER: _ClassVar[int]
    TXN_ID_FIELD_NUMBER: _ClassVar[int]
    NEXT_VISIBLE_VERSION_FIELD_NUMBER: _ClassVar[int]
    REQUEST_IP_FIELD_NUMBER: _ClassVar[int]
    PRE_ROWSET_AGG_START_VERSION_FIELD_NUMBER: _ClassVar[int]
    PRE_ROWSET_AGG_END_VERSION_FIELD_NUMBER: _ClassVar[int]
    PRE_ROWSET_VERSIONS_FIELD_NUMBER: _ClassVar[int]
    DELTA_ROWSET_IDS_FIELD_NUMBER: _ClassVar[int]
    DELETE_BITMAP_STORAGES_FIELD_NUMBER: _ClassVar[int]
    STORE_VERSION_FIELD_NUMBER: _ClassVar[int]
    cloud_unique_id: str
    table_id: int
    partition_id: int
    tablet_id: int
    lock_id: int
    initiator: int
    rowset_ids: _containers.RepeatedScalarFieldContainer[str]
    segment_ids: _containers.RepeatedScalarFieldContainer[int]
    versions: _containers.RepeatedScalarFieldContainer[int]
    segment_delete_bitmaps: _containers.RepeatedScalarFieldContainer[bytes]
    without_lock: bool
    is_explicit_txn: bool
    txn_id: int
    next_visible_version: int
    request_ip: str
    pre_rowset_agg_start_version: int
    pre_rowset_agg_end_version: int
    pre_rowset_versions: _containers.RepeatedScalarFieldContainer[int]
    delta_rowset_ids: _containers.RepeatedScalarFieldContainer[str]
    delete_bitmap_storages: _containers.RepeatedCompositeFieldContainer[DeleteBitmapStoragePB]
    store_version: int
    def __init__(self, cloud_unique_id: _Optional[str] = ..., table_id: _Optional[int] = ..., partition_id: _Optional[int] = ..., tablet_id: _Optional[int] = ..., lock_id: _Optional[int] = ..., initiator: _Optional[int] = ..., rowset_ids: _Optional[_Iterable[str]] = ..., segment_ids: _Optional[_Iterable[int]] = ..., versions: _Optional[_Iterable[int]] = ..., segment_delete_bitmaps: _Optional[_Iterable[bytes]] = ..., without_lock: _Optional[bool] = ..., is_explicit_txn: _Optional[bool] = ..., txn_id: _Optional[int] = ..., next_visible_version: _Optional[int] = ..., request_ip: _Optional[str] = ..., pre_rowset_agg_start_version: _Optional[int] = ..., pre_rowset_agg_end_version: _Optional[int] = ..., pre_rowset_versions: _Optional[_Iterable[int]] = ..., delta_rowset_ids: _Optional[_Iterable[str]] = ..., delete_bitmap_storages: _Optional[_Iterable[_Union[DeleteBitmapStoragePB, _Mapping]]] = ..., store_version: _Optional[int] = ...) -> None: ...

class UpdateDeleteBitmapResponse(_message.Message):
    __slots__ = ("status",)
    STATUS_FIELD_NUMBER: _ClassVar[int]
    status: MetaServiceResponseStatus
    def __init__(self, status: _Optional[_Union[MetaServiceResponseStatus, _Mapping]] = ...) -> None: ...

class GetDeleteBitmapRequest(_message.Message):
    __slots__ = ("cloud_unique_id", "tablet_id", "rowset_ids", "begin_versions", "end_versions", "idx", "base_compaction_cnt", "cumulative_compaction_cnt", "cumulative_point", "request_ip", "dbm_bytes_threshold", "store_version")
    CLOUD_UNIQUE_ID_FIELD_NUMBER: _ClassVar[int]
    TABLET_ID_FIELD_NUMBER: _ClassVar[int]
    ROWSET_IDS_FIELD_NUMBER: _ClassVar[int]
    BEGIN_VERSIONS_FIELD_NUMBER: _ClassVar[int]
    END_VERSIONS_FIELD_NUMBER: _ClassVar[int]
    IDX_FIELD_NUMBER: _ClassVar[int]
    BASE_COMPACTION_CNT_FIELD_NUMBER: _ClassVar[int]
    CUMULATIVE_COMPACTION_CNT_FIELD_NUMBER: _ClassVar[int]
    CUMULATIVE_POINT_FIELD_NUMBER: _ClassVar[int]
    REQUEST_IP_FIELD_NUMBER: _ClassVar[int]
    DBM_BYTES_THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    STORE_VERSION_FIELD_NUMBER: _ClassVar[int]
    cloud_unique_id: str
    tablet_id: int
    rowset_ids: _containers.RepeatedScalarFieldContainer[str]
    begin_versions: _containers.RepeatedScalarFieldContainer[int]
    end_versions: _containers.RepeatedScalarFieldContainer[int]
    idx: TabletIndexPB
    base_compaction_cnt: int
    cumulative_compaction_cnt: int
    cumulative_point: int
    request_ip: str
    dbm_bytes_threshold: int
    store_version: int
    def __init__(self, cloud_unique_id: _Optional[str] = ..., tablet_id: _Optional[int] = ..., rowset_ids: _Optional[_Iterable[str]] = ..., begin_versions: _Optional[_Iterable[int]] = ..., end_versions: _Optional[_Iterable[int]] = ..., idx: _Optional[_Union[TabletIndexPB, _Mapping]] = ..., base_compaction_cnt: _Optional[int] = ..., cumulative_compaction_cnt: _Optional[int] = ..., cumulative_point: _Optional[int] = ..., request_ip: _Optional[str] = ..., dbm_bytes_threshold: _Optional[int] = ..., store_version: _Optional[int] = ...) -> None: ...

class GetDeleteBitmapResponse(_message.Message):
    __slots__ = ("status", "rowset_ids", "segment_ids", "versions", "segment_delete_bitmaps", "tablet_id", "delta_rowset_ids", "delete_bitmap_storages", "has_more", "returned_rowset_ids")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    ROWSET_IDS_FIELD_NUMBER: _ClassVar[int]
    SEGMENT_IDS_FIELD_NUMBER: _ClassVar[int]
    VERSIONS_FIELD_NUMBER: _ClassVar[int]
    SEGMENT_DELETE_BITMAPS_FIELD_NUMBER: _ClassVar[int]
    TABLET_ID_FIELD_NUMBER: _ClassVar[int]
    DELTA_ROWSET_IDS_FIELD_NUMBER: _ClassVar[int]
    DELETE_BITMAP_STORAGES_FIELD_NUMBER: _ClassVar[int]
    HAS_MORE_FIELD_NUMBER: _ClassVar[int]
    RETURNED_ROWSET_IDS_FIELD_NUMBER: _ClassVar[int]
    status: MetaServiceResponseStatus
    rowset_ids: _containers.RepeatedScalarFieldContainer[str]
    segment_ids: _containers.RepeatedScalarFieldContainer[int]
    versions: _containers.RepeatedScalarFieldContainer[int]
    segment_delete_bitmaps: _containers.RepeatedScalarFieldContainer[bytes]
    tablet_id: int
    delta_rowset_ids: _containers.RepeatedScalarFieldContainer[str]
    delete_bitmap_storages: _containers.RepeatedCompositeFieldContainer[DeleteBitmapStoragePB]
    has_more: bool
    returned_rowset_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, status: _Optional[_Union[MetaServiceResponseStatus, _Mapping]] = ..., rowset_ids: _Optional[_Iterable[str]] = ..., segment_ids: _Optional[_Iterable[int]] = ..., versions: _Optional[_Iterable[int]] = ..., segment_delete_bitmaps: _Optional[_Iterable[bytes]] = ..., tablet_id: _Optional[int] = ..., delta_rowset_ids: _Optional[_Iterable[str]] = ..., delete_bitmap_storages: _Optional[_Iterable[_Union[DeleteBitmapStoragePB, _Mapping]]] = ..., has_more: _Optional[bool] = ..., returned_rowset_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class RemoveDeleteBitmapRequest(_message.Message):
    __slots__ = ("cloud_unique_id", "tablet_id", "rowset_ids", "begin_versions", "end_versions", "request_ip")
    CLOUD_UNIQUE_ID_FIELD_NUMBER: _ClassVar[int]
    TABLET_ID_FIELD_NUMBER: _ClassVar[int]
    ROWSET_IDS_FIELD_NUMBER: _ClassVar[int]
    BEGIN_VERSIONS_FIELD_NUMBER: _ClassVar[int]
    END_VERSIONS_FIELD_NUMBER: _ClassVar[int]
    REQUEST_IP_FIELD_NUMBER: _ClassVar[int]
    cloud_unique_id: str
    tablet_id: int
    rowset_ids: _containers.RepeatedScalarFieldContainer[str]
    begin_versions: _containers.RepeatedScalarFieldContainer[int]
    end_versions: _containers.RepeatedScalarFieldContainer[int]
    request_ip: str
    def __init__(self, cloud_unique_id: _Optional[str] = ..., tablet_id: _Optional[int] = ..., rowset_ids: _Optional[_Iterable[str]] = ..., begin_versions: _Optional[_Iterable[int]] = ..., end_versions: _Optional[_Iterable[int]] = ..., request_ip: _Optional[str] = ...) -> None: ...

class RemoveDeleteBitmapResponse(_message.Message):
    __slots__ = ("status",)
    STATUS_FIELD_NUMBER: _ClassVar[int]
    status: MetaServiceResponseStatus
    def __init__(self, status: _Optional[_Union[MetaServiceResponseStatus, _Mapping]] = ...) -> None: ...

class PendingDeleteBitmapPB(_message.Message):
    __slots__ = ("delete_bitmap_keys",)
    DELETE_BITMAP_KEYS_FIELD_NUMBER: _ClassVar[int]
    delete_bitmap_keys: _containers.RepeatedScalarFieldContainer[bytes]
    def __init__(self, delete_bitmap_keys: _Optional[_Iterable[bytes]] = ...) -> None: ...

class DeleteBitmapUpdateLockPB(_message.Message):
    __slots__ = ("lock_id", "expiration", "initiators")
    LOCK_ID_FIELD_NUMBER: _ClassVar[int]
    EXPIRATION_FIELD_NUMBER: _ClassVar[int]
    INITIATORS_FIELD_NUMBER: _ClassVar[int]
    lock_id: int
    expiration: int
    initiators: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, lock_id: _Optional[int] = ..., expiration: _Optional[int] = ..., initiators: _Optional[_Iterable[int]] = ...) -> None: ...

class MowTabletJobPB(_message.Message):
    __slots__ = ("expiration",)
    EXPIRATION_FIELD_NUMBER: _ClassVar[int]
    expiration: int
    def __init__(self, expiration: _Optional[int] = ...) -> None: ...

class GetDeleteBitmapUpdateLockRequest(_message.Message):
    __slots__ = ("cloud_unique_id", "table_id", "partition_ids", "lock_id", "initiator", "expiration", "require_compaction_stats", "tablet_indexes", "request_ip", "urgent")
    CLOUD_UNIQUE_ID_FIELD_NUMBER: _ClassVar[int]
    TABLE_ID_FIELD_NUMBER: _ClassVar[int]
    PARTITION_IDS_FIELD_NUMBER: _ClassVar[int]
    LOCK_ID_FIELD_NUMBER: _ClassVar[int]
    INITIATOR_FIELD_NUMBER: _ClassVar[int]
    EXPIRATION_FIELD_NUMBER: _ClassVar[int]
    REQUIRE_COMPACTION_STATS_FIELD_NUMBER: _ClassVar[int]
    TABLET_INDEXES_FIELD_NUMBER: _ClassVar[int]
    REQUEST_IP_FIELD_NUMBER: _ClassVar[int]
    URGENT_FIELD_NUMBER: _ClassVar[int]
    cloud_unique_id: str
    table_id: int
    partition_ids: _containers.RepeatedScalarFieldContainer[int]
    lock_id: int
    initiator: int
    expiration: int
    require_compaction_stats: bool
    tablet_indexes: _containers.RepeatedCompositeFieldContainer[TabletIndexPB]
    request_ip: str
    urgent: bool
    def __init__(self, cloud_unique_id: _Optional[str] = ..., table_id: _Optional[int] = ..., partition_ids: _Optional[_Iterable[int]] = ..., lock_id: _Optional[int] = ..., initiator: _Optional[int] = ..., expiration: _Optional[int] = ..., require_compaction_stats: _Optional[bool] = ..., tablet_indexes: _Optional[_Iterable[_Union[TabletIndexPB, _Mapping]]] = ..., request_ip: _Optional[str] = ..., urgent: _Optional[bool] = ...) -> None: ...

class GetDeleteBitmapUpdateLockResponse(_message.Message):
    __slots__ = ("status", "base_compaction_cnts", "cumulative_compaction_cnts", "cumulative_points", "tablet_states")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    BASE_COMPACTION_CNTS_FIELD_NUMBER: _ClassVar[int]
    CUMULATIVE_COMPACTION_CNTS_FIELD_NUMBER: _ClassVar[int]
    CUMULATIVE_POINTS_FIELD_NUMBER: _ClassVar[int]
    TABLET_STATES_FIELD_NUMBER: _ClassVar[int]
    status: MetaServiceResponseStatus
    base_compaction_cnts: _containers.RepeatedScalarFieldContainer[int]
    cumulative_compaction_cnts: _containers.RepeatedScalarFieldContainer[int]
    cumulative_points: _containers.RepeatedScalarFieldContainer[int]
    tablet_states: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, status: _Optional[_Union[MetaServiceResponseStatus, _Mapping]] = ..., base_compaction_cnts: _Optional[_Iterable[int]] = ..., cumulative_compaction_cnts: _Optional[_Iterable[int]] = ..., cumulative_points: _Optional[_Iterable[int]] = ..., tablet_states: _Optional[_Iterable[int]] = ...) -> None: ...

class RemoveDeleteBitmapUpdateLockRequest(_message.Message):
    __slots__ = ("cloud_unique_id", "table_id", "tablet_id", "lock_id", "initiator", "request_ip")
    CLOUD_UNIQUE_ID_FIELD_NUMBER: _ClassVar[int]
    TABLE_ID_FIELD_NUMBER: _ClassVar[int]
    TABLET_ID_FIELD_NUMBER: _ClassVar[int]
    LOCK_ID_FIELD_NUMBER: _ClassVar[int]
    INITIATOR_FIELD_NUMBER: _ClassVar[int]
    REQUEST_IP_FIELD_NUMBER: _ClassVar[int]
    cloud_unique_id: str
    table_id: int
    tablet_id: int
    lock_id: int
    initiator: int
    request_ip: str
    def __init__(self, cloud_unique_id: _Optional[str] = ..., table_id: _Optional[int] = ..., tablet_id: _Optional[int] = ..., lock_id: _Optional[int] = ..., initiator: _Optional[int] = ..., request_ip: _Optional[str] = ...) -> None: ...

class RemoveDeleteBitmapUpdateLockResponse(_message.Message):
    __slots__ = ("status",)
    STATUS_FIELD_NUMBER: _ClassVar[int]
    status: MetaServiceResponseStatus
    def __init__(self, status: _Optional[_Union[MetaServiceResponseStatus, _Mapping]] = ...) -> None: ...

class GetRLTaskCommitAttachRequest(_message.Message):
    __slots__ = ("cloud_unique_id", "db_id", "job_id", "request_ip")
    CLOUD_UNIQUE_ID_FIELD_NUMBER: _ClassVar[int]
    DB_ID_FIELD_NUMBER: _ClassVar[int]
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_IP_FIELD_NUMBER: _ClassVar[int]
    cloud_unique_id: str
    db_id: int
    job_id: int
    request_ip: str
    def __init__(self, cloud_unique_id: _Optional[str] = ..., db_id: _Optional[int] = ..., job_id: _Optional[int] = ..., request_ip: _Optional[str] = ...) -> None: ...

class GetRLTaskCommitAttachResponse(_message.Message):
    __slots__ = ("status", "commit_attach")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    COMMIT_ATTACH_FIELD_NUMBER: _ClassVar[int]
    status: MetaServiceResponseStatus
    commit_attach: RLTaskTxnCommitAttachmentPB
    def __init__(self, status: _Optional[_Union[MetaServiceResponseStatus, _Mapping]] = ..., commit_attach: _Optional[_Union[RLTaskTxnCommitAttachmentPB, _Mapping]] = ...) -> None: ...

class ResetRLProgressRequest(_message.Message):
    __slots__ = ("cloud_unique_id", "db_id", "job_id", "partition_to_offset", "request_ip")
    class PartitionToOffsetEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: int
        value: int
        def __init__(self, key: _Optional[int] = ..., value: _Optional[int] = ...) -> None: ...
    CLOUD_UNIQUE_ID_FIELD_NUMBER: _ClassVar[int]
    DB_ID_FIELD_NUMBER: _ClassVar[int]
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    PARTITION_TO_OFFSET_FIELD_NUMBER: _ClassVar[int]
    REQUEST_IP_FIELD_NUMBER: _ClassVar[int]
    cloud_unique_id: str
    db_id: int
    job_id: int
    partition_to_offset: _containers.ScalarMap[int, int]
    request_ip: str
    def __init__(self, cloud_unique_id: _Optional[str] = ..., db_id: _Optional[int] = ..., job_id: _Optional[int] = ..., partition_to_offset: _Optional[_Mapping[int, int]] = ..., request_ip: _Optional[str] = ...) -> None: ...

class ResetRLProgressResponse(_message.Message):
    __slots__ = ("status",)
    STATUS_FIELD_NUMBER: _ClassVar[int]
    status: MetaServiceResponseStatus
    def __init__(self, status: _Optional[_Union[MetaServiceResponseStatus, _Mapping]] = ...) -> None: ...

class GetStreamingTaskCommitAttachRequest(_message.Message):
    __slots__ = ("cloud_unique_id", "db_id", "job_id", "request_ip")
    CLOUD_UNIQUE_ID_FIELD_NUMBER: _ClassVar[int]
    DB_ID_FIELD_NUMBER: _ClassVar[int]
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_IP_FIELD_NUMBER: _ClassVar[int]
    cloud_unique_id: str
    db_id: int
    job_id: int
    request_ip: str
    def __init__(self, cloud_unique_id: _Optional[str] = ..., db_id: _Optional[int] = ..., job_id: _Optional[int] = ..., request_ip: _Optional[str] = ...) -> None: ...

class GetStreamingTaskCommitAttachResponse(_message.Message):
    __slots__ = ("status", "commit_attach")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    COMMIT_ATTACH_FIELD_NUMBER: _ClassVar[int]
    status: MetaServiceResponseStatus
    commit_attach: StreamingTaskCommitAttachmentPB
    def __init__(self, status: _Optional[_Union[MetaServiceResponseStatus, _Mapping]] = ..., commit_attach: _Optional[_Union[StreamingTaskCommitAttachmentPB, _Mapping]] = ...) -> None: ...

class DeleteStreamingJobRequest(_message.Message):
    __slots__ = ("cloud_unique_id", "db_id", "job_id", "request_ip")
    CLOUD_UNIQUE_ID_FIELD_NUMBER: _ClassVar[int]
    DB_ID_FIELD_NUMBER: _ClassVar[int]
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_IP_FIELD_NUMBER: _ClassVar[int]
    cloud_unique_id: str
    db_id: int
    job_id: int
    request_ip: str
    def __init__(self, cloud_unique_id: _Optional[str] = ..., db_id: _Optional[int] = ..., job_id: _Optional[int] = ..., request_ip: _Optional[str] = ...) -> None: ...

class DeleteStreamingJobResponse(_message.Message):
    __slots__ = ("status",)
    STATUS_FIELD_NUMBER: _ClassVar[int]
    status: MetaServiceResponseStatus
    def __init__(self, status: _Optional[_Union[MetaServiceResponseStatus, _Mapping]] = ...) -> None: ...

class ResetStreamingJobOffsetRequest(_message.Message):
    __slots__ = ("cloud_unique_id", "db_id", "job_id", "offset", "request_ip")
    CLOUD_UNIQUE_ID_FIELD_NUMBER: _ClassVar[int]
    DB_ID_FIELD_NUMBER: _ClassVar[int]
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    OFFSET_FIELD_NUMBER: _ClassVar[int]
    REQUEST_IP_FIELD_NUMBER: _ClassVar[int]
    cloud_unique_id: str
    db_id: int
    job_id: int
    offset: str
    request_ip: str
    def __init__(self, cloud_unique_id: _Optional[str] = ..., db_id: _Optional[int] = ..., job_id: _Optional[int] = ..., offset: _Optional[str] = ..., request_ip: _Optional[str] = ...) -> None: ...

class ResetStreamingJobOffsetResponse(_message.Message):
    __slots__ = ("status",)
    STATUS_FIELD_NUMBER: _ClassVar[int]
    status: MetaServiceResponseStatus
    def __init__(self, status: _Optional[_Union[MetaServiceResponseStatus, _Mapping]] = ...) -> None: ...

class CheckKeyInfos(_message.Message):
    __slots__ = ("db_ids", "table_ids", "index_ids", "partition_ids")
    DB_IDS_FIELD_NUMBER: _ClassVar[int]
    TABLE_IDS_FIELD_NUMBER: _ClassVar[int]
    INDEX_IDS_FIELD_NUMBER: _ClassVar[int]
    PARTITION_IDS_FIELD_NUMBER: _ClassVar[int]
    db_ids: _containers.RepeatedScalarFieldContainer[int]
    table_ids: _containers.RepeatedScalarFieldContainer[int]
    index_ids: _containers.RepeatedScalarFieldContainer[int]
    partition_ids: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, db_ids: _Optional[_Iterable[int]] = ..., table_ids: _Optional[_Iterable[int]] = ..., index_ids: _Optional[_Iterable[int]] = ..., partition_ids: _Optional[_Iterable[int]] = ...) -> None: ...

class CheckKVRequest(_message.Message):
    __slots__ = ("cloud_unique_id", "check_keys", "op", "request_ip")
    class Operation(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        CREATE_INDEX_AFTER_FE_COMMIT: _ClassVar[CheckKVRequest.Operation]
        CREATE_PARTITION_AFTER_FE_COMMIT: _ClassVar[CheckKVRequest.Operation]
    CREATE_INDEX_AFTER_FE_COMMIT: CheckKVRequest.Operation
    CREATE_PARTITION_AFTER_FE_COMMIT: CheckKVRequest.Operation
    CLOUD_UNIQUE_ID_FIELD_NUMBER: _ClassVar[int]
    CHECK_KEYS_FIELD_NUMBER: _ClassVar[int]
    OP_FIELD_NUMBER: _ClassVar[int]
    REQUEST_IP_FIELD_NUMBER: _ClassVar[int]
    cloud_unique_id: str
    check_keys: CheckKeyInfos
    op: CheckKVRequest.Operation
    request_ip: str
    def __init__(self, cloud_unique_id: _Optional[str] = ..., check_keys: _Optional[_Union[CheckKeyInfos, _Mapping]] = ..., op: _Optional[_Union[CheckKVRequest.Operation, str]] = ..., request_ip: _Optional[str] = ...) -> None: ...

class CheckKVResponse(_message.Message):
    __slots__ = ("status", "bad_keys")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    BAD_KEYS_FIELD_NUMBER: _ClassVar[int]
    status: MetaServiceResponseStatus
    bad_keys: CheckKeyInfos
    def __init__(self, status: _Optional[_Union[MetaServiceResponseStatus, _Mapping]] = ..., bad_keys: _Optional[_Union[CheckKeyInfos, _Mapping]] = ...) -> None: ...

class BeginSnapshotRequest(_message.Message):
    __slots__ = ("cloud_unique_id", "snapshot_label", "auto_snapshot", "timeout_seconds", "ttl_seconds", "request_ip")
    CLOUD_UNIQUE_ID_FIELD_NUMBER: _ClassVar[int]
    SNAPSHOT_LABEL_FIELD_NUMBER: _ClassVar[int]
    AUTO_SNAPSHOT_FIELD_NUMBER: _ClassVar[int]
    TIMEOUT_SECONDS_FIELD_NUMBER: _ClassVar[int]
    TTL_SECONDS_FIELD_NUMBER: _ClassVar[int]
    REQUEST_IP_FIELD_NUMBER: _ClassVar[int]
    cloud_unique_id: str
    snapshot_label: str
    auto_snapshot: bool
    timeout_seconds: int
    ttl_seconds: int
    request_ip: str
    def __init__(self, cloud_unique_id: _Optional[str] = ..., snapshot_label: _Optional[str] = ..., auto_snapshot: _Optional[bool] = ..., timeout_seconds: _Optional[int] = ..., ttl_seconds: _Optional[int] = ..., request_ip: _Optional[str] = ...) -> None: ...

class BeginSnapshotResponse(_message.Message):
    __slots__ = ("status", "snapshot_id", "image_url", "obj_info")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    SNAPSHOT_ID_FIELD_NUMBER: _ClassVar[int]
    IMAGE_URL_FIELD_NUMBER: _ClassVar[int]
    OBJ_INFO_FIELD_NUMBER: _ClassVar[int]
    status: MetaServiceResponseStatus
    snapshot_id: str
    image_url: str
    obj_info: ObjectStoreInfoPB
    def __init__(self, status: _Optional[_Union[MetaServiceResponseStatus, _Mapping]] = ..., snapshot_id: _Optional[str] = ..., image_url: _Optional[str] = ..., obj_info: _Optional[_Union[ObjectStoreInfoPB, _Mapping]] = ...) -> None: ...

class UpdateSnapshotRequest(_message.Message):
    __slots__ = ("cloud_unique_id", "snapshot_id", "upload_file", "upload_id", "request_ip")
    CLOUD_UNIQUE_ID_FIELD_NUMBER: _ClassVar[int]
    SNAPSHOT_ID_FIELD_NUMBER: _ClassVar[int]
    UPLOAD_FILE_FIELD_NUMBER: _ClassVar[int]
    UPLOAD_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_IP_FIELD_NUMBER: _ClassVar[int]
    cloud_unique_id: str
    snapshot_id: str
    upload_file: str
    upload_id: str
    request_ip: str
    def __init__(self, cloud_unique_id: _Optional[str] = ..., snapshot_id: _Optional[str] = ..., upload_file: _Optional[str] = ..., upload_id: _Optional[str] = ..., request_ip: _Optional[str] = ...) -> None: ...

class UpdateSnapshotResponse(_message.Message):
    __slots__ = ("status",)
    STATUS_FIELD_NUMBER: _ClassVar[int]
    status: MetaServiceResponseStatus
    def __init__(self, status: _Optional[_Union[MetaServiceResponseStatus, _Mapping]] = ...) -> None: ...

class CommitSnapshotRequest(_message.Message):
    __slots__ = ("cloud_unique_id", "snapshot_id", "image_url", "last_journal_id", "request_ip", "snapshot_meta_image_size", "snapshot_logical_data_size")
    CLOUD_UNIQUE_ID_FIELD_NUMBER: _ClassVar[int]
    SNAPSHOT_ID_FIELD_NUMBER: _ClassVar[int]
    IMAGE_URL_FIELD_NUMBER: _ClassVar[int]
    LAST_JOURNAL_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_IP_FIELD_NUMBER: _ClassVar[int]
    SNAPSHOT_META_IMAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    SNAPSHOT_LOGICAL_DATA_SIZE_FIELD_NUMBER: _ClassVar[int]
    cloud_unique_id: str
    snapshot_id: str
    image_url: str
    last_journal_id: int
    request_ip: str
    snapshot_meta_image_size: int
    snapshot_logical_data_size: int
    def __init__(self, cloud_unique_id: _Optional[str] = ..., snapshot_id: _Optional[str] = ..., image_url: _Optional[str] = ..., last_journal_id: _Optional[int] = ..., request_ip: _Optional[str] = ..., snapshot_meta_image_size: _Optional[int] = ..., snapshot_logical_data_size: _Optional[int] = ...) -> None: ...

class CommitSnapshotResponse(_message.Message):
    __slots__ = ("status",)
    STATUS_FIELD_NUMBER: _ClassVar[int]
    status: MetaServiceResponseStatus
    def __init__(self, status: _Optional[_Union[MetaServiceResponseStatus, _Mapping]] = ...) -> None: ...

class AbortSnapshotRequest(_message.Message):
    __slots__ = ("cloud_unique_id", "snapshot_id", "reason", "request_ip")
    CLOUD_UNIQUE_ID_FIELD_NUMBER: _ClassVar[int]
    SNAPSHOT_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    REQUEST_IP_FIELD_NUMBER: _ClassVar[int]
    cloud_unique_id: str
    snapshot_id: str
    reason: str
    request_ip: str
    def __init__(self, cloud_unique_id: _Optional[str] = ..., snapshot_id: _Optional[str] = ..., reason: _Optional[str] = ..., request_ip: _Optional[str] = ...) -> None: ...

class AbortSnapshotResponse(_message.Message):
    __slots__ = ("status",)
    STATUS_FIELD_NUMBER: _ClassVar[int]
    status: MetaServiceResponseStatus
    def __init__(self, status: _Optional[_Union[MetaServiceResponseStatus, _Mapping]] = ...) -> None: ...

class SnapshotInfoPB(_message.Message):
    __slots__ = ("snapshot_id", "ancestor_id", "create_at", "finish_at", "image_url", "journal_id", "status", "type", "instance_id", "auto_snapshot", "ttl_seconds", "timeout_seconds", "snapshot_label", "reason", "derived_instance_ids", "snapshot_meta_image_size", "snapshot_logical_data_size", "snapshot_retained_data_size", "snapshot_billable_data_size")
    SNAPSHOT_ID_FIELD_NUMBER: _ClassVar[int]
    ANCESTOR_ID_FIELD_NUMBER: _ClassVar[int]
    CREATE_AT_FIELD_NUMBER: _ClassVar[int]
    FINISH_AT_FIELD_NUMBER: _ClassVar[int]
    IMAGE_URL_FIELD_NUMBER: _ClassVar[int]
    JOURNAL_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    INSTANCE_ID_FIELD_NUMBER: _ClassVar[int]
    AUTO_SNAPSHOT_FIELD_NUMBER: _ClassVar[int]
    TTL_SECONDS_FIELD_NUMBER: _ClassVar[int]
    TIMEOUT_SECONDS_FIELD_NUMBER: _ClassVar[int]
    SNAPSHOT_LABEL_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    DERIVED_INSTANCE_IDS_FIELD_NUMBER: _ClassVar[int]
    SNAPSHOT_META_IMAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    SNAPSHOT_LOGICAL_DATA_SIZE_FIELD_NUMBER: _ClassVar[int]
    SNAPSHOT_RETAINED_DATA_SIZE_FIELD_NUMBER: _ClassVar[int]
    SNAPSHOT_BILLABLE_DATA_SIZE_FIELD_NUMBER: _ClassVar[int]
    snapshot_id: str
    ancestor_id: str
    create_at: int
    finish_at: int
    image_url: str
    journal_id: int
    status: SnapshotStatus
    type: SnapshotType
    instance_id: str
    auto_snapshot: bool
    ttl_seconds: int
    timeout_seconds: int
    snapshot_label: str
    reason: str
    derived_instance_ids: _containers.RepeatedScalarFieldContainer[str]
    snapshot_meta_image_size: int
    snapshot_logical_data_size: int
    snapshot_retained_data_size: int
    snapshot_billable_data_size: int
    def __init__(self, snapshot_id: _Optional[str] = ..., ancestor_id: _Optional[str] = ..., create_at: _Optional[int] = ..., finish_at: _Optional[int] = ..., image_url: _Optional[str] = ..., journal_id: _Optional[int] = ..., status: _Optional[_Union[SnapshotStatus, str]] = ..., type: _Optional[_Union[SnapshotType, str]] = ..., instance_id: _Optional[str] = ..., auto_snapshot: _Optional[bool] = ..., ttl_seconds: _Optional[int] = ..., timeout_seconds: _Optional[int] = ..., snapshot_label: _Optional[str] = ..., reason: _Optional[str] = ..., derived_instance_ids: _Optional[_Iterable[str]] = ..., snapshot_meta_image_size: _Optional[int] = ..., snapshot_logical_data_size: _Optional[int] = ..., snapshot_retained_data_size: _Optional[int] = ..., snapshot_billable_data_size: _Optional[int] = ...) -> None: ...

class ListSnapshotRequest(_message.Message):
    __slots__ = ("cloud_unique_id", "required_snapshot_id", "include_aborted", "request_ip", "instance_id")
    CLOUD_UNIQUE_ID_FIELD_NUMBER: _ClassVar[int]
    REQUIRED_SNAPSHOT_ID_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_ABORTED_FIELD_NUMBER: _ClassVar[int]
    REQUEST_IP_FIELD_NUMBER: _ClassVar[int]
    INSTANCE_ID_FIELD_NUMBER: _ClassVar[int]
    cloud_unique_id: str
    required_snapshot_id: str
    include_aborted: bool
    request_ip: str
    instance_id: str
    def __init__(self, cloud_unique_id: _Optional[str] = ..., required_snapshot_id: _Optional[str] = ..., include_aborted: _Optional[bool] = ..., request_ip: _Optional[str] = ..., instance_id: _Optional[str] = ...) -> None: ...

class ListSnapshotResponse(_message.Message):
    __slots__ = ("status", "snapshots")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    SNAPSHOTS_FIELD_NUMBER: _ClassVar[int]
    status: MetaServiceResponseStatus
    snapshots: _containers.RepeatedCompositeFieldContainer[SnapshotInfoPB]
    def __init__(self, status: _Optional[_Union[MetaServiceResponseStatus, _Mapping]] = ..., snapshots: _Optional[_Iterable[_Union[SnapshotInfoPB, _Mapping]]] = ...) -> None: ...

class DropSnapshotRequest(_message.Message):
    __slots__ = ("cloud_unique_id", "snapshot_id", "request_ip")
    CLOUD_UNIQUE_ID_FIELD_NUMBER: _ClassVar[int]
    SNAPSHOT_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_IP_FIELD_NUMBER: _ClassVar[int]
    cloud_unique_id: str
    snapshot_id: str
    request_ip: str
    def __init__(self, cloud_unique_id: _Optional[str] = ..., snapshot_id: _Optional[str] = ..., request_ip: _Optional[str] = ...) -> None: ...

class DropSnapshotResponse(_message.Message):
    __slots__ = ("status",)
    STATUS_FIELD_NUMBER: _ClassVar[int]
    status: MetaServiceResponseStatus
    def __init__(self, status: _Optional[_Union[MetaServiceResponseStatus, _Mapping]] = ...) -> None: ...

class CloneInstanceRequest(_message.Message):
    __slots__ = ("from_snapshot_id", "from_instance_id", "new_instance_id", "snapshot_name", "clone_type", "request_ip", "obj_info", "storage_vault")
    class CloneType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        UNKNOWN: _ClassVar[CloneInstanceRequest.CloneType]
        READ_ONLY: _ClassVar[CloneInstanceRequest.CloneType]
        WRITABLE: _ClassVar[CloneInstanceRequest.CloneType]
        ROLLBACK: _ClassVar[CloneInstanceRequest.CloneType]
    UNKNOWN: CloneInstanceRequest.CloneType
    READ_ONLY: CloneInstanceRequest.CloneType
    WRITABLE: CloneInstanceRequest.CloneType
    ROLLBACK: CloneInstanceRequest.CloneType
    FROM_SNAPSHOT_ID_FIELD_NUMBER: _ClassVar[int]
    FROM_INSTANCE_ID_FIELD_NUMBER: _ClassVar[int]
    NEW_INSTANCE_ID_FIELD_NUMBER: _ClassVar[int]
    SNAPSHOT_NAME_FIELD_NUMBER: _ClassVar[int]
    CLONE_TYPE_FIELD_NUMBER: _ClassVar[int]
    REQUEST_IP_FIELD_NUMBER: _ClassVar[int]
    OBJ_INFO_FIELD_NUMBER: _ClassVar[int]
    STORAGE_VAULT_FIELD_NUMBER: _ClassVar[int]
    from_snapshot_id: str
    from_instance_id: str
    new_instance_id: str
    snapshot_name: str
    clone_type: CloneInstanceRequest.CloneType
    request_ip: str
    obj_info: ObjectStoreInfoPB
    storage_vault: StorageVaultPB
    def __init__(self, from_snapshot_id: _Optional[str] = ..., from_instance_id: _Optional[str] = ..., new_instance_id: _Optional[str] = ..., snapshot_name: _Optional[str] = ..., clone_type: _Optional[_Union[CloneInstanceRequest.CloneType, str]] = ..., request_ip: _Optional[str] = ..., obj_info: _Optional[_Union[ObjectStoreInfoPB, _Mapping]] = ..., storage_vault: _Optional[_Union[StorageVaultPB, _Mapping]] = ...) -> None: ...

class CloneInstanceResponse(_message.Message):
    __slots__ = ("status", "obj_info", "image_url")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    OBJ_INFO_FIELD_NUMBER: _ClassVar[int]
    IMAGE_URL_FIELD_NUMBER: _ClassVar[int]
    status: MetaServiceResponseStatus
    obj_info: ObjectStoreInfoPB
    image_url: str
    def __init__(self, status: _Optional[_Union[MetaServiceResponseStatus, _Mapping]] = ..., obj_info: _Optional[_Union[ObjectStoreInfoPB, _Mapping]] = ..., image_url: _Optional[str] = ...) -> None: ...

class PackedSlicePB(_message.Message):
    __slots__ = ("path", "offset", "size", "deleted", "tablet_id", "rowset_id", "txn_id", "corrected")
    PATH_FIELD_NUMBER: _ClassVar[int]
    OFFSET_FIELD_NUMBER: _ClassVar[int]
    SIZE_FIELD_NUMBER: _ClassVar[int]
    DELETED_FIELD_NUMBER: _ClassVar[int]
    TABLET_ID_FIELD_NUMBER: _ClassVar[int]
    ROWSET_ID_FIELD_NUMBER: _ClassVar[int]
    TXN_ID_FIELD_NUMBER: _ClassVar[int]
    CORRECTED_FIELD_NUMBER: _ClassVar[int]
    path: str
    offset: int
    size: int
    deleted: bool
    tablet_id: int
    rowset_id: str
    txn_id: int
    corrected: bool
    def __init__(self, path: _Optional[str] = ..., offset: _Optional[int] = ..., size: _Optional[int] = ..., deleted: _Optional[bool] = ..., tablet_id: _Optional[int] = ..., rowset_id: _Optional[str] = ..., txn_id: _Optional[int] = ..., corrected: _Optional[bool] = ...) -> None: ...

class PackedFileInfoPB(_message.Message):
    __slots__ = ("ref_cnt", "total_slice_num", "total_slice_bytes", "remaining_slice_bytes", "created_at_sec", "corrected", "state", "slices", "resource_id")
    class PackedFileState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        NORMAL: _ClassVar[PackedFileInfoPB.PackedFileState]
        RECYCLING: _ClassVar[PackedFileInfoPB.PackedFileState]
    NORMAL: PackedFileInfoPB.PackedFileState
    RECYCLING: PackedFileInfoPB.PackedFileState
    REF_CNT_FIELD_NUMBER: _ClassVar[int]
    TOTAL_SLICE_NUM_FIELD_NUMBER: _ClassVar[int]
    TOTAL_SLICE_BYTES_FIELD_NUMBER: _ClassVar[int]
    REMAINING_SLICE_BYTES_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_SEC_FIELD_NUMBER: _ClassVar[int]
    CORRECTED_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    SLICES_FIELD_NUMBER: _ClassVar[int]
    RESOURCE_ID_FIELD_NUMBER: _ClassVar[int]
    ref_cnt: int
    total_slice_num: int
    total_slice_bytes: int
    remaining_slice_bytes: int
    created_at_sec: int
    corrected: bool
    state: PackedFileInfoPB.PackedFileState
    slices: _containers.RepeatedCompositeFieldContainer[PackedSlicePB]
    resource_id: str
    def __init__(self, ref_cnt: _Optional[int] = ..., total_slice_num: _Optional[int] = ..., total_slice_bytes: _Optional[int] = ..., remaining_slice_bytes: _Optional[int] = ..., created_at_sec: _Optional[int] = ..., corrected: _Optional[bool] = ..., state: _Optional[_Union[PackedFileInfoPB.PackedFileState, str]] = ..., slices: _Optional[_Iterable[_Union[PackedSlicePB, _Mapping]]] = ..., resource_id: _Optional[str] = ...) -> None: ...

class UpdatePackedFileInfoRequest(_message.Message):
    __slots__ = ("cloud_unique_id", "request_ip", "packed_file_path", "packed_file_info")
    CLOUD_UNIQUE_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_IP_FIELD_NUMBER: _ClassVar[int]
    PACKED_FILE_PATH_FIELD_NUMBER: _ClassVar[int]
    PACKED_FILE_INFO_FIELD_NUMBER: _ClassVar[int]
    cloud_unique_id: str
    request_ip: str
    packed_file_path: str
    packed_file_info: PackedFileInfoPB
    def __init__(self, cloud_unique_id: _Optional[str] = ..., request_ip: _Optional[str] = ..., packed_file_path: _Optional[str] = ..., packed_file_info: _Optional[_Union[PackedFileInfoPB, _Mapping]] = ...) -> None: ...

class UpdatePackedFileInfoResponse(_message.Message):
    __slots__ = ("status",)
    STATUS_FIELD_NUMBER: _ClassVar[int]
    status: MetaServiceResponseStatus
    def __init__(self, status: _Optional[_Union[MetaServiceResponseStatus, _Mapping]] = ...) -> None: ...
