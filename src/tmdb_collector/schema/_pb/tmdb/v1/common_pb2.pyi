from google.protobuf import struct_pb2 as _struct_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Genre(_message.Message):
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

class ProductionCompany(_message.Message):
    __slots__ = ("id", "logo_path", "name", "origin_country", "json_extra", "json_null", "json_empty")
    ID_FIELD_NUMBER: _ClassVar[int]
    LOGO_PATH_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    ORIGIN_COUNTRY_FIELD_NUMBER: _ClassVar[int]
    JSON_EXTRA_FIELD_NUMBER: _ClassVar[int]
    JSON_NULL_FIELD_NUMBER: _ClassVar[int]
    JSON_EMPTY_FIELD_NUMBER: _ClassVar[int]
    id: int
    logo_path: str
    name: str
    origin_country: str
    json_extra: str
    json_null: _containers.RepeatedScalarFieldContainer[int]
    json_empty: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, id: _Optional[int] = ..., logo_path: _Optional[str] = ..., name: _Optional[str] = ..., origin_country: _Optional[str] = ..., json_extra: _Optional[str] = ..., json_null: _Optional[_Iterable[int]] = ..., json_empty: _Optional[_Iterable[int]] = ...) -> None: ...

class NetworkSummary(_message.Message):
    __slots__ = ("id", "logo_path", "name", "origin_country", "json_extra", "json_null", "json_empty")
    ID_FIELD_NUMBER: _ClassVar[int]
    LOGO_PATH_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    ORIGIN_COUNTRY_FIELD_NUMBER: _ClassVar[int]
    JSON_EXTRA_FIELD_NUMBER: _ClassVar[int]
    JSON_NULL_FIELD_NUMBER: _ClassVar[int]
    JSON_EMPTY_FIELD_NUMBER: _ClassVar[int]
    id: int
    logo_path: str
    name: str
    origin_country: str
    json_extra: str
    json_null: _containers.RepeatedScalarFieldContainer[int]
    json_empty: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, id: _Optional[int] = ..., logo_path: _Optional[str] = ..., name: _Optional[str] = ..., origin_country: _Optional[str] = ..., json_extra: _Optional[str] = ..., json_null: _Optional[_Iterable[int]] = ..., json_empty: _Optional[_Iterable[int]] = ...) -> None: ...

class ProductionCountry(_message.Message):
    __slots__ = ("iso_3166_1", "name", "json_extra", "json_null", "json_empty")
    ISO_3166_1_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    JSON_EXTRA_FIELD_NUMBER: _ClassVar[int]
    JSON_NULL_FIELD_NUMBER: _ClassVar[int]
    JSON_EMPTY_FIELD_NUMBER: _ClassVar[int]
    iso_3166_1: str
    name: str
    json_extra: str
    json_null: _containers.RepeatedScalarFieldContainer[int]
    json_empty: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, iso_3166_1: _Optional[str] = ..., name: _Optional[str] = ..., json_extra: _Optional[str] = ..., json_null: _Optional[_Iterable[int]] = ..., json_empty: _Optional[_Iterable[int]] = ...) -> None: ...

class SpokenLanguage(_message.Message):
    __slots__ = ("english_name", "iso_639_1", "name", "json_extra", "json_null", "json_empty")
    ENGLISH_NAME_FIELD_NUMBER: _ClassVar[int]
    ISO_639_1_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    JSON_EXTRA_FIELD_NUMBER: _ClassVar[int]
    JSON_NULL_FIELD_NUMBER: _ClassVar[int]
    JSON_EMPTY_FIELD_NUMBER: _ClassVar[int]
    english_name: str
    iso_639_1: str
    name: str
    json_extra: str
    json_null: _containers.RepeatedScalarFieldContainer[int]
    json_empty: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, english_name: _Optional[str] = ..., iso_639_1: _Optional[str] = ..., name: _Optional[str] = ..., json_extra: _Optional[str] = ..., json_null: _Optional[_Iterable[int]] = ..., json_empty: _Optional[_Iterable[int]] = ...) -> None: ...

class Image(_message.Message):
    __slots__ = ("aspect_ratio", "file_path", "height", "iso_639_1", "vote_average", "vote_count", "width", "id", "file_type", "json_extra", "json_null", "json_empty")
    ASPECT_RATIO_FIELD_NUMBER: _ClassVar[int]
    FILE_PATH_FIELD_NUMBER: _ClassVar[int]
    HEIGHT_FIELD_NUMBER: _ClassVar[int]
    ISO_639_1_FIELD_NUMBER: _ClassVar[int]
    VOTE_AVERAGE_FIELD_NUMBER: _ClassVar[int]
    VOTE_COUNT_FIELD_NUMBER: _ClassVar[int]
    WIDTH_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    FILE_TYPE_FIELD_NUMBER: _ClassVar[int]
    JSON_EXTRA_FIELD_NUMBER: _ClassVar[int]
    JSON_NULL_FIELD_NUMBER: _ClassVar[int]
    JSON_EMPTY_FIELD_NUMBER: _ClassVar[int]
    aspect_ratio: float
    file_path: str
    height: int
    iso_639_1: str
    vote_average: float
    vote_count: int
    width: int
    id: str
    file_type: str
    json_extra: str
    json_null: _containers.RepeatedScalarFieldContainer[int]
    json_empty: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, aspect_ratio: _Optional[float] = ..., file_path: _Optional[str] = ..., height: _Optional[int] = ..., iso_639_1: _Optional[str] = ..., vote_average: _Optional[float] = ..., vote_count: _Optional[int] = ..., width: _Optional[int] = ..., id: _Optional[str] = ..., file_type: _Optional[str] = ..., json_extra: _Optional[str] = ..., json_null: _Optional[_Iterable[int]] = ..., json_empty: _Optional[_Iterable[int]] = ...) -> None: ...

