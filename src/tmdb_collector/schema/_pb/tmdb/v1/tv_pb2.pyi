from tmdb_collector.schema._pb.tmdb.v1 import common_pb2 as _common_pb2
from tmdb_collector.schema._pb.tmdb.v1 import keyword_pb2 as _keyword_pb2
from tmdb_collector.schema._pb.tmdb.v1 import options_pb2 as _options_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class TvSeries(_message.Message):
    __slots__ = ("adult", "backdrop_path", "created_by", "episode_run_time", "first_air_date", "genres", "homepage", "id", "in_production", "languages", "last_air_date", "last_episode_to_air", "name", "networks", "next_episode_to_air", "number_of_episodes", "number_of_seasons", "origin_country", "original_language", "original_name", "overview", "popularity", "poster_path", "production_companies", "production_countries", "seasons", "spoken_languages", "status", "tagline", "type", "vote_average", "vote_count", "aggregate_credits", "alternative_titles", "changes", "content_ratings", "credits", "episode_groups", "external_ids", "images", "keywords", "lists", "recommendations", "reviews", "screened_theatrically", "similar", "translations", "videos", "watch_providers", "appended_seasons", "json_extra", "json_null", "json_empty")
    class AppendedSeasonsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: int
        value: TvSeason
        def __init__(self, key: _Optional[int] = ..., value: _Optional[_Union[TvSeason, _Mapping]] = ...) -> None: ...
    ADULT_FIELD_NUMBER: _ClassVar[int]
    BACKDROP_PATH_FIELD_NUMBER: _ClassVar[int]
    CREATED_BY_FIELD_NUMBER: _ClassVar[int]
    EPISODE_RUN_TIME_FIELD_NUMBER: _ClassVar[int]
    FIRST_AIR_DATE_FIELD_NUMBER: _ClassVar[int]
    GENRES_FIELD_NUMBER: _ClassVar[int]
    HOMEPAGE_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    IN_PRODUCTION_FIELD_NUMBER: _ClassVar[int]
    LANGUAGES_FIELD_NUMBER: _ClassVar[int]
    LAST_AIR_DATE_FIELD_NUMBER: _ClassVar[int]
    LAST_EPISODE_TO_AIR_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    NETWORKS_FIELD_NUMBER: _ClassVar[int]
    NEXT_EPISODE_TO_AIR_FIELD_NUMBER: _ClassVar[int]
    NUMBER_OF_EPISODES_FIELD_NUMBER: _ClassVar[int]
    NUMBER_OF_SEASONS_FIELD_NUMBER: _ClassVar[int]
    ORIGIN_COUNTRY_FIELD_NUMBER: _ClassVar[int]
    ORIGINAL_LANGUAGE_FIELD_NUMBER: _ClassVar[int]
    ORIGINAL_NAME_FIELD_NUMBER: _ClassVar[int]
    OVERVIEW_FIELD_NUMBER: _ClassVar[int]
    POPULARITY_FIELD_NUMBER: _ClassVar[int]
    POSTER_PATH_FIELD_NUMBER: _ClassVar[int]
    PRODUCTION_COMPANIES_FIELD_NUMBER: _ClassVar[int]
    PRODUCTION_COUNTRIES_FIELD_NUMBER: _ClassVar[int]
    SEASONS_FIELD_NUMBER: _ClassVar[int]
    SPOKEN_LANGUAGES_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    TAGLINE_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    VOTE_AVERAGE_FIELD_NUMBER: _ClassVar[int]
    VOTE_COUNT_FIELD_NUMBER: _ClassVar[int]
    AGGREGATE_CREDITS_FIELD_NUMBER: _ClassVar[int]
    ALTERNATIVE_TITLES_FIELD_NUMBER: _ClassVar[int]
    CHANGES_FIELD_NUMBER: _ClassVar[int]
    CONTENT_RATINGS_FIELD_NUMBER: _ClassVar[int]
    CREDITS_FIELD_NUMBER: _ClassVar[int]
    EPISODE_GROUPS_FIELD_NUMBER: _ClassVar[int]
    EXTERNAL_IDS_FIELD_NUMBER: _ClassVar[int]
    IMAGES_FIELD_NUMBER: _ClassVar[int]
    KEYWORDS_FIELD_NUMBER: _ClassVar[int]
    LISTS_FIELD_NUMBER: _ClassVar[int]
    RECOMMENDATIONS_FIELD_NUMBER: _ClassVar[int]
    REVIEWS_FIELD_NUMBER: _ClassVar[int]
    SCREENED_THEATRICALLY_FIELD_NUMBER: _ClassVar[int]
    SIMILAR_FIELD_NUMBER: _ClassVar[int]
    TRANSLATIONS_FIELD_NUMBER: _ClassVar[int]
    VIDEOS_FIELD_NUMBER: _ClassVar[int]
    WATCH_PROVIDERS_FIELD_NUMBER: _ClassVar[int]
    APPENDED_SEASONS_FIELD_NUMBER: _ClassVar[int]
    JSON_EXTRA_FIELD_NUMBER: _ClassVar[int]
    JSON_NULL_FIELD_NUMBER: _ClassVar[int]
    JSON_EMPTY_FIELD_NUMBER: _ClassVar[int]
    adult: bool
    backdrop_path: str
    created_by: _containers.RepeatedCompositeFieldContainer[CreatedBy]
    episode_run_time: _containers.RepeatedScalarFieldContainer[int]
    first_air_date: str
    genres: _containers.RepeatedCompositeFieldContainer[_common_pb2.Genre]
    homepage: str
    id: int
    in_production: bool
    languages: _containers.RepeatedScalarFieldContainer[str]
    last_air_date: str
    last_episode_to_air: EpisodeSummary
    name: str
    networks: _containers.RepeatedCompositeFieldContainer[_common_pb2.NetworkSummary]
    next_episode_to_air: EpisodeSummary
    number_of_episodes: int
    number_of_seasons: int
    origin_country: _containers.RepeatedScalarFieldContainer[str]
    original_language: str
    original_name: str
    overview: str
    popularity: float
    poster_path: str
    production_companies: _containers.RepeatedCompositeFieldContainer[_common_pb2.ProductionCompany]
    production_countries: _containers.RepeatedCompositeFieldContainer[_common_pb2.ProductionCountry]
    seasons: _containers.RepeatedCompositeFieldContainer[SeasonSummary]
    spoken_languages: _containers.RepeatedCompositeFieldContainer[_common_pb2.SpokenLanguage]
    status: str
    tagline: str
    type: str
    vote_average: float
    vote_count: int
    aggregate_credits: _common_pb2.AggregateCredits
    alternative_titles: _common_pb2.AlternativeTitles
    changes: _common_pb2.Changes
    content_ratings: ContentRatings
    credits: _common_pb2.Credits
    episode_groups: EpisodeGroups
    external_ids: _common_pb2.ExternalIds
    images: _common_pb2.ImageList
    keywords: _keyword_pb2.KeywordList
    lists: _common_pb2.ListSummaryPage
    recommendations: _common_pb2.MediaSummaryPage
    reviews: _common_pb2.ReviewPage
    screened_theatrically: ScreenedTheatrically
    similar: _common_pb2.MediaSummaryPage
    translations: _common_pb2.TranslationList
    videos: _common_pb2.VideoList
    watch_providers: _common_pb2.WatchProviders
    appended_seasons: _containers.MessageMap[int, TvSeason]
    json_extra: str
    json_null: _containers.RepeatedScalarFieldContainer[int]
    json_empty: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, adult: _Optional[bool] = ..., backdrop_path: _Optional[str] = ..., created_by: _Optional[_Iterable[_Union[CreatedBy, _Mapping]]] = ..., episode_run_time: _Optional[_Iterable[int]] = ..., first_air_date: _Optional[str] = ..., genres: _Optional[_Iterable[_Union[_common_pb2.Genre, _Mapping]]] = ..., homepage: _Optional[str] = ..., id: _Optional[int] = ..., in_production: _Optional[bool] = ..., languages: _Optional[_Iterable[str]] = ..., last_air_date: _Optional[str] = ..., last_episode_to_air: _Optional[_Union[EpisodeSummary, _Mapping]] = ..., name: _Optional[str] = ..., networks: _Optional[_Iterable[_Union[_common_pb2.NetworkSummary, _Mapping]]] = ..., next_episode_to_air: _Optional[_Union[EpisodeSummary, _Mapping]] = ..., number_of_episodes: _Optional[int] = ..., number_of_seasons: _Optional[int] = ..., origin_country: _Optional[_Iterable[str]] = ..., original_language: _Optional[str] = ..., original_name: _Optional[str] = ..., overview: _Optional[str] = ..., popularity: _Optional[float] = ..., poster_path: _Optional[str] = ..., production_companies: _Optional[_Iterable[_Union[_common_pb2.ProductionCompany, _Mapping]]] = ..., production_countries: _Optional[_Iterable[_Union[_common_pb2.ProductionCountry, _Mapping]]] = ..., seasons: _Optional[_Iterable[_Union[SeasonSummary, _Mapping]]] = ..., spoken_languages: _Optional[_Iterable[_Union[_common_pb2.SpokenLanguage, _Mapping]]] = ..., status: _Optional[str] = ..., tagline: _Optional[str] = ..., type: _Optional[str] = ..., vote_average: _Optional[float] = ..., vote_count: _Optional[int] = ..., aggregate_credits: _Optional[_Union[_common_pb2.AggregateCredits, _Mapping]] = ..., alternative_titles: _Optional[_Union[_common_pb2.AlternativeTitles, _Mapping]] = ..., changes: _Optional[_Union[_common_pb2.Changes, _Mapping]] = ..., content_ratings: _Optional[_Union[ContentRatings, _Mapping]] = ..., credits: _Optional[_Union[_common_pb2.Credits, _Mapping]] = ..., episode_groups: _Optional[_Union[EpisodeGroups, _Mapping]] = ..., external_ids: _Optional[_Union[_common_pb2.ExternalIds, _Mapping]] = ..., images: _Optional[_Union[_common_pb2.ImageList, _Mapping]] = ..., keywords: _Optional[_Union[_keyword_pb2.KeywordList, _Mapping]] = ..., lists: _Optional[_Union[_common_pb2.ListSummaryPage, _Mapping]] = ..., recommendations: _Optional[_Union[_common_pb2.MediaSummaryPage, _Mapping]] = ..., reviews: _Optional[_Union[_common_pb2.ReviewPage, _Mapping]] = ..., screened_theatrically: _Optional[_Union[ScreenedTheatrically, _Mapping]] = ..., similar: _Optional[_Union[_common_pb2.MediaSummaryPage, _Mapping]] = ..., translations: _Optional[_Union[_common_pb2.TranslationList, _Mapping]] = ..., videos: _Optional[_Union[_common_pb2.VideoList, _Mapping]] = ..., watch_providers: _Optional[_Union[_common_pb2.WatchProviders, _Mapping]] = ..., appended_seasons: _Optional[_Mapping[int, TvSeason]] = ..., json_extra: _Optional[str] = ..., json_null: _Optional[_Iterable[int]] = ..., json_empty: _Optional[_Iterable[int]] = ...) -> None: ...

