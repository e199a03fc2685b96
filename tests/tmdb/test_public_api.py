import inspect

from tmdb_collector import tmdb


def test_every_public_name_comes_from_the_package_with_a_docstring() -> None:
    for name in tmdb.__all__:
        member = getattr(tmdb, name)
        if inspect.isclass(member) or inspect.isfunction(member):
            # The error root\'s classes are re-exported where they belong.
            assert member.__module__.startswith(
                ("tmdb_collector.tmdb._", "tmdb_collector.errors")
            ), name
            assert inspect.getdoc(member), name


def test_nothing_private_leaks() -> None:
    public = {name for name in vars(tmdb) if not name.startswith("_")}
    assert public == set(tmdb.__all__)