class ImageList(_message.Message):
    __slots__ = ("backdrops", "logos", "posters", "profiles", "stills", "json_extra", "json_null", "json_empty")
    BACKDROPS_FIELD_NUMBER: _ClassVar[int]
    LOGOS_FIELD_NUMBER: _ClassVar[int]
    POSTERS_FIELD_NUMBER: _ClassVar[int]
    PROFILES_FIELD_NUMBER: _ClassVar[int]
    STILLS_FIELD_NUMBER: _ClassVar[int]
    JSON_EXTRA_FIELD_NUMBER: _ClassVar[int]
    JSON_NULL_FIELD_NUMBER: _ClassVar[int]
    JSON_EMPTY_FIELD_NUMBER: _ClassVar[int]
    backdrops: _containers.RepeatedCompositeFieldContainer[Image]
    logos: _containers.RepeatedCompositeFieldContainer[Image]
    posters: _containers.RepeatedCompositeFieldContainer[Image]
    profiles: _containers.RepeatedCompositeFieldContainer[Image]
    stills: _containers.RepeatedCompositeFieldContainer[Image]
    json_extra: str
    json_null: _containers.RepeatedScalarFieldContainer[int]
    json_empty: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, backdrops: _Optional[_Iterable[_Union[Image, _Mapping]]] = ..., logos: _Optional[_Iterable[_Union[Image, _Mapping]]] = ..., posters: _Optional[_Iterable[_Union[Image, _Mapping]]] = ..., profiles: _Optional[_Iterable[_Union[Image, _Mapping]]] = ..., stills: _Optional[_Iterable[_Union[Image, _Mapping]]] = ..., json_extra: _Optional[str] = ..., json_null: _Optional[_Iterable[int]] = ..., json_empty: _Optional[_Iterable[int]] = ...) -> None: ...

class Video(_message.Message):
    __slots__ = ("id", "iso_639_1", "iso_3166_1", "key", "name", "official", "published_at", "site", "size", "type", "json_extra", "json_null", "json_empty")
    ID_FIELD_NUMBER: _ClassVar[int]
    ISO_639_1_FIELD_NUMBER: _ClassVar[int]
    ISO_3166_1_FIELD_NUMBER: _ClassVar[int]
    KEY_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    OFFICIAL_FIELD_NUMBER: _ClassVar[int]
    PUBLISHED_AT_FIELD_NUMBER: _ClassVar[int]
    SITE_FIELD_NUMBER: _ClassVar[int]
    SIZE_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    JSON_EXTRA_FIELD_NUMBER: _ClassVar[int]
    JSON_NULL_FIELD_NUMBER: _ClassVar[int]
    JSON_EMPTY_FIELD_NUMBER: _ClassVar[int]
    id: str
    iso_639_1: str
    iso_3166_1: str
    key: str
    name: str
    official: bool
    published_at: str
    site: str
    size: int
    type: str
    json_extra: str
    json_null: _containers.RepeatedScalarFieldContainer[int]
    json_empty: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, id: _Optional[str] = ..., iso_639_1: _Optional[str] = ..., iso_3166_1: _Optional[str] = ..., key: _Optional[str] = ..., name: _Optional[str] = ..., official: _Optional[bool] = ..., published_at: _Optional[str] = ..., site: _Optional[str] = ..., size: _Optional[int] = ..., type: _Optional[str] = ..., json_extra: _Optional[str] = ..., json_null: _Optional[_Iterable[int]] = ..., json_empty: _Optional[_Iterable[int]] = ...) -> None: ...

class VideoList(_message.Message):
    __slots__ = ("results", "json_extra", "json_null", "json_empty")
    RESULTS_FIELD_NUMBER: _ClassVar[int]
    JSON_EXTRA_FIELD_NUMBER: _ClassVar[int]
    JSON_NULL_FIELD_NUMBER: _ClassVar[int]
    JSON_EMPTY_FIELD_NUMBER: _ClassVar[int]
    results: _containers.RepeatedCompositeFieldContainer[Video]
    json_extra: str
    json_null: _containers.RepeatedScalarFieldContainer[int]
    json_empty: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, results: _Optional[_Iterable[_Union[Video, _Mapping]]] = ..., json_extra: _Optional[str] = ..., json_null: _Optional[_Iterable[int]] = ..., json_empty: _Optional[_Iterable[int]] = ...) -> None: ...

class TranslationData(_message.Message):
    __slots__ = ("biography", "homepage", "name", "overview", "runtime", "tagline", "title", "json_extra", "json_null", "json_empty")
    BIOGRAPHY_FIELD_NUMBER: _ClassVar[int]
    HOMEPAGE_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    OVERVIEW_FIELD_NUMBER: _ClassVar[int]
    RUNTIME_FIELD_NUMBER: _ClassVar[int]
    TAGLINE_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    JSON_EXTRA_FIELD_NUMBER: _ClassVar[int]
    JSON_NULL_FIELD_NUMBER: _ClassVar[int]
    JSON_EMPTY_FIELD_NUMBER: _ClassVar[int]
    biography: str
    homepage: str
    name: str
    overview: str
    runtime: int
    tagline: str
    title: str
    json_extra: str
    json_null: _containers.RepeatedScalarFieldContainer[int]
    json_empty: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, biography: _Optional[str] = ..., homepage: _Optional[str] = ..., name: _Optional[str] = ..., overview: _Optional[str] = ..., runtime: _Optional[int] = ..., tagline: _Optional[str] = ..., title: _Optional[str] = ..., json_extra: _Optional[str] = ..., json_null: _Optional[_Iterable[int]] = ..., json_empty: _Optional[_Iterable[int]] = ...) -> None: ...

class Translation(_message.Message):
    __slots__ = ("iso_3166_1", "iso_639_1", "name", "english_name", "data", "json_extra", "json_null", "json_empty")
    ISO_3166_1_FIELD_NUMBER: _ClassVar[int]
    ISO_639_1_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    ENGLISH_NAME_FIELD_NUMBER: _ClassVar[int]
    DATA_FIELD_NUMBER: _ClassVar[int]
    JSON_EXTRA_FIELD_NUMBER: _ClassVar[int]
    JSON_NULL_FIELD_NUMBER: _ClassVar[int]
    JSON_EMPTY_FIELD_NUMBER: _ClassVar[int]
    iso_3166_1: str
    iso_639_1: str
    name: str
    english_name: str
    data: TranslationData
    json_extra: str
    json_null: _containers.RepeatedScalarFieldContainer[int]
    json_empty: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, iso_3166_1: _Optional[str] = ..., iso_639_1: _Optional[str] = ..., name: _Optional[str] = ..., english_name: _Optional[str] = ..., data: _Optional[_Union[TranslationData, _Mapping]] = ..., json_extra: _Optional[str] = ..., json_null: _Optional[_Iterable[int]] = ..., json_empty: _Optional[_Iterable[int]] = ...) -> None: ...

