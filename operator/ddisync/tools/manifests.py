"""Reading the manifests the tools are given with ``-f PATH``.

``PATH`` is a file or a folder (repeatable). A folder with a ``kustomization.yaml`` is read as
kustomize would list it: its ``resources``, in order, files or sub-folders (no patches or
generators: ``kustomize build DIR | ddisync plan -f -`` covers those). Other folders are read
recursively, ``*.yaml``/``*.yml`` in name order. ``-`` reads standard input.

What is kept, by kind (every other document, a ConfigMap say, is ignored and counted):

==============  =========================  =================================================
kind            kept as                    read by
==============  =========================  =================================================
Network/Record/ ``Resource``               ``plan``: what to plan
Zone/
FixedAddress/
DHCPRange
DDIGrant        name -> raw spec           ``plan``: the grants Forbidden is judged by
Namespace (v1)  name -> labels             ``plan``: what a grant's namespaceSelector sees
InfobloxGrid    name -> raw spec           ``--grid NAME``: the connection (``grid_files``)
Secret (v1)     (namespace, name) -> body  ``--grid NAME``: its credentials and CA bundle
==============  =========================  =================================================

A document that is not a mapping, one of these kinds without a name, or the same object twice
is an error naming the file. Secret bodies are kept as they are and never printed.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ddisync.api.meta import GROUP

__all__ = ["KINDS", "ManifestError", "Manifests", "Resource", "load_manifests"]

KINDS = (
    "Network",
    "Record",
    "Zone",
    "FixedAddress",
    "DHCPRange",
)
_SUFFIXES = (".yaml", ".yml")
_KUSTOMIZATIONS = ("kustomization.yaml", "kustomization.yml", "Kustomization")
# (group, kind) of the other documents kept; "" is Kubernetes' core group.
_GRANT, _GRID = (GROUP, "DDIGrant"), (GROUP, "InfobloxGrid")
_NAMESPACE, _SECRET = ("", "Namespace"), ("", "Secret")


class ManifestError(Exception):
    """A manifest that cannot be read; the message names the file."""


@dataclass(frozen=True)
class Resource:
    kind: str  # Network | Record | Zone | FixedAddress | DHCPRange
    namespace: str
    name: str
    spec: Any
    source: str  # file#document, for messages

    @property
    def display(self) -> str:
        """``<namespace>/<Kind>/<name>``: the value of the ``ddisync-owner`` marker."""
        return f"{self.namespace}/{self.kind}/{self.name}"


@dataclass
class Manifests:
    """What the files hold, by kind (see the module's table)."""

    resources: list[Resource] = field(default_factory=list)
    grants: dict[str, Any] = field(default_factory=dict)  # DDIGrant name -> raw spec
    namespaces: dict[str, dict[str, str]] = field(default_factory=dict)  # name -> labels
    grids: dict[str, Any] = field(default_factory=dict)  # InfobloxGrid name -> raw spec
    secrets: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)  # "<Kind>/<ns>/<name>" -> file#n
    ignored: int = 0  # documents of other kinds


def _kustomization(folder: Path) -> Path | None:
    return next((folder / n for n in _KUSTOMIZATIONS if (folder / n).is_file()), None)


def _files(path: Path) -> Iterator[Path]:
    if path.is_file():
        yield path
        return
    if not path.is_dir():
        raise ManifestError(f"{path}: no such file or directory")
    kustomization = _kustomization(path)
    if kustomization is None:
        yield from sorted(p for p in path.rglob("*") if p.suffix in _SUFFIXES and p.is_file())
        return
    try:
        data = yaml.safe_load(kustomization.read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ManifestError(f"{kustomization}: {exc}") from None
    for entry in data.get("resources") or []:
        yield from _files(path / str(entry))


def _documents(path: Path | None) -> Iterator[tuple[Any, str]]:
    name = "<stdin>" if path is None else str(path)
    try:
        text = sys.stdin.read() if path is None else path.read_text(encoding="utf-8")
        documents = list(yaml.safe_load_all(text))
    except yaml.YAMLError as exc:
        raise ManifestError(f"{name}: {_yaml_problem(exc)}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ManifestError(f"{name}: {exc}") from None
    for index, document in enumerate(documents, start=1):
        if document is not None:
            yield document, f"{name}#{index}"


def _yaml_problem(error: yaml.YAMLError) -> str:
    """What is wrong and where, without the snippet of the line PyYAML quotes: in a Secret,
    that line may hold a password."""
    mark = getattr(error, "problem_mark", None)
    problem = getattr(error, "problem", None) or "cannot be parsed"
    where = f", line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
    return f"not valid YAML ({problem}{where})"


def _kind_of(document: Any, source: str) -> tuple[str, str]:
    if not isinstance(document, dict):
        raise ManifestError(f"{source}: not a mapping")
    if document.get("kind") == "List":
        raise ManifestError(f"{source}: a List; give its items as separate documents")
    group = str(document.get("apiVersion", "")).rpartition("/")[0]
    return group, str(document.get("kind", ""))


def _name(document: dict[str, Any], kind: str, source: str) -> str:
    meta = document.get("metadata") or {}
    if not isinstance(meta, dict) or not meta.get("name"):
        raise ManifestError(f"{source}: {kind} without metadata.name")
    return str(meta["name"])


def _labels(document: dict[str, Any]) -> dict[str, str]:
    labels = (document.get("metadata") or {}).get("labels") or {}
    return {str(k): str(v) for k, v in labels.items()} if isinstance(labels, dict) else {}


def _add(found: Manifests, document: Any, source: str, namespace: str) -> None:
    group, kind = _kind_of(document, source)
    cluster_scoped = (group, kind) in (_GRANT, _GRID, _NAMESPACE)
    if not ((group == GROUP and kind in KINDS) or cluster_scoped or (group, kind) == _SECRET):
        found.ignored += 1
        return
    name = _name(document, kind, source)
    meta = document.get("metadata") or {}
    where = "" if cluster_scoped else str(meta.get("namespace") or namespace)
    key = f"{kind}/{where}/{name}" if where else f"{kind}/{name}"
    if key in found.sources:
        shown = f"{where}/{kind}/{name}" if where else f"{kind} {name}"
        raise ManifestError(f"{source}: {shown} is also defined in {found.sources[key]}")
    found.sources[key] = source
    if (group, kind) == _GRANT:
        found.grants[name] = document.get("spec")
    elif (group, kind) == _GRID:
        found.grids[name] = document.get("spec")
    elif (group, kind) == _NAMESPACE:
        found.namespaces[name] = _labels(document)
    elif (group, kind) == _SECRET:
        found.secrets[(where, name)] = document
    else:
        found.resources.append(Resource(kind, where, name, document.get("spec"), source))


def load_manifests(paths: Iterable[Path], namespace: str = "default") -> Manifests:
    """Everything the tools read in ``paths`` (see the module's table).

    ``namespace`` is given to namespaced objects that name none (as ``kubectl apply -n``
    would).
    """
    found = Manifests()
    for path in paths:
        files: Iterable[Path | None] = [None] if str(path) == "-" else _files(path)
        for file in files:
            for document, source in _documents(file):
                _add(found, document, source, namespace)
    return found
