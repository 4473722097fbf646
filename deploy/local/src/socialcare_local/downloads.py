"""Java runtimes from Maven Central: one pom per server, jars copied into the cache."""

import hashlib
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from socialcare_local.paths import MAVEN_DIR, LocalPaths

_TRANSFER = re.compile(
    r"Download(?P<done>ed|ing) from \S+: \S+/(?P<file>[^/\s]+)"
    r"(?: \((?P<size>[\d.]+) (?P<unit>[kMG]?B))?"
)
_UNITS = {"B": 1, "kB": 1_000, "MB": 1_000_000, "GB": 1_000_000_000}


@dataclass(frozen=True)
class JarSet:
    """The jars one server needs, described by ``deploy/local/maven/<name>/pom.xml``."""

    name: str

    @property
    def pom(self) -> Path:
        return MAVEN_DIR / self.name / "pom.xml"

    def lib_dir(self, paths: LocalPaths) -> Path:
        """Keyed by the pom's content: editing a version downloads into a fresh folder."""
        digest = hashlib.sha256(self.pom.read_bytes()).hexdigest()[:12]
        return paths.cache / "jars" / f"{self.name}-{digest}"

    def is_complete(self, paths: LocalPaths) -> bool:
        return (self.lib_dir(paths) / ".complete").exists()


KAFKA_JARS = JarSet("kafka")
MONGO_JARS = JarSet("mongo")


@dataclass(frozen=True)
class Transfer:
    """One line of Maven's transfer log."""

    finished: bool
    file: str
    size_bytes: int


def parse_transfer(line: str) -> Transfer | None:
    """Reads a 'Downloading from' / 'Downloaded from' line; None for any other line."""
    match = _TRANSFER.search(line)
    if match is None:
        return None
    size = 0
    if match["size"]:
        size = int(float(match["size"]) * _UNITS[match["unit"]])
    return Transfer(finished=match["done"] == "ed", file=match["file"], size_bytes=size)


def require_tools() -> None:
    """Fails early with the install hint when Java or Maven is missing."""
    missing = [tool for tool in ("java", "mvn") if shutil.which(tool) is None]
    if missing:
        raise RuntimeError(
            f"{' and '.join(missing)} not found: install a JDK 17+ and Maven "
            "(Debian: apt-get install openjdk-17-jdk-headless maven)"
        )


def fetch(paths: LocalPaths, jars: JarSet, progress: Progress) -> Path:
    """Copies the pom's dependencies into the cache unless already there; returns the folder."""
    lib = jars.lib_dir(paths)
    if jars.is_complete(paths):
        return lib
    partial = lib.with_name(lib.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    task = progress.add_task(f"{jars.name}: resolving", total=None, mb=0.0)
    command = [
        "mvn", "-B", "-Dstyle.color=never", "-f", str(jars.pom),
        f"-Dmaven.repo.local={paths.maven_repo}",
        "dependency:copy-dependencies", f"-DoutputDirectory={partial}",
    ]
    output: list[str] = []
    downloaded = 0
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        cwd=jars.pom.parent,
    ) as mvn:
        assert mvn.stdout is not None
        for line in mvn.stdout:
            output.append(line)
            transfer = parse_transfer(line)
            if transfer is None:
                continue
            if transfer.finished:
                downloaded += transfer.size_bytes
                progress.update(task, advance=1, mb=downloaded / 1e6)
            else:
                progress.update(task, description=f"{jars.name}: {transfer.file}")
    if mvn.returncode != 0:
        progress.update(task, description=f"{jars.name}: failed")
        raise RuntimeError(f"maven could not fetch {jars.name}:\n{''.join(output[-30:])}")
    (partial / ".complete").write_text(f"{jars.pom}\n")
    shutil.rmtree(lib, ignore_errors=True)
    partial.rename(lib)
    progress.update(task, description=f"{jars.name}: ready")
    return lib


def fetch_missing(paths: LocalPaths, sets: list[JarSet]) -> dict[str, Path]:
    """Fetches the jar sets not in the cache yet, with a progress display; name -> folder."""
    todo = [jars for jars in sets if not jars.is_complete(paths)]
    if todo:
        require_tools()
        columns = (
            SpinnerColumn(), TextColumn("[bold]{task.description}"),
            TextColumn("{task.completed} files, {task.fields[mb]:.1f} MB"), TimeElapsedColumn(),
        )
        with Progress(*columns) as progress:
            for jars in todo:
                fetch(paths, jars, progress)
    return {jars.name: jars.lib_dir(paths) for jars in sets}
