"""build/lambda.zip: what a turn loads, for the template's runtime (Python 3.12 on arm64).

The zip holds the runtime package `skill` as pip would install it (its modules and package
data, as pyproject.toml lists them), less the self-hosting adapters that never run on
Lambda, and the runtime's third-party dependencies that a turn imports, installed by pip
for the target platform, less what the Lambda Python runtime already provides. Bytecode is
compiled by an interpreter of the target version, because Lambda's file system is
read-only. tests/test_package.py runs the unzipped bundle and checks that it imports every
top-level package it holds, and nothing else.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from dataclasses import dataclass
from importlib.metadata import Distribution, distributions
from pathlib import Path


def find_checkout(start: Path | None = None) -> Path:
    """The Stagewise checkout to package: the current directory (or a parent), else ours."""
    here = (start or Path.cwd()).resolve()
    for candidate in (here, *here.parents, Path(__file__).resolve().parents[2]):
        if (candidate / "lambda" / "lambda_function.py").is_file() and (
            candidate / "interaction_model" / "en-US.json"
        ).is_file():
            return candidate
    raise ValueError("run stagewise package inside a Stagewise checkout (git clone)")


ROOT = Path(__file__).resolve().parents[2]

# One place for the target: lambda/template.yaml must agree (tests/test_template.py).
LAMBDA_PYTHON = "3.12"
LAMBDA_RUNTIME = f"python{LAMBDA_PYTHON}"
LAMBDA_ARCHITECTURE = "arm64"
PLATFORMS = {"arm64": "manylinux2014_aarch64", "x86_64": "manylinux2014_x86_64"}
HANDLER = "lambda_function.lambda_handler"

# In the Lambda Python runtime already (AWS: "Runtime-included SDK versions"): boto3 and
# what it depends on. Shipping them again would only add megabytes.
# Names as PEP 503 normalizes them.
PROVIDED_BY_LAMBDA = frozenset(
    {"boto3", "botocore", "s3transfer", "jmespath", "python-dateutil", "six", "urllib3"}
)

# Declared dependencies that no Lambda turn imports, with what pulls them in. ask-sdk-core
# declares requests for its DefaultApiClient, which Stagewise replaces with its own client
# (skill/alexa_api.py, urllib with a timeout); charset-normalizer, idna and certifi come only
# with requests. platformdirs picks a SQLite file when STAGEWISE_STORE is unset, and the
# template always sets it (skill/config.py imports it only then).
NOT_IMPORTED_ON_LAMBDA = frozenset({"requests", "platformdirs"})

RUNTIME_PACKAGE = "skill"
# The self-hosting adapters of the runtime package, which never run on Lambda: the web
# endpoint (Flask and request verification, `stagewise serve`) and the SQLite store (the
# template sets STAGEWISE_STORE=dynamodb://...; skill.store.connect imports a store only
# when its URL names it). Paths inside the package, a folder or a module.
NOT_ON_LAMBDA = ("web", "store/sqlite.py")


def canonicalize_name(name: str) -> str:
    """A distribution's normalized name (PEP 503): python_dateutil == python-dateutil."""
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_name(spec: str) -> str:
    match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", spec)
    if not match:
        raise ValueError(f"cannot read a requirement: {spec!r}")
    return canonicalize_name(match.group(1))


@dataclass(frozen=True)
class Target:
    python: str = LAMBDA_PYTHON
    architecture: str = LAMBDA_ARCHITECTURE

    @property
    def platform(self) -> str:
        return PLATFORMS[self.architecture]


@dataclass(frozen=True)
class Bundle:
    zip_path: Path
    folder: Path
    compiled_with: str | None  # the interpreter that wrote the .pyc files, if one was found

    def largest(self, count: int = 6) -> list[tuple[str, int]]:
        """The biggest top-level items in the zip, compressed bytes."""
        sizes: dict[str, int] = {}
        with zipfile.ZipFile(self.zip_path) as archive:
            for info in archive.infolist():
                top = info.filename.split("/")[0]
                sizes[top] = sizes.get(top, 0) + info.compress_size
        return sorted(sizes.items(), key=lambda item: -item[1])[:count]


def runtime_requirements(root: Path = ROOT) -> list[str]:
    """The project's dependencies (pyproject.toml) a Lambda turn needs shipped with it."""
    project = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    left_out = PROVIDED_BY_LAMBDA | NOT_IMPORTED_ON_LAMBDA
    return [spec for spec in project["dependencies"] if requirement_name(spec) not in left_out]


