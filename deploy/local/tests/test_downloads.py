"""Reading Maven's transfer log for the download progress display."""

import pytest

from socialcare_local.downloads import Transfer, parse_transfer

pytestmark = pytest.mark.unit

CENTRAL = "https://repo.maven.apache.org/maven2"


def test_a_finished_download_counts_its_size() -> None:
    line = f"[INFO] Downloaded from central: {CENTRAL}/org/x/x/2.6/x-2.6.jar (284 kB at 3.5 MB/s)"

    assert parse_transfer(line) == Transfer(finished=True, file="x-2.6.jar", size_bytes=284_000)


def test_a_started_download_names_the_file() -> None:
    line = f"[INFO] Downloading from central: {CENTRAL}/org/x/x/1.1/x-1.1.pom"

    assert parse_transfer(line) == Transfer(finished=False, file="x-1.1.pom", size_bytes=0)


def test_other_lines_are_ignored() -> None:
    assert parse_transfer("[INFO] Copying h2-2.3.232.jar to /cache/jars/h2-2.3.232.jar") is None
