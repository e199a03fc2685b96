"""The packager's checks, without building anything: what must stop a Lambda build does."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyarrow.lib
import pytest

from lambda_package.conftest import packager

LOCKED = {"obstore": "0.12.1", "six": "1.17.0"}
ARM_WHEEL = "cp312-cp312-manylinux_2_17_aarch64.manylinux2014_aarch64"


def _installed(target: Path, name: str, version: str, tag: str) -> None:
    info = target / f"{name}-{version}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
    (info / "WHEEL").write_text(f"Wheel-Version: 1.0\nTag: {tag}\n")


def _check(target: Path, arch: str = "arm64") -> None:
    installed = packager.installed_distributions(target)
    packager.check_distributions(installed, LOCKED, arch)


def test_every_distribution_locked_and_for_python312(tmp_path: Path) -> None:
    _installed(tmp_path, "obstore", "0.12.1", ARM_WHEEL)
    _installed(tmp_path, "six", "1.17.0", "py2-none-any")
    _installed(tmp_path, "six-copy", "1.17.0", "py2.py3-none-any")  # not in uv.lock
    with pytest.raises(packager.PackagingError, match=r"six-copy 1\.17\.0 resolved, but uv\.lock"):
        _check(tmp_path)
    shutil.rmtree(tmp_path / "six-copy-1.17.0.dist-info")
    with pytest.raises(packager.PackagingError, match=r"six 1.17.0: wheel tags \['py2-none-any'\]"):
        _check(tmp_path)  # a Python 2 only wheel does not run on 3.12
    shutil.rmtree(tmp_path / "six-1.17.0.dist-info")
    _installed(tmp_path, "six", "1.17.0", "py2.py3-none-any")
    _check(tmp_path)


def test_an_older_obstore_fails_loudly(tmp_path: Path) -> None:
    # The trap of `pip download --platform manylinux2014_aarch64` alone.
    _installed(tmp_path, "obstore", "0.3.0", "cp312-cp312-manylinux_2_17_aarch64")
    with pytest.raises(
        packager.PackagingError, match=r"obstore 0.3.0 resolved, but uv.lock has 0.12.1"
    ):
        _check(tmp_path)


def test_a_wheel_for_the_other_machine_fails(tmp_path: Path) -> None:
    _installed(tmp_path, "obstore", "0.12.1", "cp312-cp312-manylinux_2_28_x86_64")
    with pytest.raises(packager.PackagingError, match="do not fit cp312 on arm64"):
        _check(tmp_path)
    _check(tmp_path, "x86_64")


def test_a_left_out_distribution_fails(tmp_path: Path) -> None:
    _installed(tmp_path, "duckdb", "2.0.0", "cp312-abi3-manylinux_2_28_aarch64")
    with pytest.raises(
        packager.PackagingError, match=r"duckdb 2\.0\.0 is installed but must be left"
    ):
        _check(tmp_path)


def test_a_trimmed_library_still_needed_fails(tmp_path: Path) -> None:
    binary = Path(pyarrow.lib.__file__)
    needed = packager.elf_needed(binary)
    libarrow = next(name for name in needed if name.startswith("libarrow.so."))
    shutil.copy(binary, tmp_path / binary.name)
    packager.check_linkage(tmp_path, {"libarrow_flight.so.1"})
    with pytest.raises(packager.PackagingError, match=f"{binary.name} needs {libarrow}"):
        packager.check_linkage(tmp_path, {libarrow})


def test_elf_needed_ignores_what_is_not_an_elf_file(tmp_path: Path) -> None:
    (tmp_path / "module.py").write_text("x = 1\n")
    assert packager.elf_needed(tmp_path / "module.py") == []