class TvSeason(_message.Message):
    __slots__ = ("object_id", "air_date", "episodes", "id", "name", "networks", "overview", "poster_path", "season_number", "vote_average", "aggregate_credits", "credits", "external_ids", "images", "translations", "videos", "watch_providers", "json_extra", "json_null", "json_empty")
    OBJECT_ID_FIELD_NUMBER: _ClassVar[int]
    AIR_DATE_FIELD_NUMBER: _ClassVar[int]
    EPISODES_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    NETWORKS_FIELD_NUMBER: _ClassVar[int]
    OVERVIEW_FIELD_NUMBER: _ClassVar[int]
    POSTER_PATH_FIELD_NUMBER: _ClassVar[int]
    SEASON_NUMBER_FIELD_NUMBER: _ClassVar[int]
    VOTE_AVERAGE_FIELD_NUMBER: _ClassVar[int]
    AGGREGATE_CREDITS_FIELD_NUMBER: _ClassVar[int]
    CREDITS_FIELD_NUMBER: _ClassVar[int]
    EXTERNAL_IDS_FIELD_NUMBER: _ClassVar[int]
    IMAGES_FIELD_NUMBER: _ClassVar[int]
    TRANSLATIONS_FIELD_NUMBER: _ClassVar[int]
    VIDEOS_FIELD_NUMBER: _ClassVar[int]
    WATCH_PROVIDERS_FIELD_NUMBER: _ClassVar[int]
    JSON_EXTRA_FIELD_NUMBER: _ClassVar[int]
    JSON_NULL_FIELD_NUMBER: _ClassVar[int]
    JSON_EMPTY_FIELD_NUMBER: _ClassVar[int]
    object_id: str
    air_date: str
    episodes: _containers.RepeatedCompositeFieldContainer[EpisodeSummary]
    id: int
    name: str
    networks: _containers.RepeatedCompositeFieldContainer[_common_pb2.NetworkSummary]
    overview: str
    poster_path: str
    season_number: int
    vote_average: float
    aggregate_credits: _common_pb2.AggregateCredits
    credits: _common_pb2.Credits
    external_ids: _common_pb2.ExternalIds
    images: _common_pb2.ImageList
    translations: _common_pb2.TranslationList
    videos: _common_pb2.VideoList
    watch_providers: _common_pb2.WatchProviders
    json_extra: str
    json_null: _containers.RepeatedScalarFieldContainer[int]
    json_empty: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, object_id: _Optional[str] = ..., air_date: _Optional[str] = ..., episodes: _Optional[_Iterable[_Union[EpisodeSummary, _Mapping]]] = ..., id: _Optional[int] = ..., name: _Optional[str] = ..., networks: _Optional[_Iterable[_Union[_common_pb2.NetworkSummary, _Mapping]]] = ..., overview: _Optional[str] = ..., poster_path: _Optional[str] = ..., season_number: _Optional[int] = ..., vote_average: _Optional[float] = ..., aggregate_credits: _Optional[_Union[_common_pb2.AggregateCredits, _Mapping]] = ..., credits: _Optional[_Union[_common_pb2.Credits, _Mapping]] = ..., external_ids: _Optional[_Union[_common_pb2.ExternalIds, _Mapping]] = ..., images: _Optional[_Union[_common_pb2.ImageList, _Mapping]] = ..., translations: _Optional[_Union[_common_pb2.TranslationList, _Mapping]] = ..., videos: _Optional[_Union[_common_pb2.VideoList, _Mapping]] = ..., watch_providers: _Optional[_Union[_common_pb2.WatchProviders, _Mapping]] = ..., json_extra: _Optional[str] = ..., json_null: _Optional[_Iterable[int]] = ..., json_empty: _Optional[_Iterable[int]] = ...) -> None: ...

