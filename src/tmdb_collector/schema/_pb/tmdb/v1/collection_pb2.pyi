from tmdb_collector.schema._pb.tmdb.v1 import common_pb2 as _common_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Collection(_message.Message):
    __slots__ = ("id", "name", "original_language", "original_name", "overview", "poster_path", "backdrop_path", "parts", "images", "translations", "json_extra", "json_null", "json_empty")
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    ORIGINAL_LANGUAGE_FIELD_NUMBER: _ClassVar[int]
    ORIGINAL_NAME_FIELD_NUMBER: _ClassVar[int]
    OVERVIEW_FIELD_NUMBER: _ClassVar[int]
    POSTER_PATH_FIELD_NUMBER: _ClassVar[int]
    BACKDROP_PATH_FIELD_NUMBER: _ClassVar[int]
    PARTS_FIELD_NUMBER: _ClassVar[int]
    IMAGES_FIELD_NUMBER: _ClassVar[int]
    TRANSLATIONS_FIELD_NUMBER: _ClassVar[int]
    JSON_EXTRA_FIELD_NUMBER: _ClassVar[int]
    JSON_NULL_FIELD_NUMBER: _ClassVar[int]
    JSON_EMPTY_FIELD_NUMBER: _ClassVar[int]
    id: int
    name: str
    original_language: str
    original_name: str
    overview: str
    poster_path: str
    backdrop_path: str
    parts: _containers.RepeatedCompositeFieldContainer[_common_pb2.MediaSummary]
    images: _common_pb2.ImageList
    translations: _common_pb2.TranslationList
    json_extra: str
    json_null: _containers.RepeatedScalarFieldContainer[int]
    json_empty: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, id: _Optional[int] = ..., name: _Optional[str] = ..., original_language: _Optional[str] = ..., original_name: _Optional[str] = ..., overview: _Optional[str] = ..., poster_path: _Optional[str] = ..., backdrop_path: _Optional[str] = ..., parts: _Optional[_Iterable[_Union[_common_pb2.MediaSummary, _Mapping]]] = ..., images: _Optional[_Union[_common_pb2.ImageList, _Mapping]] = ..., translations: _Optional[_Union[_common_pb2.TranslationList, _Mapping]] = ..., json_extra: _Optional[str] = ..., json_null: _Optional[_Iterable[int]] = ..., json_empty: _Optional[_Iterable[int]] = ...) -> None: ...

class CollectionSummary(_message.Message):
    __slots__ = ("id", "name", "poster_path", "backdrop_path", "json_extra", "json_null", "json_empty")
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    POSTER_PATH_FIELD_NUMBER: _ClassVar[int]
    BACKDROP_PATH_FIELD_NUMBER: _ClassVar[int]
    JSON_EXTRA_FIELD_NUMBER: _ClassVar[int]
    JSON_NULL_FIELD_NUMBER: _ClassVar[int]
    JSON_EMPTY_FIELD_NUMBER: _ClassVar[int]
    id: int
    name: str
    poster_path: str
    backdrop_path: str
    json_extra: str
    json_null: _containers.RepeatedScalarFieldContainer[int]
    json_empty: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, id: _Optional[int] = ..., name: _Optional[str] = ..., poster_path: _Optional[str] = ..., backdrop_path: _Optional[str] = ..., json_extra: _Optional[str] = ..., json_null: _Optional[_Iterable[int]] = ..., json_empty: _Optional[_Iterable[int]] = ...) -> None: ...
