import inspect

from tmdb_collector import observe


def test_every_public_name_comes_from_the_package_with_a_docstring() -> None:
    for name in observe.__all__:
        member = getattr(observe, name)
        if inspect.isclass(member) or inspect.isfunction(member):
            assert member.__module__.startswith("tmdb_collector.observe._"), name
            assert inspect.getdoc(member), name


def test_nothing_private_leaks() -> None:
    public = {name for name in vars(observe) if not name.startswith("_")}
    assert public == set(observe.__all__)
