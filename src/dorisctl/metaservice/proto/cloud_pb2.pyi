from dorisctl.metaservice.proto import olap_file_pb2 as _olap_file_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

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

class NodeStatusPB(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    NODE_STATUS_UNKNOWN: _ClassVar[NodeStatusPB]
    NODE_STATUS_RUNNING: _ClassVar[NodeStatusPB]
    NODE_STATUS_SHUTDOWN: _ClassVar[NodeStatusPB]
    NODE_STATUS_DECOMMISSIONING: _ClassVar[NodeStatusPB]
    NODE_STATUS_DECOMMISSIONED: _ClassVar[NodeStatusPB]

class ClusterStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    UNKNOWN: _ClassVar[ClusterStatus]
    NORMAL: _ClassVar[ClusterStatus]
    SUSPENDED: _ClassVar[ClusterStatus]
    TO_RESUME: _ClassVar[ClusterStatus]
    MANUAL_SHUTDOWN: _ClassVar[ClusterStatus]

class CredProviderTypePB(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    DEFAULT: _ClassVar[CredProviderTypePB]
    SIMPLE: _ClassVar[CredProviderTypePB]
    INSTANCE_PROFILE: _ClassVar[CredProviderTypePB]

class TxnStatusPB(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    TXN_STATUS_UNKNOWN: _ClassVar[TxnStatusPB]
    TXN_STATUS_PREPARED: _ClassVar[TxnStatusPB]
    TXN_STATUS_COMMITTED: _ClassVar[TxnStatusPB]
    TXN_STATUS_VISIBLE: _ClassVar[TxnStatusPB]
    TXN_STATUS_ABORTED: _ClassVar[TxnStatusPB]
    TXN_STATUS_PRECOMMITTED: _ClassVar[TxnStatusPB]

class TxnSourceTypePB(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    TXN_SOURCE_TYPE_UNKNOWN: _ClassVar[TxnSourceTypePB]
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

class RecycleState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    RECYCLE_STATE_UNKNOWN: _ClassVar[RecycleState]
    PREPARED: _ClassVar[RecycleState]
    DROPPED: _ClassVar[RecycleState]
    RECYCLING: _ClassVar[RecycleState]
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
NODE_STATUS_UNKNOWN: NodeStatusPB
NODE_STATUS_RUNNING: NodeStatusPB
NODE_STATUS_SHUTDOWN: NodeStatusPB
NODE_STATUS_DECOMMISSIONING: NodeStatusPB
NODE_STATUS_DECOMMISSIONED: NodeStatusPB
UNKNOWN: ClusterStatus
NORMAL: ClusterStatus
SUSPENDED: ClusterStatus
TO_RESUME: ClusterStatus
MANUAL_SHUTDOWN: ClusterStatus
DEFAULT: CredProviderTypePB
SIMPLE: CredProviderTypePB
INSTANCE_PROFILE: CredProviderTypePB
TXN_STATUS_UNKNOWN: TxnStatusPB
TXN_STATUS_PREPARED: TxnStatusPB
TXN_STATUS_COMMITTED: TxnStatusPB
TXN_STATUS_VISIBLE: TxnStatusPB
TXN_STATUS_ABORTED: TxnStatusPB
TXN_STATUS_PRECOMMITTED: TxnStatusPB
TXN_SOURCE_TYPE_UNKNOWN: TxnSourceTypePB
TXN_SOURCE_TYPE_FE: TxnSourceTypePB
TXN_SOURCE_TYPE_BE: TxnSourceTypePB
LOAD_JOB_SRC_TYPE_UNKNOWN: LoadJobSourceTypePB
LOAD_JOB_SRC_TYPE_FRONTEND: LoadJobSourceTypePB
LOAD_JOB_SRC_TYPE_BACKEND_STREAMING: LoadJobSourceTypePB
LOAD_JOB_SRC_TYPE_INSERT_STREAMING: LoadJobSourceTypePB
LOAD_JOB_SRC_TYPE_ROUTINE_LOAD_TASK: LoadJobSourceTypePB
LOAD_JOB_SRC_TYPE_BATCH_LOAD_JOB: LoadJobSourceTypePB
RECYCLE_STATE_UNKNOWN: RecycleState
PREPARED: RecycleState
DROPPED: RecycleState
RECYCLING: RecycleState

class MetaServiceResponseStatus(_message.Message):
    __slots__ = ("code", "msg")
    CODE_FIELD_NUMBER: _ClassVar[int]
    MSG_FIELD_NUMBER: _ClassVar[int]
    code: MetaServiceCode
    msg: str
    def __init__(self, code: _Optional[_Union[MetaServiceCode, str]] = ..., msg: _Optional[str] = ...) -> None: ...

class EncryptionInfoPB(_message.Message):
    __slots__ = ("encryption_method", "key_id")
    ENCRYPTION_METHOD_FIELD_NUMBER: _ClassVar[int]
    KEY_ID_FIELD_NUMBER: _ClassVar[int]
    encryption_method: str
    key_id: int
    def __init__(self, encryption_method: _Optional[str] = ..., key_id: _Optional[int] = ...) -> None: ...

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
    cache_warmup_jobids: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, type: _Optional[_Union[ClusterPolicy.PolicyType, str]] = ..., active_cluster_name: _Optional[str] = ..., standby_cluster_names: _Optional[_Iterable[str]] = ..., failover_failure_threshold: _Optional[int] = ..., unhealthy_node_threshold_percent: _Optional[int] = ..., cache_warmup_jobids: _Optional[_Iterable[int]] = ...) -> None: ...

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

class InstanceInfoPB(_message.Message):
    __slots__ = ("user_id", "instance_id", "name", "lb_ip", "ctime", "mtime", "clusters", "obj_info", "stages", "status", "ram_user", "iam_user", "sse_enabled", "resource_ids", "storage_vault_names", "default_storage_vault_id", "default_storage_vault_name", "enable_storage_vault")
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
    def __init__(self, user_id: _Optional[str] = ..., instance_id: _Optional[str] = ..., name: _Optional[str] = ..., lb_ip: _Optional[_Iterable[str]] = ..., ctime: _Optional[int] = ..., mtime: _Optional[int] = ..., clusters: _Optional[_Iterable[_Union[ClusterPB, _Mapping]]] = ..., obj_info: _Optional[_Iterable[_Union[ObjectStoreInfoPB, _Mapping]]] = ..., stages: _Optional[_Iterable[_Union[StagePB, _Mapping]]] = ..., status: _Optional[_Union[InstanceInfoPB.Status, str]] = ..., ram_user: _Optional[_Union[RamUserPB, _Mapping]] = ..., iam_user: _Optional[_Union[RamUserPB, _Mapping]] = ..., sse_enabled: _Optional[bool] = ..., resource_ids: _Optional[_Iterable[str]] = ..., storage_vault_names: _Optional[_Iterable[str]] = ..., default_storage_vault_id: _Optional[str] = ..., default_storage_vault_name: _Optional[str] = ..., enable_storage_vault: _Optional[bool] = ...) -> None: ...

class EncryptionKeyInfoPB(_message.Message):
    __slots__ = ("items",)
    class Item(_message.Message):
        __slots__ = ("key_id", "key")
        KEY_ID_FIELD_NUMBER: _ClassVar[int]
        KEY_FIELD_NUMBER: _ClassVar[int]
        key_id: int
        key: str
        def __init__(self, key_id: _Optional[int] = ..., key: _Optional[str] = ...) -> None: ...
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    items: _containers.RepeatedCompositeFieldContainer[EncryptionKeyInfoPB.Item]
    def __init__(self, items: _Optional[_Iterable[_Union[EncryptionKeyInfoPB.Item, _Mapping]]] = ...) -> None: ...

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

class AlterInstanceRequest(_message.Message):
    __slots__ = ("instance_id", "op", "name", "properties", "request_ip")
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
    PROPERTIES_FIELD_NUMBER: _ClassVar[int]
    REQUEST_IP_FIELD_NUMBER: _ClassVar[int]
    instance_id: str
    op: AlterInstanceRequest.Operation
    name: str
    properties: _containers.ScalarMap[str, str]
    request_ip: str
    def __init__(self, instance_id: _Optional[str] = ..., op: _Optional[_Union[AlterInstanceRequest.Operation, str]] = ..., name: _Optional[str] = ..., properties: _Optional[_Mapping[str, str]] = ..., request_ip: _Optional[str] = ...) -> None: ...

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

class GetClusterResponse(_message.Message):
    __slots__ = ("status", "cluster", "enable_storage_vault")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    CLUSTER_FIELD_NUMBER: _ClassVar[int]
    ENABLE_STORAGE_VAULT_FIELD_NUMBER: _ClassVar[int]
    status: MetaServiceResponseStatus
    cluster: _containers.RepeatedCompositeFieldContainer[ClusterPB]
    enable_storage_vault: bool
    def __init__(self, status: _Optional[_Union[MetaServiceResponseStatus, _Mapping]] = ..., cluster: _Optional[_Iterable[_Union[ClusterPB, _Mapping]]] = ..., enable_storage_vault: _Optional[bool] = ...) -> None: ...

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

class GetObjStoreInfoRequest(_message.Message):
    __slots__ = ("cloud_unique_id", "request_ip")
    CLOUD_UNIQUE_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_IP_FIELD_NUMBER: _ClassVar[int]
    cloud_unique_id: str
    request_ip: str
    def __init__(self, cloud_unique_id: _Optional[str] = ..., request_ip: _Optional[str] = ...) -> None: ...

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

class AlterRamUserRequest(_message.Message):
    __slots__ = ("instance_id", "ram_user", "request_ip")
    INSTANCE_ID_FIELD_NUMBER: _ClassVar[int]
    RAM_USER_FIELD_NUMBER: _ClassVar[int]
    REQUEST_IP_FIELD_NUMBER: _ClassVar[int]
    instance_id: str
    ram_user: RamUserPB
    request_ip: str
    def __init__(self, instance_id: _Optional[str] = ..., ram_user: _Optional[_Union[RamUserPB, _Mapping]] = ..., request_ip: _Optional[str] = ...) -> None: ...

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

class TxnCommitAttachmentPB(_message.Message):
    __slots__ = ("type",)
    TYPE_FIELD_NUMBER: _ClassVar[int]
    type: int
    def __init__(self, type: _Optional[int] = ...) -> None: ...

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

class TxnLabelPB(_message.Message):
    __slots__ = ("txn_ids",)
    TXN_IDS_FIELD_NUMBER: _ClassVar[int]
    txn_ids: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, txn_ids: _Optional[_Iterable[int]] = ...) -> None: ...

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

class TxnIndexPB(_message.Message):
    __slots__ = ("tablet_index", "parent_txn_id")
    TABLET_INDEX_FIELD_NUMBER: _ClassVar[int]
    PARENT_TXN_ID_FIELD_NUMBER: _ClassVar[int]
    tablet_index: TabletIndexPB
    parent_txn_id: int
    def __init__(self, tablet_index: _Optional[_Union[TabletIndexPB, _Mapping]] = ..., parent_txn_id: _Optional[int] = ...) -> None: ...

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
    __slots__ = ("initiator", "id", "expiration", "new_tablet_idx", "txn_ids", "alter_version", "num_output_rowsets", "num_output_segments", "size_output_rowsets", "num_output_rows", "output_versions", "output_cumulative_point")
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
    def __init__(self, initiator: _Optional[str] = ..., id: _Optional[str] = ..., expiration: _Optional[int] = ..., new_tablet_idx: _Optional[_Union[TabletIndexPB, _Mapping]] = ..., txn_ids: _Optional[_Iterable[int]] = ..., alter_version: _Optional[int] = ..., num_output_rowsets: _Optional[int] = ..., num_output_segments: _Optional[int] = ..., size_output_rowsets: _Optional[int] = ..., num_output_rows: _Optional[int] = ..., output_versions: _Optional[_Iterable[int]] = ..., output_cumulative_point: _Optional[int] = ...) -> None: ...

class TabletJobInfoPB(_message.Message):
    __slots__ = ("idx", "compaction", "schema_change")
    IDX_FIELD_NUMBER: _ClassVar[int]
    COMPACTION_FIELD_NUMBER: _ClassVar[int]
    SCHEMA_CHANGE_FIELD_NUMBER: _ClassVar[int]
    idx: TabletIndexPB
    compaction: _containers.RepeatedCompositeFieldContainer[TabletCompactionJobPB]
    schema_change: TabletSchemaChangeJobPB
    def __init__(self, idx: _Optional[_Union[TabletIndexPB, _Mapping]] = ..., compaction: _Optional[_Iterable[_Union[TabletCompactionJobPB, _Mapping]]] = ..., schema_change: _Optional[_Union[TabletSchemaChangeJobPB, _Mapping]] = ...) -> None: ...

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

class RecycleIndexPB(_message.Message):
    __slots__ = ("table_id", "creation_time", "expiration", "state", "db_id")
    TABLE_ID_FIELD_NUMBER: _ClassVar[int]
    CREATION_TIME_FIELD_NUMBER: _ClassVar[int]
    EXPIRATION_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    DB_ID_FIELD_NUMBER: _ClassVar[int]
    table_id: int
    creation_time: int
    expiration: int
    state: RecycleState
    db_id: int
    def __init__(self, table_id: _Optional[int] = ..., creation_time: _Optional[int] = ..., expiration: _Optional[int] = ..., state: _Optional[_Union[RecycleState, str]] = ..., db_id: _Optional[int] = ...) -> None: ...

class RecyclePartitionPB(_message.Message):
    __slots__ = ("table_id", "index_id", "creation_time", "expiration", "state", "db_id")
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
    state: RecycleState
    db_id: int
    def __init__(self, table_id: _Optional[int] = ..., index_id: _Optional[_Iterable[int]] = ..., creation_time: _Optional[int] = ..., expiration: _Optional[int] = ..., state: _Optional[_Union[RecycleState, str]] = ..., db_id: _Optional[int] = ...) -> None: ...

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

class FinishTabletJobRequest(_message.Message):
    __slots__ = ("cloud_unique_id", "action", "job", "request_ip")
    class JobAction(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        UNKONWN: _ClassVar[FinishTabletJobRequest.JobAction]
        COMMIT: _ClassVar[FinishTabletJobRequest.JobAction]
        ABORT: _ClassVar[FinishTabletJobRequest.JobAction]
        LEASE: _ClassVar[FinishTabletJobRequest.JobAction]
    UNKONWN: FinishTabletJobRequest.JobAction
    COMMIT: FinishTabletJobRequest.JobAction
    ABORT: FinishTabletJobRequest.JobAction
    LEASE: FinishTabletJobRequest.JobAction
    CLOUD_UNIQUE_ID_FIELD_NUMBER: _ClassVar[int]
    ACTION_FIELD_NUMBER: _ClassVar[int]
    JOB_FIELD_NUMBER: _ClassVar[int]
    REQUEST_IP_FIELD_NUMBER: _ClassVar[int]
    cloud_unique_id: str
    action: FinishTabletJobRequest.JobAction
    job: TabletJobInfoPB
    request_ip: str
    def __init__(self, cloud_unique_id: _Optional[str] = ..., action: _Optional[_Union[FinishTabletJobRequest.JobAction, str]] = ..., job: _Optional[_Union[TabletJobInfoPB, _Mapping]] = ..., request_ip: _Optional[str] = ...) -> None: ...

class FinishTabletJobResponse(_message.Message):
    __slots__ = ("status", "stats")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    STATS_FIELD_NUMBER: _ClassVar[int]
    status: MetaServiceResponseStatus
    stats: TabletStatsPB
    def __init__(self, status: _Optional[_Union[MetaServiceResponseStatus, _Mapping]] = ..., stats: _Optional[_Union[TabletStatsPB, _Mapping]] = ...) -> None: ...

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
    __slots__ = ("cloud_unique_id", "db_id", "txn_id", "precommit_timeout_ms", "commit_attachment", "request_ip")
    CLOUD_UNIQUE_ID_FIELD_NUMBER: _ClassVar[int]
    DB_ID_FIELD_NUMBER: _ClassVar[int]
    TXN_ID_FIELD_NUMBER: _ClassVar[int]
    PRECOMMIT_TIMEOUT_MS_FIELD_NUMBER: _ClassVar[int]
    COMMIT_ATTACHMENT_FIELD_NUMBER: _ClassVar[int]
    REQUEST_IP_FIELD_NUMBER: _ClassVar[int]
    cloud_unique_id: str
    db_id: int
    txn_id: int
    precommit_timeout_ms: int
    commit_attachment: TxnCommitAttachmentPB
    request_ip: str
    def __init__(self, cloud_unique_id: _Optional[str] = ..., db_id: _Optional[int] = ..., txn_id: _Optional[int] = ..., precommit_timeout_ms: _Optional[int] = ..., commit_attachment: _Optional[_Union[TxnCommitAttachmentPB, _Mapping]] = ..., request_ip: _Optional[str] = ...) -> None: ...

class PrecommitTxnResponse(_message.Message):
    __slots__ = ("status", "txn_info")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    TXN_INFO_FIELD_NUMBER: _ClassVar[int]
    status: MetaServiceResponseStatus
    txn_info: TxnInfoPB
    def __init__(self, status: _Optional[_Union[MetaServiceResponseStatus, _Mapping]] = ..., txn_info: _Optional[_Union[TxnInfoPB, _Mapping]] = ...) -> None: ...

class CommitTxnRequest(_message.Message):
    __slots__ = ("cloud_unique_id", "db_id", "txn_id", "is_2pc", "commit_attachment", "request_ip")
    CLOUD_UNIQUE_ID_FIELD_NUMBER: _ClassVar[int]
    DB_ID_FIELD_NUMBER: _ClassVar[int]
    TXN_ID_FIELD_NUMBER: _ClassVar[int]
    IS_2PC_FIELD_NUMBER: _ClassVar[int]
    COMMIT_ATTACHMENT_FIELD_NUMBER: _ClassVar[int]
    REQUEST_IP_FIELD_NUMBER: _ClassVar[int]
    cloud_unique_id: str
    db_id: int
    txn_id: int
    is_2pc: bool
    commit_attachment: TxnCommitAttachmentPB
    request_ip: str
    def __init__(self, cloud_unique_id: _Optional[str] = ..., db_id: _Optional[int] = ..., txn_id: _Optional[int] = ..., is_2pc: _Optional[bool] = ..., commit_attachment: _Optional[_Union[TxnCommitAttachmentPB, _Mapping]] = ..., request_ip: _Optional[str] = ...) -> None: ...

class CommitTxnResponse(_message.Message):
    __slots__ = ("status", "txn_info", "table_ids", "partition_ids", "versions")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    TXN_INFO_FIELD_NUMBER: _ClassVar[int]
    TABLE_IDS_FIELD_NUMBER: _ClassVar[int]
    PARTITION_IDS_FIELD_NUMBER: _ClassVar[int]
    VERSIONS_FIELD_NUMBER: _ClassVar[int]
    status: MetaServiceResponseStatus
    txn_info: TxnInfoPB
    table_ids: _containers.RepeatedScalarFieldContainer[int]
    partition_ids: _containers.RepeatedScalarFieldContainer[int]
    versions: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, status: _Optional[_Union[MetaServiceResponseStatus, _Mapping]] = ..., txn_info: _Optional[_Union[TxnInfoPB, _Mapping]] = ..., table_ids: _Optional[_Iterable[int]] = ..., partition_ids: _Optional[_Iterable[int]] = ..., versions: _Optional[_Iterable[int]] = ...) -> None: ...

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
    __slots__ = ("cloud_unique_id", "rowset_meta", "temporary", "txn_id", "request_ip")
    CLOUD_UNIQUE_ID_FIELD_NUMBER: _ClassVar[int]
    ROWSET_META_FIELD_NUMBER: _ClassVar[int]
    TEMPORARY_FIELD_NUMBER: _ClassVar[int]
    TXN_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_IP_FIELD_NUMBER: _ClassVar[int]
    cloud_unique_id: str
    rowset_meta: _olap_file_pb2.RowsetMetaCloudPB
    temporary: bool
    txn_id: int
    request_ip: str
    def __init__(self, cloud_unique_id: _Optional[str] = ..., rowset_meta: _Optional[_Union[_olap_file_pb2.RowsetMetaCloudPB, _Mapping]] = ..., temporary: _Optional[bool] = ..., txn_id: _Optional[int] = ..., request_ip: _Optional[str] = ...) -> None: ...

class CreateRowsetResponse(_message.Message):
    __slots__ = ("status", "existed_rowset_meta")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    EXISTED_ROWSET_META_FIELD_NUMBER: _ClassVar[int]
    status: MetaServiceResponseStatus
    existed_rowset_meta: _olap_file_pb2.RowsetMetaCloudPB
    def __init__(self, status: _Optional[_Union[MetaServiceResponseStatus, _Mapping]] = ..., existed_rowset_meta: _Optional[_Union[_olap_file_pb2.RowsetMetaCloudPB, _Mapping]] = ...) -> None: ...

class GetRowsetRequest(_message.Message):
    __slots__ = ("cloud_unique_id", "idx", "start_version", "end_version", "base_compaction_cnt", "cumulative_compaction_cnt", "cumulative_point", "request_ip")
    CLOUD_UNIQUE_ID_FIELD_NUMBER: _ClassVar[int]
    IDX_FIELD_NUMBER: _ClassVar[int]
    START_VERSION_FIELD_NUMBER: _ClassVar[int]
    END_VERSION_FIELD_NUMBER: _ClassVar[int]
    BASE_COMPACTION_CNT_FIELD_NUMBER: _ClassVar[int]
    CUMULATIVE_COMPACTION_CNT_FIELD_NUMBER: _ClassVar[int]
    CUMULATIVE_POINT_FIELD_NUMBER: _ClassVar[int]
    REQUEST_IP_FIELD_NUMBER: _ClassVar[int]
    cloud_unique_id: str
    idx: TabletIndexPB
    start_version: int
    end_version: int
    base_compaction_cnt: int
    cumulative_compaction_cnt: int
    cumulative_point: int
    request_ip: str
    def __init__(self, cloud_unique_id: _Optional[str] = ..., idx: _Optional[_Union[TabletIndexPB, _Mapping]] = ..., start_version: _Optional[int] = ..., end_version: _Optional[int] = ..., base_compaction_cnt: _Optional[int] = ..., cumulative_compaction_cnt: _Optional[int] = ..., cumulative_point: _Optional[int] = ..., request_ip: _Optional[str] = ...) -> None: ...

class GetRowsetResponse(_message.Message):
    __slots__ = ("status", "rowset_meta", "stats")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    ROWSET_META_FIELD_NUMBER: _ClassVar[int]
    STATS_FIELD_NUMBER: _ClassVar[int]
    status: MetaServiceResponseStatus
    rowset_meta: _containers.RepeatedCompositeFieldContainer[_olap_file_pb2.RowsetMetaCloudPB]
    stats: TabletStatsPB
    def __init__(self, status: _Optional[_Union[MetaServiceResponseStatus, _Mapping]] = ..., rowset_meta: _Optional[_Iterable[_Union[_olap_file_pb2.RowsetMetaCloudPB, _Mapping]]] = ..., stats: _Optional[_Union[TabletStatsPB, _Mapping]] = ...) -> None: ...

class GetVersionRequest(_message.Message):
    __slots__ = ("cloud_unique_id", "db_id", "table_id", "partition_id", "is_table_version", "request_ip")
    CLOUD_UNIQUE_ID_FIELD_NUMBER: _ClassVar[int]
    DB_ID_FIELD_NUMBER: _ClassVar[int]
    TABLE_ID_FIELD_NUMBER: _ClassVar[int]
    PARTITION_ID_FIELD_NUMBER: _ClassVar[int]
    IS_TABLE_VERSION_FIELD_NUMBER: _ClassVar[int]
    REQUEST_IP_FIELD_NUMBER: _ClassVar[int]
    cloud_unique_id: str
    db_id: int
    table_id: int
    partition_id: int
    is_table_version: bool
    request_ip: str
    def __init__(self, cloud_unique_id: _Optional[str] = ..., db_id: _Optional[int] = ..., table_id: _Optional[int] = ..., partition_id: _Optional[int] = ..., is_table_version: _Optional[bool] = ..., request_ip: _Optional[str] = ...) -> None: ...

class GetVersionResponse(_message.Message):
    __slots__ = ("status", "version", "version_update_time_ms")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    VERSION_UPDATE_TIME_MS_FIELD_NUMBER: _ClassVar[int]
    status: MetaServiceResponseStatus
    version: int
    version_update_time_ms: int
    def __init__(self, status: _Optional[_Union[MetaServiceResponseStatus, _Mapping]] = ..., version: _Optional[int] = ..., version_update_time_ms: _Optional[int] = ...) -> None: ...

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
    __slots__ = ("status", "version_in_compaction")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    VERSION_IN_COMPACTION_FIELD_NUMBER: _ClassVar[int]
    status: MetaServiceResponseStatus
    version_in_compaction: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, status: _Optional[_Union[MetaServiceResponseStatus, _Mapping]] = ..., version_in_compaction: _Optional[_Iterable[int]] = ...) -> None: ...
