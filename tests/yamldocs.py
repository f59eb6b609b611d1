"""YAML documents as the suite reads them: with libyaml when PyYAML has it (the wheels do).

The suite parses the CRDs and rendered charts hundreds of times; PyYAML's pure-Python parser
takes about 0.4 s for crds/ alone, libyaml a tenth of that.
"""

from __future__ import annotations

from typing import Any

import yaml

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def documents(text: str | bytes) -> list[Any]:
    """The non-empty documents of a YAML stream, as ``yaml.safe_load_all`` reads them."""
    return [doc for doc in yaml.load_all(text, Loader=_LOADER) if doc]
