"""The ``DDISYNC_*`` variables described for people, generated from the ``Settings`` model.

Two renderings of one list: the text under ``ddisync run --help`` and the table in the README's
Configuration section (a test keeps that table equal to :func:`markdown_table`; print a fresh
one with ``python -m ddisync.config_doc``). Names, defaults and descriptions are the model's,
so neither can fall behind it.
"""

from __future__ import annotations

import json
import textwrap
from dataclasses import dataclass

from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from ddisync.config import Settings, env_name

__all__ = ["Variable", "help_text", "markdown_table", "variables"]


@dataclass(frozen=True)
class Variable:
    name: str
    """``DDISYNC_WAPI_URL``."""
    required: bool
    default: str | None
    """The default as one would write it in the environment; ``None``: unset."""
    description: str

    @property
    def shown_default(self) -> str:
        if self.required:
            return "required"
        return "unset" if self.default is None else self.default


def _plain(value: object) -> object:
    """Whole floats as integers (``20``, not ``20.0``), inside collections too."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    return value


def _written(value: object) -> str | None:
    """A default as it would be written in the environment; ``None`` for "not set"."""
    if value is None or value == [] or value == {}:
        return None  # an empty variable is an unset one (Settings.model_config)
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, dict | list):
        return json.dumps(_plain(value))
    return str(_plain(value))


def _variable(name: str, info: FieldInfo) -> Variable:
    description = info.description or ""
    if info.default_factory is not None:
        default = info.default_factory()  # type: ignore[call-arg]
    elif info.default is PydanticUndefined:
        return Variable(env_name(name), True, None, description)
    else:
        default = info.default
    return Variable(env_name(name), False, _written(default), description)


def variables() -> list[Variable]:
    """Every setting, in the model's order."""
    return [_variable(name, info) for name, info in Settings.model_fields.items()]


def help_text(width: int = 79) -> str:
    """The variables for ``ddisync run --help``: name and default, then the description."""
    lines = ["environment variables (those without a default are required):"]
    for variable in variables():
        default = "required" if variable.required else f"default: {variable.shown_default}"
        lines.append(f"  {variable.name} ({default})")
        lines.extend(
            textwrap.wrap(
                variable.description, width, initial_indent=" " * 6, subsequent_indent=" " * 6
            )
        )
    return "\n".join(lines)


def markdown_table() -> str:
    """The README's table of variables."""
    rows = ["| variable | default | meaning |", "|---|---|---|"]
    for variable in variables():
        if variable.required:
            default = "**required**"
        else:
            default = "unset" if variable.default is None else f"`{variable.default}`"
        rows.append(f"| `{variable.name}` | {default} | {variable.description} |")
    return "\n".join(rows)


if __name__ == "__main__":
    print(markdown_table())
