"""Finding and reading the manifests the demo applies.

``-f`` takes files or folders of multi-document YAML (folders: their ``*.yaml``/``*.yml`` files
in name order, like ``kubectl apply -f DIR``). Without ``-f`` the demo applies the repository's
``examples/`` folder: ``./examples`` when run from the repository root (``make demo``), else the
one the package ships, so ``ddisync demo`` works from anywhere. ``ddisync_emulator/examples`` is
a symlink to the repository's ``examples/``, which keeps one copy; a built wheel holds the files.
The demo applies them in ``APPLY_ORDER`` (``in_apply_order``): namespaces, credentials and
cluster-scoped kinds first.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

PACKAGED_EXAMPLES = Path(__file__).parent / "examples"
_SUFFIXES = (".yaml", ".yml")
# The order the demo applies kinds in, whatever their order in the files (as Helm installs a
# chart): what other objects need comes first. Kinds not listed follow, in file order.
#   kind                      applied before                 because
#   Namespace                 every namespaced object        it must exist to hold them
#   Secret, ConfigMap         InfobloxGrid                   the grid reads its credentials
#   CustomResourceDefinition  objects of its kind            their kind must be served
#   InfobloxGrid              DDIGrants and resources on it  they name it
#   DDIGrant                  the resources it admits        one applied before its grant is
#                                                            refused Forbidden, a final outcome
#   Network                   Records                        addressFrom names a Network
APPLY_ORDER = (
    "Namespace", "Secret", "ConfigMap", "CustomResourceDefinition", "InfobloxGrid", "DDIGrant",
    "Network",
)  # fmt: skip


class ManifestError(Exception):
    """A manifest file that cannot be read or parsed."""


@dataclass(frozen=True)
class Manifest:
    """One YAML document and where it came from (for messages)."""

    body: dict[str, Any]
    source: str


def default_paths(cwd: Path | None = None) -> list[Path]:
    """``./examples`` if it holds manifests, else the packaged copy."""
    local = (cwd or Path.cwd()) / "examples"
    if local.is_dir() and any(p.suffix in _SUFFIXES for p in local.iterdir()):
        return [local]
    return [PACKAGED_EXAMPLES]


def files_of(paths: Iterable[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.iterdir() if p.suffix in _SUFFIXES and p.is_file()))
        elif path.is_file():
            files.append(path)
        else:
            raise ManifestError(f"{path}: no such file or directory")
    return files


def in_apply_order(manifests: Iterable[Manifest]) -> list[Manifest]:
    """``manifests`` sorted by ``APPLY_ORDER`` of their kinds; file order within a kind."""

    def rank(manifest: Manifest) -> int:
        kind = manifest.body.get("kind")
        return APPLY_ORDER.index(kind) if kind in APPLY_ORDER else len(APPLY_ORDER)

    return sorted(manifests, key=rank)


def load(paths: Iterable[Path]) -> list[Manifest]:
    """Every non-empty YAML document of the files and folders, in order."""
    manifests = []
    for file in files_of(paths):
        try:
            documents = list(yaml.safe_load_all(file.read_text(encoding="utf-8")))
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
            raise ManifestError(f"{file}: {exc}") from None
        for index, document in enumerate(documents):
            if document is None:
                continue
            if not isinstance(document, dict):
                raise ManifestError(f"{file}: document {index + 1} is not a mapping")
            manifests.append(Manifest(document, f"{file}#{index + 1}"))
    return manifests
