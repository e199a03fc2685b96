"""Build the AWS Lambda deployment zip: ``python3 dev.py package [--arch arm64|x86_64] --out DIR``.

One zip serves all three functions (``tmdb_collector.aws.handlers.{harvest,collect,compact}``):
the runtime dependencies at exactly uv.lock's versions, as wheels for CPython 3.12 on the chosen
architecture (no Docker: uv picks the wheels by target platform), less what the Lambda path never
loads, plus the project's own code and its bytecode. Lambda counts the unzipped size against a
250 MiB limit; the build fails above it. See docs/aws.md, "Packaging".

Writes DIR/tmdb-collector-lambda-{arch}.zip and, beside it, a .json manifest: sizes, the
distributions and their versions, what was left out and what was trimmed. The last one built is
also DIR/tmdb-collector-lambda.zip (and .json), the file infra/template.yaml deploys: deploy it
with the template's ``Architecture`` parameter set to the same architecture.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import tomllib
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_WHEEL_CACHE = ROOT / ".cache" / "lambda-wheels"
PYTHON_VERSION = "3.12"
#: The zip infra/template.yaml's CodeUri names: a copy of the last one built.
DEPLOYED = "tmdb-collector-lambda"
#: uv's target platform per Lambda architecture. Lambda's python3.12 runs on Amazon Linux 2023
#: (glibc 2.34), so any manylinux wheel up to 2_28 runs there. Asking uv for the platform (not
#: pip's single --platform tag) is what keeps obstore from falling back to 0.3.0: its newer
#: aarch64 wheels are tagged manylinux_2_24+, which a lone manylinux2014 tag never matches.
PLATFORMS = {"arm64": "aarch64-manylinux_2_28", "x86_64": "x86_64-manylinux_2_28"}
MACHINES = {"arm64": "aarch64", "x86_64": "x86_64"}
#: Lambda's quota: "250 MB" unzipped, which its error message spells as 262,144,000 bytes.
UNZIPPED_LIMIT = 250 * 1024 * 1024
#: Where Lambda unpacks the zip.
TASK_ROOT = "/var/task"
HANDLERS = tuple(
    f"tmdb_collector.aws.handlers.{name}" for name in ("harvest", "collect", "compact")
)

#: Runtime dependencies the Lambda path never imports, with what they only pull in.
LEFT_OUT = {
    "duckdb": "the index's SQL queries (CLI `query`); imported only inside them (60–66 MiB)",
    "rich": "terminal rendering for the CLI; Lambda logs JSON lines",
    "click": "the CLI",
}
#: Parts of our own package that cannot run without what is left out.
LEFT_OUT_OWN = ("cli", "__main__.py")


@dataclasses.dataclass(frozen=True)
class Trim:
    """Files removed from the installed wheels: glob patterns under the target, and why."""

    patterns: tuple[str, ...]
    reason: str


#: Nothing here is loaded by our code, and no binary that stays needs a binary removed (the
#: build checks every ELF file's DT_NEEDED entries). pyarrow keeps its core, compute, acero,
#: dataset, substrait (lib.so links all of them) and Parquet with its encryption module.
TRIMS = (
    Trim(
        ("pyarrow/libarrow_flight.so*", "pyarrow/libarrow_python_flight.so*", "pyarrow/_flight.*"),
        "pyarrow Flight RPC: never used",
    ),
    Trim(
        ("pyarrow/libarrow_s3.so*", "pyarrow/_s3fs.*", "pyarrow/_azurefs.*", "pyarrow/_gcsfs.*"),
        "pyarrow's cloud filesystems: obstore does S3; pyarrow.fs skips what is absent",
    ),
    Trim(("pyarrow/_hdfs.*", "pyarrow/_orc.*", "pyarrow/_dataset_orc.*"), "HDFS and ORC: unused"),
    Trim(("pyarrow/_pyarrow_cpp_tests.*", "pyarrow/tests"), "pyarrow's own tests"),
    Trim(
        ("pyarrow/include", "pyarrow/includes", "pyarrow/src", "pyarrow/**/*.pyx"),
        "headers, Cython and C++ sources: for building extensions, not running them",
    ),
    Trim(("pyarrow/**/*.pxd", "pyarrow/**/*.pxi"), "Cython declarations: build-time only"),
    Trim(
        ("pyarrow/libarrow_python*.so", "pyarrow/libarrow_python*.so.*.*.*"),
        "copies of libarrow_python*: wheels cannot hold symlinks; the loader wants only the "
        "soname (.so.NNNN)",
    ),
    Trim(
        ("zstandard/_cffi.*", "zstandard/backend_cffi.py"),
        "zstandard's CFFI backend: CPython loads the C backend, and cffi is not installed",
    ),
)


class PackagingError(Exception):
    """The artifact cannot be built as asked; the message says what to fix."""


@dataclasses.dataclass(frozen=True)
class Artifact:
    """What ``build`` wrote, as the manifest records it."""

    arch: str
    zip_path: Path
    unzipped_bytes: int
    zipped_bytes: int
    distributions: dict[str, str]
    distribution_bytes: dict[str, int]
    trimmed_bytes: dict[str, int]
    handlers: dict[str, bool]
    bytecode: str | None

    def manifest(self) -> dict[str, object]:
        fields = dataclasses.asdict(self)
        fields["zip_path"] = self.zip_path.name
        fields["python"] = PYTHON_VERSION
        fields["platform"] = PLATFORMS[self.arch]
        fields["unzipped_limit_bytes"] = UNZIPPED_LIMIT
        fields["left_out"] = LEFT_OUT
        return fields


def normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def locked_versions(lock: Path = ROOT / "uv.lock") -> dict[str, str]:
    """Every package's version in uv.lock (registry packages; the project itself has one too)."""
    packages = tomllib.loads(lock.read_text(encoding="utf-8"))["package"]
    return {normalize(p["name"]): p["version"] for p in packages if "version" in p}