class TvEpisode(_message.Message):
    __slots__ = ("air_date", "crew", "episode_number", "episode_type", "guest_stars", "id", "name", "overview", "production_code", "runtime", "season_number", "still_path", "vote_average", "vote_count", "credits", "external_ids", "images", "translations", "videos", "json_extra", "json_null", "json_empty")
    AIR_DATE_FIELD_NUMBER: _ClassVar[int]
    CREW_FIELD_NUMBER: _ClassVar[int]
    EPISODE_NUMBER_FIELD_NUMBER: _ClassVar[int]
    EPISODE_TYPE_FIELD_NUMBER: _ClassVar[int]
    GUEST_STARS_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    OVERVIEW_FIELD_NUMBER: _ClassVar[int]
    PRODUCTION_CODE_FIELD_NUMBER: _ClassVar[int]
    RUNTIME_FIELD_NUMBER: _ClassVar[int]
    SEASON_NUMBER_FIELD_NUMBER: _ClassVar[int]
    STILL_PATH_FIELD_NUMBER: _ClassVar[int]
    VOTE_AVERAGE_FIELD_NUMBER: _ClassVar[int]
    VOTE_COUNT_FIELD_NUMBER: _ClassVar[int]
    CREDITS_FIELD_NUMBER: _ClassVar[int]
    EXTERNAL_IDS_FIELD_NUMBER: _ClassVar[int]
    IMAGES_FIELD_NUMBER: _ClassVar[int]
    TRANSLATIONS_FIELD_NUMBER: _ClassVar[int]
    VIDEOS_FIELD_NUMBER: _ClassVar[int]
    JSON_EXTRA_FIELD_NUMBER: _ClassVar[int]
    JSON_NULL_FIELD_NUMBER: _ClassVar[int]
    JSON_EMPTY_FIELD_NUMBER: _ClassVar[int]
    air_date: str
    crew: _containers.RepeatedCompositeFieldContainer[_common_pb2.CrewCredit]
    episode_number: int
    episode_type: str
    guest_stars: _containers.RepeatedCompositeFieldContainer[_common_pb2.CastCredit]
    id: int
    name: str
    overview: str
    production_code: str
    runtime: int
    season_number: int
    still_path: str
    vote_average: float
    vote_count: int
    credits: _common_pb2.Credits
    external_ids: _common_pb2.ExternalIds
    images: _common_pb2.ImageList
    translations: _common_pb2.TranslationList
    videos: _common_pb2.VideoList
    json_extra: str
    json_null: _containers.RepeatedScalarFieldContainer[int]
    json_empty: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, air_date: _Optional[str] = ..., crew: _Optional[_Iterable[_Union[_common_pb2.CrewCredit, _Mapping]]] = ..., episode_number: _Optional[int] = ..., episode_type: _Optional[str] = ..., guest_stars: _Optional[_Iterable[_Union[_common_pb2.CastCredit, _Mapping]]] = ..., id: _Optional[int] = ..., name: _Optional[str] = ..., overview: _Optional[str] = ..., production_code: _Optional[str] = ..., runtime: _Optional[int] = ..., season_number: _Optional[int] = ..., still_path: _Optional[str] = ..., vote_average: _Optional[float] = ..., vote_count: _Optional[int] = ..., credits: _Optional[_Union[_common_pb2.Credits, _Mapping]] = ..., external_ids: _Optional[_Union[_common_pb2.ExternalIds, _Mapping]] = ..., images: _Optional[_Union[_common_pb2.ImageList, _Mapping]] = ..., translations: _Optional[_Union[_common_pb2.TranslationList, _Mapping]] = ..., videos: _Optional[_Union[_common_pb2.VideoList, _Mapping]] = ..., json_extra: _Optional[str] = ..., json_null: _Optional[_Iterable[int]] = ..., json_empty: _Optional[_Iterable[int]] = ...) -> None: ...