class TranslationList(_message.Message):
    __slots__ = ("translations", "json_extra", "json_null", "json_empty")
    TRANSLATIONS_FIELD_NUMBER: _ClassVar[int]
    JSON_EXTRA_FIELD_NUMBER: _ClassVar[int]
    JSON_NULL_FIELD_NUMBER: _ClassVar[int]
    JSON_EMPTY_FIELD_NUMBER: _ClassVar[int]
    translations: _containers.RepeatedCompositeFieldContainer[Translation]
    json_extra: str
    json_null: _containers.RepeatedScalarFieldContainer[int]
    json_empty: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, translations: _Optional[_Iterable[_Union[Translation, _Mapping]]] = ..., json_extra: _Optional[str] = ..., json_null: _Optional[_Iterable[int]] = ..., json_empty: _Optional[_Iterable[int]] = ...) -> None: ...

class ExternalIds(_message.Message):
    __slots__ = ("imdb_id", "wikidata_id", "facebook_id", "instagram_id", "twitter_id", "tiktok_id", "youtube_id", "freebase_mid", "freebase_id", "tvdb_id", "tvrage_id", "json_extra", "json_null", "json_empty")
    IMDB_ID_FIELD_NUMBER: _ClassVar[int]
    WIKIDATA_ID_FIELD_NUMBER: _ClassVar[int]
    FACEBOOK_ID_FIELD_NUMBER: _ClassVar[int]
    INSTAGRAM_ID_FIELD_NUMBER: _ClassVar[int]
    TWITTER_ID_FIELD_NUMBER: _ClassVar[int]
    TIKTOK_ID_FIELD_NUMBER: _ClassVar[int]
    YOUTUBE_ID_FIELD_NUMBER: _ClassVar[int]
    FREEBASE_MID_FIELD_NUMBER: _ClassVar[int]
    FREEBASE_ID_FIELD_NUMBER: _ClassVar[int]
    TVDB_ID_FIELD_NUMBER: _ClassVar[int]
    TVRAGE_ID_FIELD_NUMBER: _ClassVar[int]
    JSON_EXTRA_FIELD_NUMBER: _ClassVar[int]
    JSON_NULL_FIELD_NUMBER: _ClassVar[int]
    JSON_EMPTY_FIELD_NUMBER: _ClassVar[int]
    imdb_id: str
    wikidata_id: str
    facebook_id: str
    instagram_id: str
    twitter_id: str
    tiktok_id: str
    youtube_id: str
    freebase_mid: str
    freebase_id: str
    tvdb_id: int
    tvrage_id: int
    json_extra: str
    json_null: _containers.RepeatedScalarFieldContainer[int]
    json_empty: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, imdb_id: _Optional[str] = ..., wikidata_id: _Optional[str] = ..., facebook_id: _Optional[str] = ..., instagram_id: _Optional[str] = ..., twitter_id: _Optional[str] = ..., tiktok_id: _Optional[str] = ..., youtube_id: _Optional[str] = ..., freebase_mid: _Optional[str] = ..., freebase_id: _Optional[str] = ..., tvdb_id: _Optional[int] = ..., tvrage_id: _Optional[int] = ..., json_extra: _Optional[str] = ..., json_null: _Optional[_Iterable[int]] = ..., json_empty: _Optional[_Iterable[int]] = ...) -> None: ...

class CastCredit(_message.Message):
    __slots__ = ("adult", "gender", "id", "known_for_department", "name", "original_name", "popularity", "profile_path", "cast_id", "character", "credit_id", "order", "json_extra", "json_null", "json_empty")
    ADULT_FIELD_NUMBER: _ClassVar[int]
    GENDER_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    KNOWN_FOR_DEPARTMENT_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    ORIGINAL_NAME_FIELD_NUMBER: _ClassVar[int]
    POPULARITY_FIELD_NUMBER: _ClassVar[int]
    PROFILE_PATH_FIELD_NUMBER: _ClassVar[int]
    CAST_ID_FIELD_NUMBER: _ClassVar[int]
    CHARACTER_FIELD_NUMBER: _ClassVar[int]
    CREDIT_ID_FIELD_NUMBER: _ClassVar[int]
    ORDER_FIELD_NUMBER: _ClassVar[int]
    JSON_EXTRA_FIELD_NUMBER: _ClassVar[int]
    JSON_NULL_FIELD_NUMBER: _ClassVar[int]
    JSON_EMPTY_FIELD_NUMBER: _ClassVar[int]
    adult: bool
    gender: int
    id: int
    known_for_department: str
    name: str
    original_name: str
    popularity: float
    profile_path: str
    cast_id: int
    character: str
    credit_id: str
    order: int
    json_extra: str
    json_null: _containers.RepeatedScalarFieldContainer[int]
    json_empty: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, adult: _Optional[bool] = ..., gender: _Optional[int] = ..., id: _Optional[int] = ..., known_for_department: _Optional[str] = ..., name: _Optional[str] = ..., original_name: _Optional[str] = ..., popularity: _Optional[float] = ..., profile_path: _Optional[str] = ..., cast_id: _Optional[int] = ..., character: _Optional[str] = ..., credit_id: _Optional[str] = ..., order: _Optional[int] = ..., json_extra: _Optional[str] = ..., json_null: _Optional[_Iterable[int]] = ..., json_empty: _Optional[_Iterable[int]] = ...) -> None: ...

class CrewCredit(_message.Message):
    __slots__ = ("adult", "gender", "id", "known_for_department", "name", "original_name", "popularity", "profile_path", "credit_id", "department", "job", "json_extra", "json_null", "json_empty")
    ADULT_FIELD_NUMBER: _ClassVar[int]
    GENDER_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    KNOWN_FOR_DEPARTMENT_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    ORIGINAL_NAME_FIELD_NUMBER: _ClassVar[int]
    POPULARITY_FIELD_NUMBER: _ClassVar[int]
    PROFILE_PATH_FIELD_NUMBER: _ClassVar[int]
    CREDIT_ID_FIELD_NUMBER: _ClassVar[int]
    DEPARTMENT_FIELD_NUMBER: _ClassVar[int]
    JOB_FIELD_NUMBER: _ClassVar[int]
    JSON_EXTRA_FIELD_NUMBER: _ClassVar[int]
    JSON_NULL_FIELD_NUMBER: _ClassVar[int]
    JSON_EMPTY_FIELD_NUMBER: _ClassVar[int]
    adult: bool
    gender: int
    id: int
    known_for_department: str
    name: str
    original_name: str
    popularity: float
    profile_path: str
    credit_id: str
    department: str
    job: str
    json_extra: str
    json_null: _containers.RepeatedScalarFieldContainer[int]
    json_empty: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, adult: _Optional[bool] = ..., gender: _Optional[int] = ..., id: _Optional[int] = ..., known_for_department: _Optional[str] = ..., name: _Optional[str] = ..., original_name: _Optional[str] = ..., popularity: _Optional[float] = ..., profile_path: _Optional[str] = ..., credit_id: _Optional[str] = ..., department: _Optional[str] = ..., job: _Optional[str] = ..., json_extra: _Optional[str] = ..., json_null: _Optional[_Iterable[int]] = ..., json_empty: _Optional[_Iterable[int]] = ...) -> None: ...