def find_uv() -> Path:
    for candidate in (ROOT / ".venv-tools" / "bin" / "uv", shutil.which("uv")):
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    raise PackagingError("uv is not installed: run `python3 dev.py setup` first")


def find_python312() -> Path | None:
    """A CPython 3.12 on this machine (PATH, then pyenv), to compile bytecode and test imports."""
    on_path = shutil.which("python3.12")
    pyenv = sorted(Path.home().glob(".pyenv/versions/3.12*/bin/python3.12"), reverse=True)
    # PATH's python3.12 may be a pyenv shim that refuses to run: try each until one answers.
    for candidate in [*([Path(on_path)] if on_path else []), *pyenv]:
        check = [str(candidate), "-c", "import sys; assert sys.version_info[:2] == (3, 12)"]
        if _run(check, quiet=True).returncode == 0:
            return candidate
    return None


def _run(argv: list[str], *, quiet: bool = False) -> subprocess.CompletedProcess[str]:
    # Only our own tools (uv, python3.12) with arguments built here.
    return subprocess.run(argv, check=False, text=True, capture_output=quiet, cwd=ROOT)  # noqa: S603


def export_requirements(uv: Path, target: Path) -> None:
    """uv.lock's runtime dependencies as a hashed requirements file, less LEFT_OUT (and what only
    they need). --locked: fail rather than package a lock file that pyproject.toml outgrew."""
    prune = [arg for name in LEFT_OUT for arg in ("--prune", name)]
    argv = [str(uv), "export", "--locked", "--no-default-groups", "--no-emit-project", *prune]
    done = _run([*argv, "--quiet", "--output-file", str(target)], quiet=True)
    if done.returncode != 0:
        raise PackagingError(f"uv export failed:\n{done.stderr}")


def install_wheels(uv: Path, requirements: Path, target: Path, arch: str, cache: Path) -> None:
    """Install the pinned wheels for the target into ``target``, offline when the cache has them."""
    argv = [
        str(uv), "pip", "install", "--target", str(target), "--requirements", str(requirements),
        "--python-platform", PLATFORMS[arch], "--python-version", PYTHON_VERSION,
        "--only-binary", ":all:", "--no-deps", "--require-hashes",
        "--link-mode", "copy", "--no-compile", "--cache-dir", str(cache), "--quiet",
    ]  # fmt: skip
    # Offline first: a rerun with a warm cache touches no network at all.
    if _run([*argv, "--offline"], quiet=True).returncode == 0:
        return
    print(f"package: downloading wheels into {cache}", flush=True)
    shutil.rmtree(target, ignore_errors=True)
    done = _run(argv, quiet=True)
    if done.returncode != 0:
        raise PackagingError(f"uv pip install failed:\n{done.stderr}")