class CreatedBy(_message.Message):
    __slots__ = ("id", "credit_id", "name", "original_name", "gender", "profile_path", "json_extra", "json_null", "json_empty")
    ID_FIELD_NUMBER: _ClassVar[int]
    CREDIT_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    ORIGINAL_NAME_FIELD_NUMBER: _ClassVar[int]
    GENDER_FIELD_NUMBER: _ClassVar[int]
    PROFILE_PATH_FIELD_NUMBER: _ClassVar[int]
    JSON_EXTRA_FIELD_NUMBER: _ClassVar[int]
    JSON_NULL_FIELD_NUMBER: _ClassVar[int]
    JSON_EMPTY_FIELD_NUMBER: _ClassVar[int]
    id: int
    credit_id: str
    name: str
    original_name: str
    gender: int
    profile_path: str
    json_extra: str
    json_null: _containers.RepeatedScalarFieldContainer[int]
    json_empty: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, id: _Optional[int] = ..., credit_id: _Optional[str] = ..., name: _Optional[str] = ..., original_name: _Optional[str] = ..., gender: _Optional[int] = ..., profile_path: _Optional[str] = ..., json_extra: _Optional[str] = ..., json_null: _Optional[_Iterable[int]] = ..., json_empty: _Optional[_Iterable[int]] = ...) -> None: ...

