from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Keyword(_message.Message):
    __slots__ = ("id", "name", "json_extra", "json_null", "json_empty")
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    JSON_EXTRA_FIELD_NUMBER: _ClassVar[int]
    JSON_NULL_FIELD_NUMBER: _ClassVar[int]
    JSON_EMPTY_FIELD_NUMBER: _ClassVar[int]
    id: int
    name: str
    json_extra: str
    json_null: _containers.RepeatedScalarFieldContainer[int]
    json_empty: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, id: _Optional[int] = ..., name: _Optional[str] = ..., json_extra: _Optional[str] = ..., json_null: _Optional[_Iterable[int]] = ..., json_empty: _Optional[_Iterable[int]] = ...) -> None: ...

class KeywordList(_message.Message):
    __slots__ = ("keywords", "results", "json_extra", "json_null", "json_empty")
    KEYWORDS_FIELD_NUMBER: _ClassVar[int]
    RESULTS_FIELD_NUMBER: _ClassVar[int]
    JSON_EXTRA_FIELD_NUMBER: _ClassVar[int]
    JSON_NULL_FIELD_NUMBER: _ClassVar[int]
    JSON_EMPTY_FIELD_NUMBER: _ClassVar[int]
    keywords: _containers.RepeatedCompositeFieldContainer[Keyword]
    results: _containers.RepeatedCompositeFieldContainer[Keyword]
    json_extra: str
    json_null: _containers.RepeatedScalarFieldContainer[int]
    json_empty: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, keywords: _Optional[_Iterable[_Union[Keyword, _Mapping]]] = ..., results: _Optional[_Iterable[_Union[Keyword, _Mapping]]] = ..., json_extra: _Optional[str] = ..., json_null: _Optional[_Iterable[int]] = ..., json_empty: _Optional[_Iterable[int]] = ...) -> None: ...
