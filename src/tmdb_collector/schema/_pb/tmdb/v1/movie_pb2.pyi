from tmdb_collector.schema._pb.tmdb.v1 import collection_pb2 as _collection_pb2
from tmdb_collector.schema._pb.tmdb.v1 import common_pb2 as _common_pb2
from tmdb_collector.schema._pb.tmdb.v1 import keyword_pb2 as _keyword_pb2
from tmdb_collector.schema._pb.tmdb.v1 import options_pb2 as _options_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Movie(_message.Message):
    __slots__ = ("adult", "backdrop_path", "belongs_to_collection", "budget", "genres", "homepage", "id", "imdb_id", "origin_country", "original_language", "original_title", "overview", "popularity", "poster_path", "production_companies", "production_countries", "release_date", "revenue", "runtime", "spoken_languages", "status", "tagline", "title", "video", "vote_average", "vote_count", "alternative_titles", "changes", "credits", "external_ids", "images", "keywords", "lists", "recommendations", "release_dates", "reviews", "similar", "translations", "videos", "watch_providers", "json_extra", "json_null", "json_empty")
    ADULT_FIELD_NUMBER: _ClassVar[int]
    BACKDROP_PATH_FIELD_NUMBER: _ClassVar[int]
    BELONGS_TO_COLLECTION_FIELD_NUMBER: _ClassVar[int]
    BUDGET_FIELD_NUMBER: _ClassVar[int]
    GENRES_FIELD_NUMBER: _ClassVar[int]
    HOMEPAGE_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    IMDB_ID_FIELD_NUMBER: _ClassVar[int]
    ORIGIN_COUNTRY_FIELD_NUMBER: _ClassVar[int]
    ORIGINAL_LANGUAGE_FIELD_NUMBER: _ClassVar[int]
    ORIGINAL_TITLE_FIELD_NUMBER: _ClassVar[int]
    OVERVIEW_FIELD_NUMBER: _ClassVar[int]
    POPULARITY_FIELD_NUMBER: _ClassVar[int]
    POSTER_PATH_FIELD_NUMBER: _ClassVar[int]
    PRODUCTION_COMPANIES_FIELD_NUMBER: _ClassVar[int]
    PRODUCTION_COUNTRIES_FIELD_NUMBER: _ClassVar[int]
    RELEASE_DATE_FIELD_NUMBER: _ClassVar[int]
    REVENUE_FIELD_NUMBER: _ClassVar[int]
    RUNTIME_FIELD_NUMBER: _ClassVar[int]
    SPOKEN_LANGUAGES_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    TAGLINE_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    VIDEO_FIELD_NUMBER: _ClassVar[int]
    VOTE_AVERAGE_FIELD_NUMBER: _ClassVar[int]
    VOTE_COUNT_FIELD_NUMBER: _ClassVar[int]
    ALTERNATIVE_TITLES_FIELD_NUMBER: _ClassVar[int]
    CHANGES_FIELD_NUMBER: _ClassVar[int]
    CREDITS_FIELD_NUMBER: _ClassVar[int]
    EXTERNAL_IDS_FIELD_NUMBER: _ClassVar[int]
    IMAGES_FIELD_NUMBER: _ClassVar[int]
    KEYWORDS_FIELD_NUMBER: _ClassVar[int]
    LISTS_FIELD_NUMBER: _ClassVar[int]
    RECOMMENDATIONS_FIELD_NUMBER: _ClassVar[int]
    RELEASE_DATES_FIELD_NUMBER: _ClassVar[int]
    REVIEWS_FIELD_NUMBER: _ClassVar[int]
    SIMILAR_FIELD_NUMBER: _ClassVar[int]
    TRANSLATIONS_FIELD_NUMBER: _ClassVar[int]
    VIDEOS_FIELD_NUMBER: _ClassVar[int]
    WATCH_PROVIDERS_FIELD_NUMBER: _ClassVar[int]
    JSON_EXTRA_FIELD_NUMBER: _ClassVar[int]
    JSON_NULL_FIELD_NUMBER: _ClassVar[int]
    JSON_EMPTY_FIELD_NUMBER: _ClassVar[int]
    adult: bool
    backdrop_path: str
    belongs_to_collection: _collection_pb2.CollectionSummary
    budget: int
    genres: _containers.RepeatedCompositeFieldContainer[_common_pb2.Genre]
    homepage: str
    id: int
    imdb_id: str
    origin_country: _containers.RepeatedScalarFieldContainer[str]
    original_language: str
    original_title: str
    overview: str
    popularity: float
    poster_path: str
    production_companies: _containers.RepeatedCompositeFieldContainer[_common_pb2.ProductionCompany]
    production_countries: _containers.RepeatedCompositeFieldContainer[_common_pb2.ProductionCountry]
    release_date: str
    revenue: int
    runtime: int
    spoken_languages: _containers.RepeatedCompositeFieldContainer[_common_pb2.SpokenLanguage]
    status: str
    tagline: str
    title: str
    video: bool
    vote_average: float
    vote_count: int
    alternative_titles: _common_pb2.AlternativeTitles
    changes: _common_pb2.Changes
    credits: _common_pb2.Credits
    external_ids: _common_pb2.ExternalIds
    images: _common_pb2.ImageList
    keywords: _keyword_pb2.KeywordList
    lists: _common_pb2.ListSummaryPage
    recommendations: _common_pb2.MediaSummaryPage
    release_dates: ReleaseDates
    reviews: _common_pb2.ReviewPage
    similar: _common_pb2.MediaSummaryPage
    translations: _common_pb2.TranslationList
    videos: _common_pb2.VideoList
    watch_providers: _common_pb2.WatchProviders
    json_extra: str
    json_null: _containers.RepeatedScalarFieldContainer[int]
    json_empty: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, adult: _Optional[bool] = ..., backdrop_path: _Optional[str] = ..., belongs_to_collection: _Optional[_Union[_collection_pb2.CollectionSummary, _Mapping]] = ..., budget: _Optional[int] = ..., genres: _Optional[_Iterable[_Union[_common_pb2.Genre, _Mapping]]] = ..., homepage: _Optional[str] = ..., id: _Optional[int] = ..., imdb_id: _Optional[str] = ..., origin_country: _Optional[_Iterable[str]] = ..., original_language: _Optional[str] = ..., original_title: _Optional[str] = ..., overview: _Optional[str] = ..., popularity: _Optional[float] = ..., poster_path: _Optional[str] = ..., production_companies: _Optional[_Iterable[_Union[_common_pb2.ProductionCompany, _Mapping]]] = ..., production_countries: _Optional[_Iterable[_Union[_common_pb2.ProductionCountry, _Mapping]]] = ..., release_date: _Optional[str] = ..., revenue: _Optional[int] = ..., runtime: _Optional[int] = ..., spoken_languages: _Optional[_Iterable[_Union[_common_pb2.SpokenLanguage, _Mapping]]] = ..., status: _Optional[str] = ..., tagline: _Optional[str] = ..., title: _Optional[str] = ..., video: _Optional[bool] = ..., vote_average: _Optional[float] = ..., vote_count: _Optional[int] = ..., alternative_titles: _Optional[_Union[_common_pb2.AlternativeTitles, _Mapping]] = ..., changes: _Optional[_Union[_common_pb2.Changes, _Mapping]] = ..., credits: _Optional[_Union[_common_pb2.Credits, _Mapping]] = ..., external_ids: _Optional[_Union[_common_pb2.ExternalIds, _Mapping]] = ..., images: _Optional[_Union[_common_pb2.ImageList, _Mapping]] = ..., keywords: _Optional[_Union[_keyword_pb2.KeywordList, _Mapping]] = ..., lists: _Optional[_Union[_common_pb2.ListSummaryPage, _Mapping]] = ..., recommendations: _Optional[_Union[_common_pb2.MediaSummaryPage, _Mapping]] = ..., release_dates: _Optional[_Union[ReleaseDates, _Mapping]] = ..., reviews: _Optional[_Union[_common_pb2.ReviewPage, _Mapping]] = ..., similar: _Optional[_Union[_common_pb2.MediaSummaryPage, _Mapping]] = ..., translations: _Optional[_Union[_common_pb2.TranslationList, _Mapping]] = ..., videos: _Optional[_Union[_common_pb2.VideoList, _Mapping]] = ..., watch_providers: _Optional[_Union[_common_pb2.WatchProviders, _Mapping]] = ..., json_extra: _Optional[str] = ..., json_null: _Optional[_Iterable[int]] = ..., json_empty: _Optional[_Iterable[int]] = ...) -> None: ...