def installed_distributions(target: Path) -> dict[str, tuple[str, Path]]:
    """name → (version, dist-info folder) of every distribution installed in ``target``."""
    found: dict[str, tuple[str, Path]] = {}
    for info in sorted(target.glob("*.dist-info")):
        headers = _metadata(info / "METADATA")
        found[normalize(headers["Name"])] = (headers["Version"], info)
    return found


def _metadata(path: Path) -> dict[str, str]:
    headers: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            break  # the body (the long description) follows the first blank line
        key, _, value = line.partition(":")
        headers.setdefault(key.strip(), value.strip())
    return headers


def check_distributions(
    installed: dict[str, tuple[str, Path]], locked: dict[str, str], arch: str
) -> None:
    """Every distribution at uv.lock's version, for this Python and machine; none left out."""
    problems = []
    for name, (version, info) in installed.items():
        if name in LEFT_OUT:
            problems.append(f"{name} {version} is installed but must be left out")
        elif locked.get(name) != version:
            problems.append(f"{name} {version} resolved, but uv.lock has {locked.get(name)}")
        tags = [line[4:].strip() for line in _lines(info / "WHEEL") if line.startswith("Tag:")]
        if not any(_runs_here(tag, arch) for tag in tags):
            problems.append(f"{name} {version}: wheel tags {tags} do not fit cp312 on {arch}")
    if problems:
        listed = "\n  ".join(problems)
        raise PackagingError(f"resolved distributions differ from uv.lock:\n  {listed}")


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def _runs_here(tag: str, arch: str) -> bool:
    interpreters, abis, platforms = (part.split(".") for part in tag.split("-"))
    python_ok = any(i in {"py3", "cp312"} or re.fullmatch(r"cp3\d+", i) for i in interpreters)
    abi_ok = any(a in {"none", "abi3", "cp312"} for a in abis)
    machine = MACHINES[arch]
    platform_ok = any(
        p == "any" or (p.startswith("manylinux") and p.endswith(f"_{machine}")) for p in platforms
    )
    return python_ok and abi_ok and platform_ok


def trim(target: Path) -> tuple[dict[str, int], set[str]]:
    """Remove TRIMS from ``target``: bytes removed per reason, and the file names removed."""
    removed: dict[str, int] = {}
    names: set[str] = set()
    for rule in TRIMS:
        paths = {path for pattern in rule.patterns for path in target.glob(pattern)}
        for path in sorted(paths):
            if not path.exists():  # inside a folder removed already
                continue
            files = list(_files(path)) if path.is_dir() else [path]
            size = sum(f.stat().st_size for f in files)
            removed[rule.reason] = removed.get(rule.reason, 0) + size
            names.update(f.name for f in files)
            shutil.rmtree(path) if path.is_dir() else path.unlink()
    return removed, names


def _files(folder: Path) -> Iterator[Path]:
    return (path for path in folder.rglob("*") if path.is_file())


def check_linkage(target: Path, removed: set[str]) -> None:
    """Fail if a binary left in the artifact needs a library the trim removed."""
    broken = [
        f"{path.relative_to(target)} needs {needed}"
        for path in sorted(_files(target))
        for needed in elf_needed(path)
        if needed in removed
    ]
    if broken:
        raise PackagingError("the trim removed libraries still needed:\n  " + "\n  ".join(broken))