class SeasonSummary(_message.Message):
    __slots__ = ("air_date", "episode_count", "id", "name", "overview", "poster_path", "season_number", "vote_average", "json_extra", "json_null", "json_empty")
    AIR_DATE_FIELD_NUMBER: _ClassVar[int]
    EPISODE_COUNT_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    OVERVIEW_FIELD_NUMBER: _ClassVar[int]
    POSTER_PATH_FIELD_NUMBER: _ClassVar[int]
    SEASON_NUMBER_FIELD_NUMBER: _ClassVar[int]
    VOTE_AVERAGE_FIELD_NUMBER: _ClassVar[int]
    JSON_EXTRA_FIELD_NUMBER: _ClassVar[int]
    JSON_NULL_FIELD_NUMBER: _ClassVar[int]
    JSON_EMPTY_FIELD_NUMBER: _ClassVar[int]
    air_date: str
    episode_count: int
    id: int
    name: str
    overview: str
    poster_path: str
    season_number: int
    vote_average: float
    json_extra: str
    json_null: _containers.RepeatedScalarFieldContainer[int]
    json_empty: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, air_date: _Optional[str] = ..., episode_count: _Optional[int] = ..., id: _Optional[int] = ..., name: _Optional[str] = ..., overview: _Optional[str] = ..., poster_path: _Optional[str] = ..., season_number: _Optional[int] = ..., vote_average: _Optional[float] = ..., json_extra: _Optional[str] = ..., json_null: _Optional[_Iterable[int]] = ..., json_empty: _Optional[_Iterable[int]] = ...) -> None: ...