class ReleaseDate(_message.Message):
    __slots__ = ("certification", "descriptors", "iso_639_1", "note", "release_date", "type", "json_extra", "json_null", "json_empty")
    CERTIFICATION_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTORS_FIELD_NUMBER: _ClassVar[int]
    ISO_639_1_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    RELEASE_DATE_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    JSON_EXTRA_FIELD_NUMBER: _ClassVar[int]
    JSON_NULL_FIELD_NUMBER: _ClassVar[int]
    JSON_EMPTY_FIELD_NUMBER: _ClassVar[int]
    certification: str
    descriptors: _containers.RepeatedScalarFieldContainer[str]
    iso_639_1: str
    note: str
    release_date: str
    type: int
    json_extra: str
    json_null: _containers.RepeatedScalarFieldContainer[int]
    json_empty: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, certification: _Optional[str] = ..., descriptors: _Optional[_Iterable[str]] = ..., iso_639_1: _Optional[str] = ..., note: _Optional[str] = ..., release_date: _Optional[str] = ..., type: _Optional[int] = ..., json_extra: _Optional[str] = ..., json_null: _Optional[_Iterable[int]] = ..., json_empty: _Optional[_Iterable[int]] = ...) -> None: ...

class CountryReleaseDates(_message.Message):
    __slots__ = ("iso_3166_1", "release_dates", "json_extra", "json_null", "json_empty")
    ISO_3166_1_FIELD_NUMBER: _ClassVar[int]
    RELEASE_DATES_FIELD_NUMBER: _ClassVar[int]
    JSON_EXTRA_FIELD_NUMBER: _ClassVar[int]
    JSON_NULL_FIELD_NUMBER: _ClassVar[int]
    JSON_EMPTY_FIELD_NUMBER: _ClassVar[int]
    iso_3166_1: str
    release_dates: _containers.RepeatedCompositeFieldContainer[ReleaseDate]
    json_extra: str
    json_null: _containers.RepeatedScalarFieldContainer[int]
    json_empty: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, iso_3166_1: _Optional[str] = ..., release_dates: _Optional[_Iterable[_Union[ReleaseDate, _Mapping]]] = ..., json_extra: _Optional[str] = ..., json_null: _Optional[_Iterable[int]] = ..., json_empty: _Optional[_Iterable[int]] = ...) -> None: ...

class ReleaseDates(_message.Message):
    __slots__ = ("results", "json_extra", "json_null", "json_empty")
    RESULTS_FIELD_NUMBER: _ClassVar[int]
    JSON_EXTRA_FIELD_NUMBER: _ClassVar[int]
    JSON_NULL_FIELD_NUMBER: _ClassVar[int]
    JSON_EMPTY_FIELD_NUMBER: _ClassVar[int]
    results: _containers.RepeatedCompositeFieldContainer[CountryReleaseDates]
    json_extra: str
    json_null: _containers.RepeatedScalarFieldContainer[int]
    json_empty: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, results: _Optional[_Iterable[_Union[CountryReleaseDates, _Mapping]]] = ..., json_extra: _Optional[str] = ..., json_null: _Optional[_Iterable[int]] = ..., json_empty: _Optional[_Iterable[int]] = ...) -> None: ...
