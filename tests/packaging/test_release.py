"""A release is one version everywhere, and the release targets make what they say.

operator/pyproject.toml holds the version; the package, the chart (its folder and `make chart`'s
archive), the image (`make image`) and the SBOM (`make sbom`) all say the same."""

from __future__ import annotations

import json
import re
import subprocess
import tarfile
import tomllib
from pathlib import Path

import pytest
import yaml

import ddisync

ROOT = Path(__file__).resolve().parents[2]


def _version() -> str:
    project = tomllib.loads((ROOT / "operator" / "pyproject.toml").read_text())["project"]
    version: str = project["version"]
    return version


def _make(*args: str) -> str:
    done = subprocess.run(
        ["make", "--no-print-directory", *args], cwd=ROOT, capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_the_package_and_the_chart_say_the_pyproject_version() -> None:
    version = _version()
    assert ddisync.__version__ == version
    chart = yaml.safe_load((ROOT / "charts" / "ddisync" / "Chart.yaml").read_text())
    assert chart["version"] == chart["appVersion"] == version


def test_the_image_is_built_tagged_and_labelled_with_the_version() -> None:
    build = _make("-n", "image").strip()
    version = _version()
    assert build == (
        f"docker build --build-arg VERSION={version} -t ghcr.io/ddisync/ddisync:{version} ."
    )
    dockerfile = (ROOT / "Dockerfile").read_text()
    final_stage = dockerfile.rsplit("\nFROM ", 1)[1]
    assert "ARG VERSION\n" in final_stage
    assert 'org.opencontainers.image.version="${VERSION}"' in final_stage
    assert "COPY LICENSE " in final_stage
    assert re.search(r"^!LICENSE$", (ROOT / ".dockerignore").read_text(), re.M)


def test_make_chart_packages_the_chart_with_the_version(tmp_path: Path) -> None:
    _make("chart", f"DIST={tmp_path}")
    version = _version()
    with tarfile.open(tmp_path / f"ddisync-{version}.tgz") as archive:
        chart = yaml.safe_load(archive.extractfile("ddisync/Chart.yaml").read())  # type: ignore[union-attr]
        names = archive.getnames()
    assert chart["version"] == chart["appVersion"] == version
    assert "ddisync/crds/networks.yaml" in names


def test_the_license_is_the_apache_2_0_text() -> None:
    text = (ROOT / "LICENSE").read_text()
    assert "Apache License" in text and "Version 2.0, January 2004" in text
    assert "END OF TERMS AND CONDITIONS" in text
    project = tomllib.loads((ROOT / "operator" / "pyproject.toml").read_text())["project"]
    assert project["license"] == "Apache-2.0"


@pytest.mark.slow  # a fresh virtualenv and cyclonedx-py from PyPI (cached by uv after the first)
def test_make_sbom_describes_the_operators_environment_in_cyclonedx(tmp_path: Path) -> None:
    _make("sbom", f"DIST={tmp_path}")
    bom = json.loads((tmp_path / f"ddisync-{_version()}.cdx.json").read_text())
    assert bom["bomFormat"] == "CycloneDX"
    assert bom["metadata"]["component"]["name"] == "ddisync"
    assert bom["metadata"]["component"]["version"] == _version()
    components = {c["name"].lower() for c in bom["components"]}
    # What the image runs, and nothing of the development tools, simulator or emulator.
    assert {"kopf", "aiohttp", "pydantic", "redis", "prometheus-client"} <= {
        name.replace("_", "-") for name in components
    }
    assert not components & {"kmock", "pytest", "ddisync-simulator", "ddisync-emulator", "pip"}