class EpisodeSummary(_message.Message):
    __slots__ = ("air_date", "crew", "episode_number", "episode_type", "guest_stars", "id", "name", "overview", "production_code", "runtime", "season_number", "show_id", "still_path", "vote_average", "vote_count", "json_extra", "json_null", "json_empty")
    AIR_DATE_FIELD_NUMBER: _ClassVar[int]
    CREW_FIELD_NUMBER: _ClassVar[int]
    EPISODE_NUMBER_FIELD_NUMBER: _ClassVar[int]
    EPISODE_TYPE_FIELD_NUMBER: _ClassVar[int]
    GUEST_STARS_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    OVERVIEW_FIELD_NUMBER: _ClassVar[int]
    PRODUCTION_CODE_FIELD_NUMBER: _ClassVar[int]
    RUNTIME_FIELD_NUMBER: _ClassVar[int]
    SEASON_NUMBER_FIELD_NUMBER: _ClassVar[int]
    SHOW_ID_FIELD_NUMBER: _ClassVar[int]
    STILL_PATH_FIELD_NUMBER: _ClassVar[int]
    VOTE_AVERAGE_FIELD_NUMBER: _ClassVar[int]
    VOTE_COUNT_FIELD_NUMBER: _ClassVar[int]
    JSON_EXTRA_FIELD_NUMBER: _ClassVar[int]
    JSON_NULL_FIELD_NUMBER: _ClassVar[int]
    JSON_EMPTY_FIELD_NUMBER: _ClassVar[int]
    air_date: str
    crew: _containers.RepeatedCompositeFieldContainer[_common_pb2.CrewCredit]
    episode_number: int
    episode_type: str
    guest_stars: _containers.RepeatedCompositeFieldContainer[_common_pb2.CastCredit]
    id: int
    name: str
    overview: str
    production_code: str
    runtime: int
    season_number: int
    show_id: int
    still_path: str
    vote_average: float
    vote_count: int
    json_extra: str
    json_null: _containers.RepeatedScalarFieldContainer[int]
    json_empty: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, air_date: _Optional[str] = ..., crew: _Optional[_Iterable[_Union[_common_pb2.CrewCredit, _Mapping]]] = ..., episode_number: _Optional[int] = ..., episode_type: _Optional[str] = ..., guest_stars: _Optional[_Iterable[_Union[_common_pb2.CastCredit, _Mapping]]] = ..., id: _Optional[int] = ..., name: _Optional[str] = ..., overview: _Optional[str] = ..., production_code: _Optional[str] = ..., runtime: _Optional[int] = ..., season_number: _Optional[int] = ..., show_id: _Optional[int] = ..., still_path: _Optional[str] = ..., vote_average: _Optional[float] = ..., vote_count: _Optional[int] = ..., json_extra: _Optional[str] = ..., json_null: _Optional[_Iterable[int]] = ..., json_empty: _Optional[_Iterable[int]] = ...) -> None: ...

