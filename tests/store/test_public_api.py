import inspect

from tmdb_collector import store


def test_every_public_name_comes_from_the_package_with_a_docstring() -> None:
    for name in store.__all__:
        member = getattr(store, name)
        if inspect.isclass(member) or inspect.isfunction(member):
            # The error root\'s classes are re-exported where they belong.
            assert member.__module__.startswith(
                ("tmdb_collector.store._", "tmdb_collector.errors")
            ), name
            assert inspect.getdoc(member), name


def test_nothing_private_leaks() -> None:
    public = {name for name in vars(store) if not name.startswith("_")}
    assert public == set(store.__all__)