class Credits(_message.Message):
    __slots__ = ("cast", "crew", "guest_stars", "json_extra", "json_null", "json_empty")
    CAST_FIELD_NUMBER: _ClassVar[int]
    CREW_FIELD_NUMBER: _ClassVar[int]
    GUEST_STARS_FIELD_NUMBER: _ClassVar[int]
    JSON_EXTRA_FIELD_NUMBER: _ClassVar[int]
    JSON_NULL_FIELD_NUMBER: _ClassVar[int]
    JSON_EMPTY_FIELD_NUMBER: _ClassVar[int]
    cast: _containers.RepeatedCompositeFieldContainer[CastCredit]
    crew: _containers.RepeatedCompositeFieldContainer[CrewCredit]
    guest_stars: _containers.RepeatedCompositeFieldContainer[CastCredit]
    json_extra: str
    json_null: _containers.RepeatedScalarFieldContainer[int]
    json_empty: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, cast: _Optional[_Iterable[_Union[CastCredit, _Mapping]]] = ..., crew: _Optional[_Iterable[_Union[CrewCredit, _Mapping]]] = ..., guest_stars: _Optional[_Iterable[_Union[CastCredit, _Mapping]]] = ..., json_extra: _Optional[str] = ..., json_null: _Optional[_Iterable[int]] = ..., json_empty: _Optional[_Iterable[int]] = ...) -> None: ...

class AggregateRole(_message.Message):
    __slots__ = ("credit_id", "character", "episode_count", "json_extra", "json_null", "json_empty")
    CREDIT_ID_FIELD_NUMBER: _ClassVar[int]
    CHARACTER_FIELD_NUMBER: _ClassVar[int]
    EPISODE_COUNT_FIELD_NUMBER: _ClassVar[int]
    JSON_EXTRA_FIELD_NUMBER: _ClassVar[int]
    JSON_NULL_FIELD_NUMBER: _ClassVar[int]
    JSON_EMPTY_FIELD_NUMBER: _ClassVar[int]
    credit_id: str
    character: str
    episode_count: int
    json_extra: str
    json_null: _containers.RepeatedScalarFieldContainer[int]
    json_empty: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, credit_id: _Optional[str] = ..., character: _Optional[str] = ..., episode_count: _Optional[int] = ..., json_extra: _Optional[str] = ..., json_null: _Optional[_Iterable[int]] = ..., json_empty: _Optional[_Iterable[int]] = ...) -> None: ...

class AggregateJob(_message.Message):
    __slots__ = ("credit_id", "job", "episode_count", "json_extra", "json_null", "json_empty")
    CREDIT_ID_FIELD_NUMBER: _ClassVar[int]
    JOB_FIELD_NUMBER: _ClassVar[int]
    EPISODE_COUNT_FIELD_NUMBER: _ClassVar[int]
    JSON_EXTRA_FIELD_NUMBER: _ClassVar[int]
    JSON_NULL_FIELD_NUMBER: _ClassVar[int]
    JSON_EMPTY_FIELD_NUMBER: _ClassVar[int]
    credit_id: str
    job: str
    episode_count: int
    json_extra: str
    json_null: _containers.RepeatedScalarFieldContainer[int]
    json_empty: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, credit_id: _Optional[str] = ..., job: _Optional[str] = ..., episode_count: _Optional[int] = ..., json_extra: _Optional[str] = ..., json_null: _Optional[_Iterable[int]] = ..., json_empty: _Optional[_Iterable[int]] = ...) -> None: ...

class AggregateCastCredit(_message.Message):
    __slots__ = ("adult", "gender", "id", "known_for_department", "name", "original_name", "popularity", "profile_path", "roles", "total_episode_count", "order", "json_extra", "json_null", "json_empty")
    ADULT_FIELD_NUMBER: _ClassVar[int]
    GENDER_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    KNOWN_FOR_DEPARTMENT_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    ORIGINAL_NAME_FIELD_NUMBER: _ClassVar[int]
    POPULARITY_FIELD_NUMBER: _ClassVar[int]
    PROFILE_PATH_FIELD_NUMBER: _ClassVar[int]
    ROLES_FIELD_NUMBER: _ClassVar[int]
    TOTAL_EPISODE_COUNT_FIELD_NUMBER: _ClassVar[int]
    ORDER_FIELD_NUMBER: _ClassVar[int]
    JSON_EXTRA_FIELD_NUMBER: _ClassVar[int]
    JSON_NULL_FIELD_NUMBER: _ClassVar[int]
    JSON_EMPTY_FIELD_NUMBER: _ClassVar[int]
    adult: bool
    gender: int
    id: int
    known_for_department: str
    name: str
    original_name: str
    popularity: float
    profile_path: str
    roles: _containers.RepeatedCompositeFieldContainer[AggregateRole]
    total_episode_count: int
    order: int
    json_extra: str
    json_null: _containers.RepeatedScalarFieldContainer[int]
    json_empty: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, adult: _Optional[bool] = ..., gender: _Optional[int] = ..., id: _Optional[int] = ..., known_for_department: _Optional[str] = ..., name: _Optional[str] = ..., original_name: _Optional[str] = ..., popularity: _Optional[float] = ..., profile_path: _Optional[str] = ..., roles: _Optional[_Iterable[_Union[AggregateRole, _Mapping]]] = ..., total_episode_count: _Optional[int] = ..., order: _Optional[int] = ..., json_extra: _Optional[str] = ..., json_null: _Optional[_Iterable[int]] = ..., json_empty: _Optional[_Iterable[int]] = ...) -> None: ...

