"""Who may import whom, read from the source: the operator knows neither tool, and the
simulator knows nothing of the operator (an independent peer of its WAPI client)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PACKAGES = {
    "ddisync": REPO / "operator" / "ddisync",
    "ddisync_simulator": REPO / "simulator" / "ddisync_simulator",
    "ddisync_emulator": REPO / "emulator" / "ddisync_emulator",
}
# What only the tools depend on (import names): the operator's image does not have them.
TOOLS_ONLY = {"ddisync_simulator", "ddisync_emulator", "kmock", "celpy", "cryptography",
              "kubernetes"}  # fmt: skip


def imported_top_levels(package: Path) -> dict[str, set[str]]:
    """Top-level module name -> the files importing it, lazy imports inside functions too."""
    found: dict[str, set[str]] = {}
    for path in sorted(package.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                found.setdefault(name.split(".")[0], set()).add(str(path.relative_to(REPO)))
    return found


def test_the_operator_imports_neither_tool_nor_their_dependencies() -> None:
    imports = imported_top_levels(PACKAGES["ddisync"])
    assert {"kopf", "aiohttp"} <= set(imports)  # the scan does see imports
    offending = {name: files for name, files in imports.items() if name in TOOLS_ONLY}
    assert not offending


def test_the_simulator_imports_nothing_of_the_operator_or_the_emulator() -> None:
    imports = imported_top_levels(PACKAGES["ddisync_simulator"])
    assert "aiohttp" in imports
    assert not {"ddisync", "ddisync_emulator", "kopf"} & set(imports)


@pytest.mark.parametrize("package", sorted(PACKAGES))
def test_each_package_lives_in_its_own_distribution_folder(package: str) -> None:
    folder = PACKAGES[package]
    assert (folder / "__init__.py").is_file()
    assert (folder.parent / "pyproject.toml").is_file()
    assert (folder / "py.typed").is_file()