def elf_needed(path: Path) -> list[str]:
    """The DT_NEEDED entries of a 64-bit little-endian ELF file ([] for anything else): the
    shared libraries the loader will look for. Read here rather than with readelf, because the
    target's binaries (aarch64) need not match this machine's tools."""
    with path.open("rb") as file:
        ident = file.read(64)
        if len(ident) < 64 or ident[:4] != b"\x7fELF" or ident[4] != 2 or ident[5] != 1:
            return []
        (section_offset,) = struct.unpack_from("<Q", ident, 0x28)
        entry_size, count = struct.unpack_from("<HH", ident, 0x3A)
        file.seek(section_offset)
        table = file.read(entry_size * count)
        sections = [struct.unpack_from("<IIQQQQIIQQ", table, i * entry_size) for i in range(count)]
        dynamic = [s for s in sections if s[1] == 6]  # SHT_DYNAMIC
        if not dynamic:
            return []
        _, _, _, _, offset, size, link, _, _, _ = dynamic[0]
        strings = sections[link]
        file.seek(strings[4])
        names = file.read(strings[5])
        file.seek(offset)
        entries = file.read(size)
    needed = []
    for i in range(0, len(entries) - 15, 16):
        tag, value = struct.unpack_from("<qQ", entries, i)
        if tag == 0:  # DT_NULL ends the table
            break
        if tag == 1:  # DT_NEEDED
            needed.append(names[value : names.index(b"\0", value)].decode())
    return needed


def add_project(target: Path) -> None:
    """Our package from src/ (not the tests), less LEFT_OUT_OWN, with the dist-info that
    ``importlib.metadata.version("tmdb-collector")`` reads."""
    source = ROOT / "src" / "tmdb_collector"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", *LEFT_OUT_OWN)
    shutil.copytree(source, target / "tmdb_collector", ignore=ignore)
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    info = target / f"tmdb_collector-{project['version']}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {project['name']}\nVersion: {project['version']}\n",
        encoding="utf-8",
    )


def compile_bytecode(target: Path) -> str | None:
    """Compile every module with CPython 3.12 ahead of time: /var/task is read-only on Lambda, so
    without .pyc files every cold start compiles all it imports again. Unchecked hashes: the
    artifact never changes, and its files' times are not preserved anyway."""
    python = find_python312()
    if python is None:
        print(
            "package: warning: no python3.12 found; the artifact has no bytecode, so every cold "
            "start compiles what it imports",
            file=sys.stderr,
        )
        return None
    # Paths in the bytecode as Lambda will see them (/var/task), not this build's folder: the
    # tracebacks read right, and two builds give the same bytes.
    argv = [str(python), "-m", "compileall", "-q", "-j", "0", "-s", str(target), "-p", TASK_ROOT]
    done = _run([*argv, "--invalidation-mode", "unchecked-hash", str(target)], quiet=True)
    if done.returncode != 0:
        raise PackagingError(f"compiling bytecode failed:\n{done.stdout}{done.stderr}")
    return _run([str(python), "--version"], quiet=True).stdout.strip()


def write_zip(tree: Path, destination: Path) -> None:
    """A reproducible zip: sorted entries, one fixed time, permissions Lambda can read (its
    runtime user does not own the files), written under a temporary name, then renamed."""
    partial = destination.with_name(destination.name + ".partial")
    with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(_files(tree)):
            entry = zipfile.ZipInfo(path.relative_to(tree).as_posix(), (1980, 1, 1, 0, 0, 0))
            mode = 0o755 if path.stat().st_mode & 0o111 else 0o644
            entry.external_attr = (0o100000 | mode) << 16
            entry.compress_type = zipfile.ZIP_DEFLATED
            with path.open("rb") as source, archive.open(entry, "w") as sink:
                shutil.copyfileobj(source, sink, 1 << 20)
    partial.replace(destination)


def distribution_bytes(tree: Path, installed: dict[str, tuple[str, Path]]) -> dict[str, int]:
    """Unzipped bytes per distribution (from its RECORD, as trimmed and compiled), largest first."""
    sizes = {}
    for name, (_, info) in installed.items():
        record = info / "RECORD"
        paths = [line.split(",")[0] for line in _lines(record)] if record.exists() else []
        roots = {Path(p).parts[0] for p in paths if not p.startswith("..")}
        sizes[name] = sum(
            f.stat().st_size
            for root in roots
            for f in ([tree / root] if (tree / root).is_file() else _files(tree / root))
            if f.exists()
        )
    sizes["tmdb-collector"] = sum(f.stat().st_size for f in _files(tree / "tmdb_collector"))
    return dict(sorted(sizes.items(), key=lambda item: -item[1]))