class AggregateCrewCredit(_message.Message):
    __slots__ = ("adult", "gender", "id", "known_for_department", "name", "original_name", "popularity", "profile_path", "jobs", "department", "total_episode_count", "json_extra", "json_null", "json_empty")
    ADULT_FIELD_NUMBER: _ClassVar[int]
    GENDER_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    KNOWN_FOR_DEPARTMENT_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    ORIGINAL_NAME_FIELD_NUMBER: _ClassVar[int]
    POPULARITY_FIELD_NUMBER: _ClassVar[int]
    PROFILE_PATH_FIELD_NUMBER: _ClassVar[int]
    JOBS_FIELD_NUMBER: _ClassVar[int]
    DEPARTMENT_FIELD_NUMBER: _ClassVar[int]
    TOTAL_EPISODE_COUNT_FIELD_NUMBER: _ClassVar[int]
    JSON_EXTRA_FIELD_NUMBER: _ClassVar[int]
    JSON_NULL_FIELD_NUMBER: _ClassVar[int]
    JSON_EMPTY_FIELD_NUMBER: _ClassVar[int]
    adult: bool
    gender: int
    id: int
    known_for_department: str
    name: str
    original_name: str
    popularity: float
    profile_path: str
    jobs: _containers.RepeatedCompositeFieldContainer[AggregateJob]
    department: str
    total_episode_count: int
    json_extra: str
    json_null: _containers.RepeatedScalarFieldContainer[int]
    json_empty: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, adult: _Optional[bool] = ..., gender: _Optional[int] = ..., id: _Optional[int] = ..., known_for_department: _Optional[str] = ..., name: _Optional[str] = ..., original_name: _Optional[str] = ..., popularity: _Optional[float] = ..., profile_path: _Optional[str] = ..., jobs: _Optional[_Iterable[_Union[AggregateJob, _Mapping]]] = ..., department: _Optional[str] = ..., total_episode_count: _Optional[int] = ..., json_extra: _Optional[str] = ..., json_null: _Optional[_Iterable[int]] = ..., json_empty: _Optional[_Iterable[int]] = ...) -> None: ...

class AggregateCredits(_message.Message):
    __slots__ = ("cast", "crew", "json_extra", "json_null", "json_empty")
    CAST_FIELD_NUMBER: _ClassVar[int]
    CREW_FIELD_NUMBER: _ClassVar[int]
    JSON_EXTRA_FIELD_NUMBER: _ClassVar[int]
    JSON_NULL_FIELD_NUMBER: _ClassVar[int]
    JSON_EMPTY_FIELD_NUMBER: _ClassVar[int]
    cast: _containers.RepeatedCompositeFieldContainer[AggregateCastCredit]
    crew: _containers.RepeatedCompositeFieldContainer[AggregateCrewCredit]
    json_extra: str
    json_null: _containers.RepeatedScalarFieldContainer[int]
    json_empty: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, cast: _Optional[_Iterable[_Union[AggregateCastCredit, _Mapping]]] = ..., crew: _Optional[_Iterable[_Union[AggregateCrewCredit, _Mapping]]] = ..., json_extra: _Optional[str] = ..., json_null: _Optional[_Iterable[int]] = ..., json_empty: _Optional[_Iterable[int]] = ...) -> None: ...

class MediaSummary(_message.Message):
    __slots__ = ("adult", "backdrop_path", "genre_ids", "id", "media_type", "original_language", "overview", "popularity", "poster_path", "vote_average", "vote_count", "title", "original_title", "release_date", "video", "name", "original_name", "first_air_date", "origin_country", "json_extra", "json_null", "json_empty")
    ADULT_FIELD_NUMBER: _ClassVar[int]
    BACKDROP_PATH_FIELD_NUMBER: _ClassVar[int]
    GENRE_IDS_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    MEDIA_TYPE_FIELD_NUMBER: _ClassVar[int]
    ORIGINAL_LANGUAGE_FIELD_NUMBER: _ClassVar[int]
    OVERVIEW_FIELD_NUMBER: _ClassVar[int]
    POPULARITY_FIELD_NUMBER: _ClassVar[int]
    POSTER_PATH_FIELD_NUMBER: _ClassVar[int]
    VOTE_AVERAGE_FIELD_NUMBER: _ClassVar[int]
    VOTE_COUNT_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    ORIGINAL_TITLE_FIELD_NUMBER: _ClassVar[int]
    RELEASE_DATE_FIELD_NUMBER: _ClassVar[int]
    VIDEO_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    ORIGINAL_NAME_FIELD_NUMBER: _ClassVar[int]
    FIRST_AIR_DATE_FIELD_NUMBER: _ClassVar[int]
    ORIGIN_COUNTRY_FIELD_NUMBER: _ClassVar[int]
    JSON_EXTRA_FIELD_NUMBER: _ClassVar[int]
    JSON_NULL_FIELD_NUMBER: _ClassVar[int]
    JSON_EMPTY_FIELD_NUMBER: _ClassVar[int]
    adult: bool
    backdrop_path: str
    genre_ids: _containers.RepeatedScalarFieldContainer[int]
    id: int
    media_type: str
    original_language: str
    overview: str
    popularity: float
    poster_path: str
    vote_average: float
    vote_count: int
    title: str
    original_title: str
    release_date: str
    video: bool
    name: str
    original_name: str
    first_air_date: str
    origin_country: _containers.RepeatedScalarFieldContainer[str]
    json_extra: str
    json_null: _containers.RepeatedScalarFieldContainer[int]
    json_empty: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, adult: _Optional[bool] = ..., backdrop_path: _Optional[str] = ..., genre_ids: _Optional[_Iterable[int]] = ..., id: _Optional[int] = ..., media_type: _Optional[str] = ..., original_language: _Optional[str] = ..., overview: _Optional[str] = ..., popularity: _Optional[float] = ..., poster_path: _Optional[str] = ..., vote_average: _Optional[float] = ..., vote_count: _Optional[int] = ..., title: _Optional[str] = ..., original_title: _Optional[str] = ..., release_date: _Optional[str] = ..., video: _Optional[bool] = ..., name: _Optional[str] = ..., original_name: _Optional[str] = ..., first_air_date: _Optional[str] = ..., origin_country: _Optional[_Iterable[str]] = ..., json_extra: _Optional[str] = ..., json_null: _Optional[_Iterable[int]] = ..., json_empty: _Optional[_Iterable[int]] = ...) -> None: ...