class ContentRating(_message.Message):
    __slots__ = ("descriptors", "iso_3166_1", "rating", "json_extra", "json_null", "json_empty")
    DESCRIPTORS_FIELD_NUMBER: _ClassVar[int]
    ISO_3166_1_FIELD_NUMBER: _ClassVar[int]
    RATING_FIELD_NUMBER: _ClassVar[int]
    JSON_EXTRA_FIELD_NUMBER: _ClassVar[int]
    JSON_NULL_FIELD_NUMBER: _ClassVar[int]
    JSON_EMPTY_FIELD_NUMBER: _ClassVar[int]
    descriptors: _containers.RepeatedScalarFieldContainer[str]
    iso_3166_1: str
    rating: str
    json_extra: str
    json_null: _containers.RepeatedScalarFieldContainer[int]
    json_empty: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, descriptors: _Optional[_Iterable[str]] = ..., iso_3166_1: _Optional[str] = ..., rating: _Optional[str] = ..., json_extra: _Optional[str] = ..., json_null: _Optional[_Iterable[int]] = ..., json_empty: _Optional[_Iterable[int]] = ...) -> None: ...

class ContentRatings(_message.Message):
    __slots__ = ("results", "json_extra", "json_null", "json_empty")
    RESULTS_FIELD_NUMBER: _ClassVar[int]
    JSON_EXTRA_FIELD_NUMBER: _ClassVar[int]
    JSON_NULL_FIELD_NUMBER: _ClassVar[int]
    JSON_EMPTY_FIELD_NUMBER: _ClassVar[int]
    results: _containers.RepeatedCompositeFieldContainer[ContentRating]
    json_extra: str
    json_null: _containers.RepeatedScalarFieldContainer[int]
    json_empty: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, results: _Optional[_Iterable[_Union[ContentRating, _Mapping]]] = ..., json_extra: _Optional[str] = ..., json_null: _Optional[_Iterable[int]] = ..., json_empty: _Optional[_Iterable[int]] = ...) -> None: ...