def build_bundle(
    out: Path,
    target: Target = Target(),
    python: str | None = None,
    root: Path = ROOT,
) -> Bundle:
    """Write out/lambda/ (the unzipped bundle, for the ASK CLI) and out/lambda.zip."""
    folder = out / "lambda"
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    _install_dependencies(folder, target, root)
    _copy_skill(folder, root)
    shutil.copy2(root / "lambda" / "lambda_function.py", folder / "lambda_function.py")
    compiler = find_interpreter(target.python, python)
    if compiler:
        subprocess.run(
            [compiler, "-W", "ignore", "-m", "compileall", "-q", "-j", "0"]
            + ["--invalidation-mode", "unchecked-hash", str(folder)],
            check=True,
            timeout=300,
        )
    zip_path = out / "lambda.zip"
    _zip(folder, zip_path)
    return Bundle(zip_path=zip_path, folder=folder, compiled_with=compiler)


def _install_dependencies(folder: Path, target: Target, root: Path) -> None:
    command = [sys.executable, "-m", "pip", "install", "--quiet", "--no-compile"]
    command += ["--disable-pip-version-check", "--no-warn-conflicts", "--target", str(folder)]
    command += ["--platform", target.platform, "--implementation", "cp"]
    command += ["--python-version", target.python, "--only-binary=:all:"]
    subprocess.run(command + runtime_requirements(root), check=True, timeout=600)
    installed = {
        canonicalize_name(d.metadata["Name"]): d for d in distributions(path=[str(folder)])
    }
    needed = _closure([requirement_name(r) for r in runtime_requirements(root)], installed)
    for name, dist in installed.items():
        if name not in needed:  # provided by Lambda, or only needed by what Lambda provides
            for file in dist.files or ():
                path = folder / file
                if path.is_file():
                    path.unlink()
    shutil.rmtree(folder / "bin", ignore_errors=True)  # console scripts: nothing runs them
    for directory in sorted(folder.rglob("*"), key=lambda p: -len(p.parts)):
        if directory.is_dir() and not any(directory.iterdir()):
            directory.rmdir()


def _closure(names: list[str], installed: dict[str, Distribution]) -> set[str]:
    """Distributions reachable from `names` without passing through what is left out:
    what Lambda provides, and what no turn imports (with what only they pull in)."""
    left_out = PROVIDED_BY_LAMBDA | NOT_IMPORTED_ON_LAMBDA
    needed: set[str] = set()
    pending = [n for n in names if n not in left_out]
    while pending:
        name = pending.pop()
        if name in needed or name not in installed:
            continue
        needed.add(name)
        for spec in installed[name].requires or ():
            if "extra ==" in spec.replace('"', "").replace("'", ""):
                continue  # an optional extra nobody asked for
            dependency = requirement_name(spec)
            if dependency not in left_out:
                pending.append(dependency)
    return needed


def runtime_files(root: Path = ROOT) -> list[Path]:
    """The runtime package's files as pip installs them (pyproject.toml), less NOT_ON_LAMBDA."""
    setuptools = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["tool"]
    setuptools = setuptools["setuptools"]
    runtime = [
        name
        for name in setuptools["packages"]
        if name == RUNTIME_PACKAGE or name.startswith(f"{RUNTIME_PACKAGE}.")
    ]
    files: set[Path] = set()
    for package in runtime:
        folder = root.joinpath(*package.split("."))
        files.update(folder.glob("*.py"))
        for pattern in setuptools.get("package-data", {}).get(package, ()):
            files.update(p for p in folder.glob(pattern) if p.is_file())
    excluded = [root / RUNTIME_PACKAGE / name for name in NOT_ON_LAMBDA]
    return sorted(f for f in files if not any(f == e or e in f.parents for e in excluded))


def _copy_skill(folder: Path, root: Path) -> None:
    for source in runtime_files(root):
        destination = folder / source.relative_to(root)
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source.resolve(), destination)  # follows the audio manifest's symlink


def find_interpreter(version: str, preferred: str | None = None) -> str | None:
    """A Python of exactly `version` to compile bytecode with, or None if there is none."""
    candidates = [preferred] if preferred else [sys.executable, f"python{version}"]
    if not preferred:  # pyenv installs that are not on PATH
        pyenv = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv") / "versions"
        candidates += [str(p) for p in sorted(pyenv.glob(f"{version}*/bin/python{version}"))]
    for candidate in candidates:
        path = shutil.which(candidate) if candidate else None
        if not path:
            continue
        try:
            reply = subprocess.run(
                [path, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
                capture_output=True,
                text=True,
                timeout=30,
            )
        except (OSError, subprocess.TimeoutExpired):
            continue
        if reply.returncode == 0 and reply.stdout.strip() == version:
            return path
    if preferred:
        raise ValueError(f"{preferred} is not Python {version}")
    return None


def _zip(folder: Path, zip_path: Path) -> None:
    zip_path.unlink(missing_ok=True)
    with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(folder).as_posix())