class MediaSummaryPage(_message.Message):
    __slots__ = ("page", "results", "total_pages", "total_results", "json_extra", "json_null", "json_empty")
    PAGE_FIELD_NUMBER: _ClassVar[int]
    RESULTS_FIELD_NUMBER: _ClassVar[int]
    TOTAL_PAGES_FIELD_NUMBER: _ClassVar[int]
    TOTAL_RESULTS_FIELD_NUMBER: _ClassVar[int]
    JSON_EXTRA_FIELD_NUMBER: _ClassVar[int]
    JSON_NULL_FIELD_NUMBER: _ClassVar[int]
    JSON_EMPTY_FIELD_NUMBER: _ClassVar[int]
    page: int
    results: _containers.RepeatedCompositeFieldContainer[MediaSummary]
    total_pages: int
    total_results: int
    json_extra: str
    json_null: _containers.RepeatedScalarFieldContainer[int]
    json_empty: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, page: _Optional[int] = ..., results: _Optional[_Iterable[_Union[MediaSummary, _Mapping]]] = ..., total_pages: _Optional[int] = ..., total_results: _Optional[int] = ..., json_extra: _Optional[str] = ..., json_null: _Optional[_Iterable[int]] = ..., json_empty: _Optional[_Iterable[int]] = ...) -> None: ...

class ReviewAuthor(_message.Message):
    __slots__ = ("name", "username", "avatar_path", "rating", "json_extra", "json_null", "json_empty")
    NAME_FIELD_NUMBER: _ClassVar[int]
    USERNAME_FIELD_NUMBER: _ClassVar[int]
    AVATAR_PATH_FIELD_NUMBER: _ClassVar[int]
    RATING_FIELD_NUMBER: _ClassVar[int]
    JSON_EXTRA_FIELD_NUMBER: _ClassVar[int]
    JSON_NULL_FIELD_NUMBER: _ClassVar[int]
    JSON_EMPTY_FIELD_NUMBER: _ClassVar[int]
    name: str
    username: str
    avatar_path: str
    rating: float
    json_extra: str
    json_null: _containers.RepeatedScalarFieldContainer[int]
    json_empty: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, name: _Optional[str] = ..., username: _Optional[str] = ..., avatar_path: _Optional[str] = ..., rating: _Optional[float] = ..., json_extra: _Optional[str] = ..., json_null: _Optional[_Iterable[int]] = ..., json_empty: _Optional[_Iterable[int]] = ...) -> None: ...

class Review(_message.Message):
    __slots__ = ("author", "author_details", "content", "created_at", "id", "updated_at", "url", "json_extra", "json_null", "json_empty")
    AUTHOR_FIELD_NUMBER: _ClassVar[int]
    AUTHOR_DETAILS_FIELD_NUMBER: _ClassVar[int]
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    URL_FIELD_NUMBER: _ClassVar[int]
    JSON_EXTRA_FIELD_NUMBER: _ClassVar[int]
    JSON_NULL_FIELD_NUMBER: _ClassVar[int]
    JSON_EMPTY_FIELD_NUMBER: _ClassVar[int]
    author: str
    author_details: ReviewAuthor
    content: str
    created_at: str
    id: str
    updated_at: str
    url: str
    json_extra: str
    json_null: _containers.RepeatedScalarFieldContainer[int]
    json_empty: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, author: _Optional[str] = ..., author_details: _Optional[_Union[ReviewAuthor, _Mapping]] = ..., content: _Optional[str] = ..., created_at: _Optional[str] = ..., id: _Optional[str] = ..., updated_at: _Optional[str] = ..., url: _Optional[str] = ..., json_extra: _Optional[str] = ..., json_null: _Optional[_Iterable[int]] = ..., json_empty: _Optional[_Iterable[int]] = ...) -> None: ...

class ReviewPage(_message.Message):
    __slots__ = ("page", "results", "total_pages", "total_results", "json_extra", "json_null", "json_empty")
    PAGE_FIELD_NUMBER: _ClassVar[int]
    RESULTS_FIELD_NUMBER: _ClassVar[int]
    TOTAL_PAGES_FIELD_NUMBER: _ClassVar[int]
    TOTAL_RESULTS_FIELD_NUMBER: _ClassVar[int]
    JSON_EXTRA_FIELD_NUMBER: _ClassVar[int]
    JSON_NULL_FIELD_NUMBER: _ClassVar[int]
    JSON_EMPTY_FIELD_NUMBER: _ClassVar[int]
    page: int
    results: _containers.RepeatedCompositeFieldContainer[Review]
    total_pages: int
    total_results: int
    json_extra: str
    json_null: _containers.RepeatedScalarFieldContainer[int]
    json_empty: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, page: _Optional[int] = ..., results: _Optional[_Iterable[_Union[Review, _Mapping]]] = ..., total_pages: _Optional[int] = ..., total_results: _Optional[int] = ..., json_extra: _Optional[str] = ..., json_null: _Optional[_Iterable[int]] = ..., json_empty: _Optional[_Iterable[int]] = ...) -> None: ...

class ListSummary(_message.Message):
    __slots__ = ("description", "favorite_count", "id", "item_count", "iso_639_1", "iso_3166_1", "list_type", "name", "poster_path", "json_extra", "json_null", "json_empty")
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    FAVORITE_COUNT_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    ITEM_COUNT_FIELD_NUMBER: _ClassVar[int]
    ISO_639_1_FIELD_NUMBER: _ClassVar[int]
    ISO_3166_1_FIELD_NUMBER: _ClassVar[int]
    LIST_TYPE_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    POSTER_PATH_FIELD_NUMBER: _ClassVar[int]
    JSON_EXTRA_FIELD_NUMBER: _ClassVar[int]
    JSON_NULL_FIELD_NUMBER: _ClassVar[int]
    JSON_EMPTY_FIELD_NUMBER: _ClassVar[int]
    description: str
    favorite_count: int
    id: int
    item_count: int
    iso_639_1: str
    iso_3166_1: str
    list_type: str
    name: str
    poster_path: str
    json_extra: str
    json_null: _containers.RepeatedScalarFieldContainer[int]
    json_empty: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, description: _Optional[str] = ..., favorite_count: _Optional[int] = ..., id: _Optional[int] = ..., item_count: _Optional[int] = ..., iso_639_1: _Optional[str] = ..., iso_3166_1: _Optional[str] = ..., list_type: _Optional[str] = ..., name: _Optional[str] = ..., poster_path: _Optional[str] = ..., json_extra: _Optional[str] = ..., json_null: _Optional[_Iterable[int]] = ..., json_empty: _Optional[_Iterable[int]] = ...) -> None: ...

