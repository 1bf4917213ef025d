from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class CompressionTypePB(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    UNKNOWN_COMPRESSION: _ClassVar[CompressionTypePB]
    DEFAULT_COMPRESSION: _ClassVar[CompressionTypePB]
    NO_COMPRESSION: _ClassVar[CompressionTypePB]
    SNAPPY: _ClassVar[CompressionTypePB]
    LZ4: _ClassVar[CompressionTypePB]
    LZ4F: _ClassVar[CompressionTypePB]
    ZLIB: _ClassVar[CompressionTypePB]
    ZSTD: _ClassVar[CompressionTypePB]
    LZ4HC: _ClassVar[CompressionTypePB]
UNKNOWN_COMPRESSION: CompressionTypePB
DEFAULT_COMPRESSION: CompressionTypePB
NO_COMPRESSION: CompressionTypePB
SNAPPY: CompressionTypePB
LZ4: CompressionTypePB
LZ4F: CompressionTypePB
ZLIB: CompressionTypePB
ZSTD: CompressionTypePB
LZ4HC: CompressionTypePB

class ColumnPathPartInfo(_message.Message):
    __slots__ = ("key", "is_nested", "anonymous_array_level")
    KEY_FIELD_NUMBER: _ClassVar[int]
    IS_NESTED_FIELD_NUMBER: _ClassVar[int]
    ANONYMOUS_ARRAY_LEVEL_FIELD_NUMBER: _ClassVar[int]
    key: str
    is_nested: bool
    anonymous_array_level: int
    def __init__(self, key: _Optional[str] = ..., is_nested: _Optional[bool] = ..., anonymous_array_level: _Optional[int] = ...) -> None: ...

class ColumnPathInfo(_message.Message):
    __slots__ = ("path", "path_part_infos", "has_nested", "parrent_column_unique_id")
    PATH_FIELD_NUMBER: _ClassVar[int]
    PATH_PART_INFOS_FIELD_NUMBER: _ClassVar[int]
    HAS_NESTED_FIELD_NUMBER: _ClassVar[int]
    PARRENT_COLUMN_UNIQUE_ID_FIELD_NUMBER: _ClassVar[int]
    path: str
    path_part_infos: _containers.RepeatedCompositeFieldContainer[ColumnPathPartInfo]
    has_nested: bool
    parrent_column_unique_id: int
    def __init__(self, path: _Optional[str] = ..., path_part_infos: _Optional[_Iterable[_Union[ColumnPathPartInfo, _Mapping]]] = ..., has_nested: _Optional[bool] = ..., parrent_column_unique_id: _Optional[int] = ...) -> None: ...
