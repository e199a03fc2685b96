from tmdb_collector.schema._pb.tmdb.v1 import collection_pb2 as _collection_pb2
from tmdb_collector.schema._pb.tmdb.v1 import company_pb2 as _company_pb2
from tmdb_collector.schema._pb.tmdb.v1 import keyword_pb2 as _keyword_pb2
from tmdb_collector.schema._pb.tmdb.v1 import movie_pb2 as _movie_pb2
from tmdb_collector.schema._pb.tmdb.v1 import network_pb2 as _network_pb2
from tmdb_collector.schema._pb.tmdb.v1 import person_pb2 as _person_pb2
from tmdb_collector.schema._pb.tmdb.v1 import tv_pb2 as _tv_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class RecordKey(_message.Message):
    __slots__ = ("id", "season_number", "episode_number")
    ID_FIELD_NUMBER: _ClassVar[int]
    SEASON_NUMBER_FIELD_NUMBER: _ClassVar[int]
    EPISODE_NUMBER_FIELD_NUMBER: _ClassVar[int]
    id: int
    season_number: int
    episode_number: int
    def __init__(self, id: _Optional[int] = ..., season_number: _Optional[int] = ..., episode_number: _Optional[int] = ...) -> None: ...

class FetchRequest(_message.Message):
    __slots__ = ("path", "appends")
    PATH_FIELD_NUMBER: _ClassVar[int]
    APPENDS_FIELD_NUMBER: _ClassVar[int]
    path: str
    appends: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, path: _Optional[str] = ..., appends: _Optional[_Iterable[str]] = ...) -> None: ...

class Tombstone(_message.Message):
    __slots__ = ("deleted_at_ms", "reason", "last_content_hash")
    DELETED_AT_MS_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    LAST_CONTENT_HASH_FIELD_NUMBER: _ClassVar[int]
    deleted_at_ms: int
    reason: str
    last_content_hash: bytes
    def __init__(self, deleted_at_ms: _Optional[int] = ..., reason: _Optional[str] = ..., last_content_hash: _Optional[bytes] = ...) -> None: ...

class Record(_message.Message):
    __slots__ = ("kind", "key", "fetched_at_ms", "request", "content_hash", "schema_version", "movie", "tv", "tv_season", "tv_episode", "person", "collection", "company", "network", "keyword", "tombstone")
    KIND_FIELD_NUMBER: _ClassVar[int]
    KEY_FIELD_NUMBER: _ClassVar[int]
    FETCHED_AT_MS_FIELD_NUMBER: _ClassVar[int]
    REQUEST_FIELD_NUMBER: _ClassVar[int]
    CONTENT_HASH_FIELD_NUMBER: _ClassVar[int]
    SCHEMA_VERSION_FIELD_NUMBER: _ClassVar[int]
    MOVIE_FIELD_NUMBER: _ClassVar[int]
    TV_FIELD_NUMBER: _ClassVar[int]
    TV_SEASON_FIELD_NUMBER: _ClassVar[int]
    TV_EPISODE_FIELD_NUMBER: _ClassVar[int]
    PERSON_FIELD_NUMBER: _ClassVar[int]
    COLLECTION_FIELD_NUMBER: _ClassVar[int]
    COMPANY_FIELD_NUMBER: _ClassVar[int]
    NETWORK_FIELD_NUMBER: _ClassVar[int]
    KEYWORD_FIELD_NUMBER: _ClassVar[int]
    TOMBSTONE_FIELD_NUMBER: _ClassVar[int]
    kind: str
    key: RecordKey
    fetched_at_ms: int
    request: FetchRequest
    content_hash: bytes
    schema_version: int
    movie: _movie_pb2.Movie
    tv: _tv_pb2.TvSeries
    tv_season: _tv_pb2.TvSeason
    tv_episode: _tv_pb2.TvEpisode
    person: _person_pb2.Person
    collection: _collection_pb2.Collection
    company: _company_pb2.Company
    network: _network_pb2.Network
    keyword: _keyword_pb2.Keyword
    tombstone: Tombstone
    def __init__(self, kind: _Optional[str] = ..., key: _Optional[_Union[RecordKey, _Mapping]] = ..., fetched_at_ms: _Optional[int] = ..., request: _Optional[_Union[FetchRequest, _Mapping]] = ..., content_hash: _Optional[bytes] = ..., schema_version: _Optional[int] = ..., movie: _Optional[_Union[_movie_pb2.Movie, _Mapping]] = ..., tv: _Optional[_Union[_tv_pb2.TvSeries, _Mapping]] = ..., tv_season: _Optional[_Union[_tv_pb2.TvSeason, _Mapping]] = ..., tv_episode: _Optional[_Union[_tv_pb2.TvEpisode, _Mapping]] = ..., person: _Optional[_Union[_person_pb2.Person, _Mapping]] = ..., collection: _Optional[_Union[_collection_pb2.Collection, _Mapping]] = ..., company: _Optional[_Union[_company_pb2.Company, _Mapping]] = ..., network: _Optional[_Union[_network_pb2.Network, _Mapping]] = ..., keyword: _Optional[_Union[_keyword_pb2.Keyword, _Mapping]] = ..., tombstone: _Optional[_Union[Tombstone, _Mapping]] = ...) -> None: ...