class EpisodeGroupSummary(_message.Message):
    __slots__ = ("description", "episode_count", "group_count", "id", "name", "network", "type", "json_extra", "json_null", "json_empty")
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    EPISODE_COUNT_FIELD_NUMBER: _ClassVar[int]
    GROUP_COUNT_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    NETWORK_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    JSON_EXTRA_FIELD_NUMBER: _ClassVar[int]
    JSON_NULL_FIELD_NUMBER: _ClassVar[int]
    JSON_EMPTY_FIELD_NUMBER: _ClassVar[int]
    description: str
    episode_count: int
    group_count: int
    id: str
    name: str
    network: _common_pb2.NetworkSummary
    type: int
    json_extra: str
    json_null: _containers.RepeatedScalarFieldContainer[int]
    json_empty: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, description: _Optional[str] = ..., episode_count: _Optional[int] = ..., group_count: _Optional[int] = ..., id: _Optional[str] = ..., name: _Optional[str] = ..., network: _Optional[_Union[_common_pb2.NetworkSummary, _Mapping]] = ..., type: _Optional[int] = ..., json_extra: _Optional[str] = ..., json_null: _Optional[_Iterable[int]] = ..., json_empty: _Optional[_Iterable[int]] = ...) -> None: ...

class EpisodeGroups(_message.Message):
    __slots__ = ("results", "json_extra", "json_null", "json_empty")
    RESULTS_FIELD_NUMBER: _ClassVar[int]
    JSON_EXTRA_FIELD_NUMBER: _ClassVar[int]
    JSON_NULL_FIELD_NUMBER: _ClassVar[int]
    JSON_EMPTY_FIELD_NUMBER: _ClassVar[int]
    results: _containers.RepeatedCompositeFieldContainer[EpisodeGroupSummary]
    json_extra: str
    json_null: _containers.RepeatedScalarFieldContainer[int]
    json_empty: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, results: _Optional[_Iterable[_Union[EpisodeGroupSummary, _Mapping]]] = ..., json_extra: _Optional[str] = ..., json_null: _Optional[_Iterable[int]] = ..., json_empty: _Optional[_Iterable[int]] = ...) -> None: ...

class ScreenedEpisode(_message.Message):
    __slots__ = ("id", "episode_number", "season_number", "json_extra", "json_null", "json_empty")
    ID_FIELD_NUMBER: _ClassVar[int]
    EPISODE_NUMBER_FIELD_NUMBER: _ClassVar[int]
    SEASON_NUMBER_FIELD_NUMBER: _ClassVar[int]
    JSON_EXTRA_FIELD_NUMBER: _ClassVar[int]
    JSON_NULL_FIELD_NUMBER: _ClassVar[int]
    JSON_EMPTY_FIELD_NUMBER: _ClassVar[int]
    id: int
    episode_number: int
    season_number: int
    json_extra: str
    json_null: _containers.RepeatedScalarFieldContainer[int]
    json_empty: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, id: _Optional[int] = ..., episode_number: _Optional[int] = ..., season_number: _Optional[int] = ..., json_extra: _Optional[str] = ..., json_null: _Optional[_Iterable[int]] = ..., json_empty: _Optional[_Iterable[int]] = ...) -> None: ...

class ScreenedTheatrically(_message.Message):
    __slots__ = ("results", "json_extra", "json_null", "json_empty")
    RESULTS_FIELD_NUMBER: _ClassVar[int]
    JSON_EXTRA_FIELD_NUMBER: _ClassVar[int]
    JSON_NULL_FIELD_NUMBER: _ClassVar[int]
    JSON_EMPTY_FIELD_NUMBER: _ClassVar[int]
    results: _containers.RepeatedCompositeFieldContainer[ScreenedEpisode]
    json_extra: str
    json_null: _containers.RepeatedScalarFieldContainer[int]
    json_empty: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, results: _Optional[_Iterable[_Union[ScreenedEpisode, _Mapping]]] = ..., json_extra: _Optional[str] = ..., json_null: _Optional[_Iterable[int]] = ..., json_empty: _Optional[_Iterable[int]] = ...) -> None: ...
