"""Every manifest in examples/ is valid against the generated CRDs (schema and CEL rules)."""

from __future__ import annotations

from pathlib import Path

import kubernetes_validate
import pytest
import yaml
from chartenv import CRDS, EXAMPLES, K8S_VERSION, Manifest
from crdvalidate import CrdVersion, load_crds, validate

EXAMPLE_FILES = sorted(EXAMPLES.rglob("*.yaml"))


def documents(path: Path) -> list[Manifest]:
    return [doc for doc in yaml.safe_load_all(path.read_text()) if doc]


@pytest.fixture(scope="module")
def crds() -> dict[tuple[str, str], CrdVersion]:
    return load_crds(CRDS)


def test_there_are_examples() -> None:
    assert EXAMPLE_FILES, "examples/ has no *.yaml"


@pytest.mark.parametrize(
    "path", EXAMPLE_FILES, ids=[str(p.relative_to(EXAMPLES)) for p in EXAMPLE_FILES]
)
def test_example_is_valid(path: Path, crds: dict[tuple[str, str], CrdVersion]) -> None:
    docs = documents(path)
    assert docs, f"{path} holds no manifest"
    problems: list[str] = []
    for index, doc in enumerate(docs):
        where = f"{path.name}#{index} {doc.get('kind')}/{doc.get('metadata', {}).get('name')}"
        api_version = doc.get("apiVersion", "")
        if api_version.startswith("ddisync.io/"):
            crd = crds.get((api_version, doc.get("kind", "")))
            if crd is None:
                problems.append(f"{where}: no generated CRD serves {api_version} {doc.get('kind')}")
                continue
            report = validate(crd, doc)
            problems += [f"{where}: {v}" for v in report.violations]
        else:
            try:
                kubernetes_validate.validate(doc, K8S_VERSION, strict=True)
            except kubernetes_validate.ValidationError as error:
                problems.append(f"{where}: {error.message}")
    assert not problems, "\n".join(problems)


def test_examples_exercise_the_cel_rules(crds: dict[tuple[str, str], CrdVersion]) -> None:
    evaluated = 0
    for path in EXAMPLE_FILES:
        for doc in documents(path):
            crd = crds.get((doc.get("apiVersion", ""), doc.get("kind", "")))
            if crd is not None:
                evaluated += validate(crd, doc).evaluated
    assert evaluated > 0, "no CEL rule was evaluated: are the examples and CRDs in step?"
