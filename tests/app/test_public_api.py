import inspect

import pytest

from tmdb_collector import app, config, errors

#: What the pipeline's packages define and app hands on to the surfaces, which import nothing
#: but app (tests/test_surface_imports.py): the values they print and the event they parse.
REEXPORTED = {
    "tmdb_collector.app": {
        "HarvestReport",
        "StoredRecord",
        "VersionInfo",
        "iso_time",
        "sqs_event_messages",
    }
}


@pytest.mark.parametrize("package", [app, config])
def test_every_public_name_comes_from_the_package_with_a_docstring(package: object) -> None:
    name_of = package.__name__  # type: ignore[attr-defined]
    for name in package.__all__:  # type: ignore[attr-defined]
        member = getattr(package, name)  # loads app's lazily imported use cases too
        if name in REEXPORTED.get(name_of, ()):
            assert inspect.getdoc(member), name
            continue
        if inspect.isclass(member) or inspect.isfunction(member):
            assert member.__module__.startswith(f"{name_of}._"), name
            assert inspect.getdoc(member), name


@pytest.mark.parametrize("package", [app, config, errors])
def test_nothing_private_leaks(package: object) -> None:
    public = {name for name in vars(package) if not name.startswith("_")}
    # Module-level imports: errors.py's Enum; app's lazy loading of its use cases.
    imported = {"annotations", "Enum", "TYPE_CHECKING", "Any", "importlib"}
    assert public - imported == set(package.__all__)  # type: ignore[attr-defined]
