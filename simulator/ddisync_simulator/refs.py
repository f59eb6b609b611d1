"""Object references: ``<objtype>/<refdata>:<readable>`` as NIOS makes them.

``refdata`` is unpadded base64 of a NIOS-like internal key, e.g. ``dns.bind_a$._default.com.
example,www,10.0.0.1`` (spec §1). Clients parse refs with ``\\w+`` for refdata (the Go client's
regexes), so refdata must contain no ``+``, ``/`` or ``=``.

[U] Instead of re-salting, keys are escaped before encoding: for ASCII text, base64 emits
``+`` or ``/`` only for a byte whose low six bits are 62 or 63 (``>``, ``?``, ``~``, DEL) or a
non-ASCII byte, so those characters are written ``\\xHH``/``\\uHHHH`` in the key. The result is
deterministic: the same key always gives the same ref, and a rename (the key holds the name)
gives a new ref, as on NIOS.

A ref is looked up by ``<objtype>/<refdata>`` only; the readable part is for humans and is
ignored on lookup [U], so a client that mangles it still finds the object. Paths are
percent-decoded exactly once before parsing (``server.py``).
"""

from __future__ import annotations

import base64
import re

__all__ = ["decode_key", "lookup_key", "make_ref", "readable", "split_ref"]

_UNSAFE = re.compile(r"[>?~\x7f-\U0010ffff]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group(0))
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _refdata(key: str) -> str:
    safe = _UNSAFE.sub(_escape, key)
    return base64.b64encode(safe.encode("ascii")).decode("ascii").rstrip("=")


def _quote_part(part: str) -> str:
    # NIOS writes IPv6 colons as %3A and a blank view as %20. A network's CIDR keeps its
    # slash (``:10.0.0.0/24/default``, which the Go client's regexes rely on); only a
    # reverse zone's fqdn has it quoted, which keys.py does for that one part.
    return part.replace(":", "%3A").replace(" ", "%20")


def readable(*parts: str) -> str:
    """The readable tail of a ref: parts joined by ``/``, each part quoted as NIOS does."""
    return "/".join(_quote_part(p) for p in parts)


def make_ref(objtype: str, key: str, *parts: str) -> str:
    return f"{objtype}/{_refdata(key)}:{readable(*parts)}"


def split_ref(path: str) -> tuple[str, str, str] | None:
    """``(objtype, refdata, readable)`` for a ref path, or None when ``path`` is a bare type."""
    objtype, sep, rest = path.partition("/")
    if not sep:
        return None
    refdata, _, tail = rest.partition(":")
    return objtype, refdata, tail


def lookup_key(ref: str) -> str:
    """The part of a ref that identifies the object: ``objtype/refdata``."""
    split = split_ref(ref)
    if split is None:
        return ref
    return f"{split[0]}/{split[1]}"


def decode_key(ref: str) -> str | None:
    """The internal key inside a ref (for debugging and tests)."""
    split = split_ref(ref)
    if split is None:
        return None
    data = split[1]
    try:
        return base64.b64decode(data + "=" * (-len(data) % 4)).decode("ascii")
    except (ValueError, UnicodeDecodeError):
        return None