class ListSummaryPage(_message.Message):
    __slots__ = ("page", "results", "total_pages", "total_results", "json_extra", "json_null", "json_empty")
    PAGE_FIELD_NUMBER: _ClassVar[int]
    RESULTS_FIELD_NUMBER: _ClassVar[int]
    TOTAL_PAGES_FIELD_NUMBER: _ClassVar[int]
    TOTAL_RESULTS_FIELD_NUMBER: _ClassVar[int]
    JSON_EXTRA_FIELD_NUMBER: _ClassVar[int]
    JSON_NULL_FIELD_NUMBER: _ClassVar[int]
    JSON_EMPTY_FIELD_NUMBER: _ClassVar[int]
    page: int
    results: _containers.RepeatedCompositeFieldContainer[ListSummary]
    total_pages: int
    total_results: int
    json_extra: str
    json_null: _containers.RepeatedScalarFieldContainer[int]
    json_empty: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, page: _Optional[int] = ..., results: _Optional[_Iterable[_Union[ListSummary, _Mapping]]] = ..., total_pages: _Optional[int] = ..., total_results: _Optional[int] = ..., json_extra: _Optional[str] = ..., json_null: _Optional[_Iterable[int]] = ..., json_empty: _Optional[_Iterable[int]] = ...) -> None: ...

class WatchProvider(_message.Message):
    __slots__ = ("display_priority", "logo_path", "provider_id", "provider_name", "json_extra", "json_null", "json_empty")
    DISPLAY_PRIORITY_FIELD_NUMBER: _ClassVar[int]
    LOGO_PATH_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_ID_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_NAME_FIELD_NUMBER: _ClassVar[int]
    JSON_EXTRA_FIELD_NUMBER: _ClassVar[int]
    JSON_NULL_FIELD_NUMBER: _ClassVar[int]
    JSON_EMPTY_FIELD_NUMBER: _ClassVar[int]
    display_priority: int
    logo_path: str
    provider_id: int
    provider_name: str
    json_extra: str
    json_null: _containers.RepeatedScalarFieldContainer[int]
    json_empty: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, display_priority: _Optional[int] = ..., logo_path: _Optional[str] = ..., provider_id: _Optional[int] = ..., provider_name: _Optional[str] = ..., json_extra: _Optional[str] = ..., json_null: _Optional[_Iterable[int]] = ..., json_empty: _Optional[_Iterable[int]] = ...) -> None: ...

class CountryWatchProviders(_message.Message):
    __slots__ = ("link", "ads", "buy", "flatrate", "free", "rent", "json_extra", "json_null", "json_empty")
    LINK_FIELD_NUMBER: _ClassVar[int]
    ADS_FIELD_NUMBER: _ClassVar[int]
    BUY_FIELD_NUMBER: _ClassVar[int]
    FLATRATE_FIELD_NUMBER: _ClassVar[int]
    FREE_FIELD_NUMBER: _ClassVar[int]
    RENT_FIELD_NUMBER: _ClassVar[int]
    JSON_EXTRA_FIELD_NUMBER: _ClassVar[int]
    JSON_NULL_FIELD_NUMBER: _ClassVar[int]
    JSON_EMPTY_FIELD_NUMBER: _ClassVar[int]
    link: str
    ads: _containers.RepeatedCompositeFieldContainer[WatchProvider]
    buy: _containers.RepeatedCompositeFieldContainer[WatchProvider]
    flatrate: _containers.RepeatedCompositeFieldContainer[WatchProvider]
    free: _containers.RepeatedCompositeFieldContainer[WatchProvider]
    rent: _containers.RepeatedCompositeFieldContainer[WatchProvider]
    json_extra: str
    json_null: _containers.RepeatedScalarFieldContainer[int]
    json_empty: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, link: _Optional[str] = ..., ads: _Optional[_Iterable[_Union[WatchProvider, _Mapping]]] = ..., buy: _Optional[_Iterable[_Union[WatchProvider, _Mapping]]] = ..., flatrate: _Optional[_Iterable[_Union[WatchProvider, _Mapping]]] = ..., free: _Optional[_Iterable[_Union[WatchProvider, _Mapping]]] = ..., rent: _Optional[_Iterable[_Union[WatchProvider, _Mapping]]] = ..., json_extra: _Optional[str] = ..., json_null: _Optional[_Iterable[int]] = ..., json_empty: _Optional[_Iterable[int]] = ...) -> None: ...

class WatchProviders(_message.Message):
    __slots__ = ("results", "json_extra", "json_null", "json_empty")
    class ResultsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: CountryWatchProviders
        def __init__(self, key: _Optional[str] = ..., value: _Optional[_Union[CountryWatchProviders, _Mapping]] = ...) -> None: ...
    RESULTS_FIELD_NUMBER: _ClassVar[int]
    JSON_EXTRA_FIELD_NUMBER: _ClassVar[int]
    JSON_NULL_FIELD_NUMBER: _ClassVar[int]
    JSON_EMPTY_FIELD_NUMBER: _ClassVar[int]
    results: _containers.MessageMap[str, CountryWatchProviders]
    json_extra: str
    json_null: _containers.RepeatedScalarFieldContainer[int]
    json_empty: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, results: _Optional[_Mapping[str, CountryWatchProviders]] = ..., json_extra: _Optional[str] = ..., json_null: _Optional[_Iterable[int]] = ..., json_empty: _Optional[_Iterable[int]] = ...) -> None: ...

