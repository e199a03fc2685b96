from tmdb_collector.schema._pb.tmdb.v1 import common_pb2 as _common_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Company(_message.Message):
    __slots__ = ("id", "name", "description", "headquarters", "homepage", "logo_path", "origin_country", "parent_company", "alternative_names", "images", "json_extra", "json_null", "json_empty")
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    HEADQUARTERS_FIELD_NUMBER: _ClassVar[int]
    HOMEPAGE_FIELD_NUMBER: _ClassVar[int]
    LOGO_PATH_FIELD_NUMBER: _ClassVar[int]
    ORIGIN_COUNTRY_FIELD_NUMBER: _ClassVar[int]
    PARENT_COMPANY_FIELD_NUMBER: _ClassVar[int]
    ALTERNATIVE_NAMES_FIELD_NUMBER: _ClassVar[int]
    IMAGES_FIELD_NUMBER: _ClassVar[int]
    JSON_EXTRA_FIELD_NUMBER: _ClassVar[int]
    JSON_NULL_FIELD_NUMBER: _ClassVar[int]
    JSON_EMPTY_FIELD_NUMBER: _ClassVar[int]
    id: int
    name: str
    description: str
    headquarters: str
    homepage: str
    logo_path: str
    origin_country: str
    parent_company: _common_pb2.ProductionCompany
    alternative_names: _common_pb2.AlternativeNames
    images: _common_pb2.ImageList
    json_extra: str
    json_null: _containers.RepeatedScalarFieldContainer[int]
    json_empty: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, id: _Optional[int] = ..., name: _Optional[str] = ..., description: _Optional[str] = ..., headquarters: _Optional[str] = ..., homepage: _Optional[str] = ..., logo_path: _Optional[str] = ..., origin_country: _Optional[str] = ..., parent_company: _Optional[_Union[_common_pb2.ProductionCompany, _Mapping]] = ..., alternative_names: _Optional[_Union[_common_pb2.AlternativeNames, _Mapping]] = ..., images: _Optional[_Union[_common_pb2.ImageList, _Mapping]] = ..., json_extra: _Optional[str] = ..., json_null: _Optional[_Iterable[int]] = ..., json_empty: _Optional[_Iterable[int]] = ...) -> None: ...
