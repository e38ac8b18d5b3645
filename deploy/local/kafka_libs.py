"""Materialises the Kafka broker jars from Maven Central into a per-version cache, once."""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

# Must equal <kafka.version> in pom.xml; kafka_version_in_pom() lets a test hold that line.
KAFKA_VERSION = "4.3.1"

POM = Path(__file__).with_name("pom.xml")


def kafka_version_in_pom(pom: Path = POM) -> str:
    """The <kafka.version> property of the pom."""
    found = re.search(r"<kafka\.version>([^<]+)</kafka\.version>", pom.read_text())
    if found is None:
        raise RuntimeError(f"{pom} has no <kafka.version> property")
    return found.group(1).strip()


def cache_dir() -> Path:
    """Where this Kafka version's jars live: $CPPCC_CACHE_DIR or ~/.cache/cppcc."""
    root = Path(os.environ.get("CPPCC_CACHE_DIR") or "~/.cache/cppcc").expanduser()
    return root / f"kafka-{KAFKA_VERSION}"


def ensure_kafka_libs() -> Path:
    """The directory holding every broker jar, running Maven only when the cache is stale."""
    if kafka_version_in_pom() != KAFKA_VERSION:
        raise RuntimeError(f"pom.xml and KAFKA_VERSION={KAFKA_VERSION} disagree; align them")
    cache = cache_dir()
    libs, stamp = cache / "libs", cache / "libs.complete"
    # The stamp holds the pom's hash, so editing the pom (say, a log4j bump) refreshes the jars.
    wanted = hashlib.sha256(POM.read_bytes()).hexdigest()
    with _locked(cache):
        if libs.is_dir() and stamp.is_file() and stamp.read_text().strip() == wanted:
            return libs
        _copy_dependencies_into(libs)
        stamp.write_text(wanted + "\n")
    return libs


@contextlib.contextmanager
def _locked(cache: Path) -> Iterator[None]:
    # Two test processes may start at once; only one of them should run Maven.
    cache.mkdir(parents=True, exist_ok=True)
    with (cache / ".lock").open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def _copy_dependencies_into(libs: Path) -> None:
    mvn = shutil.which("mvn")
    if mvn is None:
        raise RuntimeError("Maven (mvn) is not on PATH; it is needed once to fetch Kafka jars")
    # Fill a scratch directory and swap it in, so an interrupted run never leaves half a set.
    scratch = libs.with_name(f"libs.tmp-{os.getpid()}")
    shutil.rmtree(scratch, ignore_errors=True)
    command = [mvn, "-B", "-q", "-f", str(POM), "dependency:copy-dependencies"]
    command += ["-DincludeScope=runtime", f"-DoutputDirectory={scratch}"]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0 or not any(scratch.glob("kafka_2.13-*.jar")):
        shutil.rmtree(scratch, ignore_errors=True)
        output = (done.stdout + done.stderr)[-4000:]
        raise RuntimeError(f"mvn dependency:copy-dependencies failed:\n{output}")
    old = libs.with_name(f"libs.old-{os.getpid()}")
    if libs.exists():
        libs.rename(old)
    scratch.rename(libs)
    shutil.rmtree(old, ignore_errors=True)