class ChangeItem(_message.Message):
    __slots__ = ("id", "action", "time", "iso_639_1", "iso_3166_1", "value", "original_value", "season_id", "episode_id", "json_extra", "json_null", "json_empty")
    ID_FIELD_NUMBER: _ClassVar[int]
    ACTION_FIELD_NUMBER: _ClassVar[int]
    TIME_FIELD_NUMBER: _ClassVar[int]
    ISO_639_1_FIELD_NUMBER: _ClassVar[int]
    ISO_3166_1_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    ORIGINAL_VALUE_FIELD_NUMBER: _ClassVar[int]
    SEASON_ID_FIELD_NUMBER: _ClassVar[int]
    EPISODE_ID_FIELD_NUMBER: _ClassVar[int]
    JSON_EXTRA_FIELD_NUMBER: _ClassVar[int]
    JSON_NULL_FIELD_NUMBER: _ClassVar[int]
    JSON_EMPTY_FIELD_NUMBER: _ClassVar[int]
    id: str
    action: str
    time: str
    iso_639_1: str
    iso_3166_1: str
    value: _struct_pb2.Value
    original_value: _struct_pb2.Value
    season_id: int
    episode_id: int
    json_extra: str
    json_null: _containers.RepeatedScalarFieldContainer[int]
    json_empty: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, id: _Optional[str] = ..., action: _Optional[str] = ..., time: _Optional[str] = ..., iso_639_1: _Optional[str] = ..., iso_3166_1: _Optional[str] = ..., value: _Optional[_Union[_struct_pb2.Value, _Mapping]] = ..., original_value: _Optional[_Union[_struct_pb2.Value, _Mapping]] = ..., season_id: _Optional[int] = ..., episode_id: _Optional[int] = ..., json_extra: _Optional[str] = ..., json_null: _Optional[_Iterable[int]] = ..., json_empty: _Optional[_Iterable[int]] = ...) -> None: ...

class Change(_message.Message):
    __slots__ = ("key", "items", "json_extra", "json_null", "json_empty")
    KEY_FIELD_NUMBER: _ClassVar[int]
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    JSON_EXTRA_FIELD_NUMBER: _ClassVar[int]
    JSON_NULL_FIELD_NUMBER: _ClassVar[int]
    JSON_EMPTY_FIELD_NUMBER: _ClassVar[int]
    key: str
    items: _containers.RepeatedCompositeFieldContainer[ChangeItem]
    json_extra: str
    json_null: _containers.RepeatedScalarFieldContainer[int]
    json_empty: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, key: _Optional[str] = ..., items: _Optional[_Iterable[_Union[ChangeItem, _Mapping]]] = ..., json_extra: _Optional[str] = ..., json_null: _Optional[_Iterable[int]] = ..., json_empty: _Optional[_Iterable[int]] = ...) -> None: ...

class Changes(_message.Message):
    __slots__ = ("changes", "json_extra", "json_null", "json_empty")
    CHANGES_FIELD_NUMBER: _ClassVar[int]
    JSON_EXTRA_FIELD_NUMBER: _ClassVar[int]
    JSON_NULL_FIELD_NUMBER: _ClassVar[int]
    JSON_EMPTY_FIELD_NUMBER: _ClassVar[int]
    changes: _containers.RepeatedCompositeFieldContainer[Change]
    json_extra: str
    json_null: _containers.RepeatedScalarFieldContainer[int]
    json_empty: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, changes: _Optional[_Iterable[_Union[Change, _Mapping]]] = ..., json_extra: _Optional[str] = ..., json_null: _Optional[_Iterable[int]] = ..., json_empty: _Optional[_Iterable[int]] = ...) -> None: ...

class AlternativeTitle(_message.Message):
    __slots__ = ("iso_3166_1", "title", "type", "json_extra", "json_null", "json_empty")
    ISO_3166_1_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    JSON_EXTRA_FIELD_NUMBER: _ClassVar[int]
    JSON_NULL_FIELD_NUMBER: _ClassVar[int]
    JSON_EMPTY_FIELD_NUMBER: _ClassVar[int]
    iso_3166_1: str
    title: str
    type: str
    json_extra: str
    json_null: _containers.RepeatedScalarFieldContainer[int]
    json_empty: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, iso_3166_1: _Optional[str] = ..., title: _Optional[str] = ..., type: _Optional[str] = ..., json_extra: _Optional[str] = ..., json_null: _Optional[_Iterable[int]] = ..., json_empty: _Optional[_Iterable[int]] = ...) -> None: ...

class AlternativeTitles(_message.Message):
    __slots__ = ("titles", "results", "json_extra", "json_null", "json_empty")
    TITLES_FIELD_NUMBER: _ClassVar[int]
    RESULTS_FIELD_NUMBER: _ClassVar[int]
    JSON_EXTRA_FIELD_NUMBER: _ClassVar[int]
    JSON_NULL_FIELD_NUMBER: _ClassVar[int]
    JSON_EMPTY_FIELD_NUMBER: _ClassVar[int]
    titles: _containers.RepeatedCompositeFieldContainer[AlternativeTitle]
    results: _containers.RepeatedCompositeFieldContainer[AlternativeTitle]
    json_extra: str
    json_null: _containers.RepeatedScalarFieldContainer[int]
    json_empty: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, titles: _Optional[_Iterable[_Union[AlternativeTitle, _Mapping]]] = ..., results: _Optional[_Iterable[_Union[AlternativeTitle, _Mapping]]] = ..., json_extra: _Optional[str] = ..., json_null: _Optional[_Iterable[int]] = ..., json_empty: _Optional[_Iterable[int]] = ...) -> None: ...

class AlternativeName(_message.Message):
    __slots__ = ("name", "type", "json_extra", "json_null", "json_empty")
    NAME_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    JSON_EXTRA_FIELD_NUMBER: _ClassVar[int]
    JSON_NULL_FIELD_NUMBER: _ClassVar[int]
    JSON_EMPTY_FIELD_NUMBER: _ClassVar[int]
    name: str
    type: str
    json_extra: str
    json_null: _containers.RepeatedScalarFieldContainer[int]
    json_empty: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, name: _Optional[str] = ..., type: _Optional[str] = ..., json_extra: _Optional[str] = ..., json_null: _Optional[_Iterable[int]] = ..., json_empty: _Optional[_Iterable[int]] = ...) -> None: ...

class AlternativeNames(_message.Message):
    __slots__ = ("results", "json_extra", "json_null", "json_empty")
    RESULTS_FIELD_NUMBER: _ClassVar[int]
    JSON_EXTRA_FIELD_NUMBER: _ClassVar[int]
    JSON_NULL_FIELD_NUMBER: _ClassVar[int]
    JSON_EMPTY_FIELD_NUMBER: _ClassVar[int]
    results: _containers.RepeatedCompositeFieldContainer[AlternativeName]
    json_extra: str
    json_null: _containers.RepeatedScalarFieldContainer[int]
    json_empty: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, results: _Optional[_Iterable[_Union[AlternativeName, _Mapping]]] = ..., json_extra: _Optional[str] = ..., json_null: _Optional[_Iterable[int]] = ..., json_empty: _Optional[_Iterable[int]] = ...) -> None: ...