def build(arch: str, out: Path, cache: Path = DEFAULT_WHEEL_CACHE) -> Artifact:
    uv = find_uv()
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="lambda-build-", dir=out) as work:
        requirements, tree = Path(work) / "requirements.txt", Path(work) / "tree"
        export_requirements(uv, requirements)
        install_wheels(uv, requirements, tree, arch, cache)
        installed = installed_distributions(tree)
        check_distributions(installed, locked_versions(), arch)
        trimmed, removed = trim(tree)
        check_linkage(tree, removed)
        add_project(tree)
        bytecode = compile_bytecode(tree)
        handlers = {name: _module_file(tree, name) is not None for name in HANDLERS}
        zip_path = out / f"tmdb-collector-lambda-{arch}.zip"
        write_zip(tree, zip_path)
        artifact = Artifact(
            arch=arch,
            zip_path=zip_path,
            unzipped_bytes=sum(f.stat().st_size for f in _files(tree)),
            zipped_bytes=zip_path.stat().st_size,
            distributions={name: version for name, (version, _) in installed.items()},
            distribution_bytes=distribution_bytes(tree, installed),
            trimmed_bytes=trimmed,
            handlers=handlers,
            bytecode=bytecode,
        )
    manifest = zip_path.with_suffix(".json")
    manifest.write_text(json.dumps(artifact.manifest(), indent=2) + "\n", encoding="utf-8")
    # What the template deploys, whichever architecture: replaced whole, never half-copied.
    for built in (zip_path, manifest):
        deployed = out / f"{DEPLOYED}{built.suffix}"
        staged = deployed.with_name(f".{deployed.name}.partial")
        shutil.copyfile(built, staged)
        staged.replace(deployed)
    return artifact


def _module_file(tree: Path, module: str) -> Path | None:
    base = tree.joinpath(*module.split("."))
    return next((p for p in (base.with_suffix(".py"), base / "__init__.py") if p.is_file()), None)


def report(artifact: Artifact) -> Iterable[str]:
    mib = 1024 * 1024
    target = f"{artifact.arch}, CPython {PYTHON_VERSION}, {PLATFORMS[artifact.arch]}"
    yield f"{artifact.zip_path}  ({target})"
    yield (
        f"  deployed by infra/template.yaml as {artifact.zip_path.with_name(DEPLOYED + '.zip')}: "
        f"sam deploy --parameter-overrides Architecture={artifact.arch}"
    )
    limit = f"limit {UNZIPPED_LIMIT / mib:.0f} MiB"
    yield f"  unzipped {artifact.unzipped_bytes / mib:7.1f} MiB  ({limit})"
    yield f"  zipped   {artifact.zipped_bytes / mib:7.1f} MiB"
    yield f"  bytecode {artifact.bytecode or 'none (no python3.12 found)'}"
    yield "  distributions (uv.lock's versions; unzipped size):"
    for name, size in artifact.distribution_bytes.items():
        version = artifact.distributions.get(name, "(this project)")
        yield f"    {name:<20} {version:<16} {size / mib:7.1f} MiB"
    yield "  left out: " + ", ".join(LEFT_OUT) + ", and our cli/"
    yield "  trimmed:"
    for reason, size in artifact.trimmed_bytes.items():
        yield f"    {size / mib:6.1f} MiB  {reason}"
    for handler, present in artifact.handlers.items():
        yield f"  handler {handler}: {'present' if present else 'MISSING'}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--arch", choices=sorted(PLATFORMS), default="arm64")
    parser.add_argument("--out", type=Path, required=True, help="folder for the zip and manifest")
    parser.add_argument(
        "--wheel-cache", type=Path, default=DEFAULT_WHEEL_CACHE, help="uv's cache of wheels"
    )
    args = parser.parse_args(argv)
    try:
        artifact = build(args.arch, args.out.resolve(), args.wheel_cache.resolve())
    except PackagingError as error:
        print(f"package: {error}", file=sys.stderr)
        return 1
    print("\n".join(report(artifact)))
    if artifact.unzipped_bytes > UNZIPPED_LIMIT:
        mib = artifact.unzipped_bytes / 1024 / 1024
        print(f"package: {mib:.1f} MiB unzipped is above Lambda's 250 MiB", file=sys.stderr)
        return 1
    if not all(artifact.handlers.values()):
        print("package: a handler module is missing from the artifact", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
