"""How a Record's ``text`` maps to WAPI's ``record:txt`` ``text`` field, and back.

A TXT record holds one or more DNS *character-strings* of at most 255 bytes each; SPF, DKIM
and DMARC readers join them. WAPI's ``text`` is their presentation form (RFC 1035 §5.1):
quoted strings, or bare words, separated by spaces. NIOS rewrites what it is sent: a string
without spaces comes back unquoted, and unquoted words separated by spaces become separate
strings (infobloxopen/terraform-provider-infoblox#344 shows ``"a b" "c"`` read back as
``"a b" c``). Comparing raw ``text`` therefore updates forever; ddisync compares meanings.

Rules (``encode`` for writing, ``decode`` for reading):

==========================  =====================================================
spec ``text``               one logical string of printable ASCII (the join)
written to WAPI             quoted chunks of <= 255 characters, ``"`` and ``\\``
                            escaped with a backslash, joined by one space
read from WAPI              quoted strings and bare words, escapes (``\\"``,
                            ``\\\\``, ``\\DDD``) resolved, then joined
equal when                  ``decode(actual) == spec text``
==========================  =====================================================

So ``decode(encode(t)) == t`` for every valid ``t`` (the round trip is exact), and a record
someone wrote as ``v=spf1 -all`` (two bare words: two strings, ``v=spf1`` and ``-all``) is
*not* equal to the spec text ``v=spf1 -all`` (one string with a space): that difference is real
in DNS, and ddisync rewrites it.
"""

from __future__ import annotations

CHUNK = 255


def _quote(chunk: str) -> str:
    return '"' + chunk.replace("\\", "\\\\").replace('"', '\\"') + '"'


def encode_txt(text: str) -> str:
    """The logical text → WAPI ``text``: quoted chunks of at most 255 characters."""
    chunks = [text[i : i + CHUNK] for i in range(0, len(text), CHUNK)] or [""]
    return " ".join(_quote(chunk) for chunk in chunks)


def txt_strings(wire: str) -> list[str]:
    """WAPI ``text`` → its character-strings (RFC 1035 §5.1 presentation form)."""
    strings: list[str] = []
    i, n = 0, len(wire)
    while i < n:
        if wire[i] == " ":
            i += 1
            continue
        quoted = wire[i] == '"'
        i += quoted
        current: list[str] = []
        while i < n:
            char = wire[i]
            if quoted and char == '"':
                i += 1
                break
            if not quoted and char == " ":
                break
            if char == "\\" and i + 1 < n:
                digits = wire[i + 1 : i + 4]
                if len(digits) == 3 and digits.isdigit():
                    current.append(chr(int(digits)))
                    i += 4
                    continue
                current.append(wire[i + 1])
                i += 2
                continue
            current.append(char)
            i += 1
        strings.append("".join(current))
    return strings


def decode_txt(wire: str) -> str:
    """WAPI ``text`` → the logical text a reader sees (the strings joined)."""
    return "".join(txt_strings(wire))
