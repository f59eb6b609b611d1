"""Reading the manifests ``ddisync plan -f PATH`` is given.

``PATH`` is a file or a folder (repeatable). A folder with a ``kustomization.yaml`` is read as
kustomize would list it: its ``resources``, in order, files or sub-folders (no patches or
generators: ``kustomize build DIR | ddisync plan -f -`` covers those). Other folders are read
recursively, ``*.yaml``/``*.yml`` in name order. ``-`` reads standard input.

Documents of other kinds (a Namespace, a ConfigMap) are ignored and counted; a document that is
not a mapping, or a Network/Record without a name, is an error naming the file.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ddisync.api.meta import GROUP

__all__ = ["KINDS", "ManifestError", "Resource", "load_resources"]

KINDS = ("Network", "Record")
_SUFFIXES = (".yaml", ".yml")
_KUSTOMIZATIONS = ("kustomization.yaml", "kustomization.yml", "Kustomization")


class ManifestError(Exception):
    """A manifest that cannot be read; the message names the file."""


@dataclass(frozen=True)
class Resource:
    kind: str  # Network | Record
    namespace: str
    name: str
    spec: Any
    source: str  # file#document, for messages

    @property
    def display(self) -> str:
        """``<namespace>/<Kind>/<name>``: the value of the ``ddisync-owner`` marker."""
        return f"{self.namespace}/{self.kind}/{self.name}"


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
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ManifestError(f"{name}: {exc}") from None
    for index, document in enumerate(documents, start=1):
        if document is not None:
            yield document, f"{name}#{index}"


def _resource(document: Any, source: str, namespace: str) -> Resource | None:
    if not isinstance(document, dict):
        raise ManifestError(f"{source}: not a mapping")
    if document.get("kind") == "List":
        raise ManifestError(f"{source}: a List; give its items as separate documents")
    group = str(document.get("apiVersion", "")).rpartition("/")[0]
    if group != GROUP or document.get("kind") not in KINDS:
        return None
    meta = document.get("metadata") or {}
    if not meta.get("name"):
        raise ManifestError(f"{source}: {document['kind']} without metadata.name")
    return Resource(
        kind=str(document["kind"]),
        namespace=str(meta.get("namespace") or namespace),
        name=str(meta["name"]),
        spec=document.get("spec"),
        source=source,
    )


def load_resources(paths: Iterable[Path], namespace: str = "default") -> tuple[list[Resource], int]:
    """The Network and Record resources of ``paths`` and how many other documents there were.

    ``namespace`` is given to resources that name none (as ``kubectl apply -n`` would).
    """
    resources: list[Resource] = []
    ignored = 0
    seen: dict[str, str] = {}
    for path in paths:
        files: Iterable[Path | None] = [None] if str(path) == "-" else _files(path)
        for file in files:
            for document, source in _documents(file):
                resource = _resource(document, source, namespace)
                if resource is None:
                    ignored += 1
                    continue
                if resource.display in seen:
                    raise ManifestError(
                        f"{source}: {resource.display} is also defined in {seen[resource.display]}"
                    )
                seen[resource.display] = source
                resources.append(resource)
    return resources, ignored
