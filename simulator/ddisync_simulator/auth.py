"""Authentication and sessions: Basic auth, the ``ibapauth`` cookie, logout and lockout (§7).

* A successful login sets ``ibapauth="ip=...,client=API,group=admin-group,ctime=<t>,
  timeout=<s>,mtime=<t>,su=1,auth=LOCAL,user=<u>,<token>"; httponly; Path=/`` [V]. The
  official Python client parses ``ctime`` and ``timeout`` and then sends the cookie alone,
  so the cookie works on its own [C].
* [U] A request is accepted when either credential is valid. A valid cookie refreshes the
  session's idle clock (server-side ``mtime``); a session idle for longer than ``timeout``
  seconds is gone, and a stale cookie alone gets 401. When the cookie is missing or stale but
  Basic is valid, a new cookie is issued. ``POST /wapi/vX/logout`` ends the session.
* Bad credentials: 401 with Apache's HTML page, ``text/html; charset=iso-8859-1``,
  ``Connection: close`` and ``WWW-Authenticate: Basic realm="InfoBlox ONE Platform"`` [V].
* [U] Lockout (off unless ``lockout_failures`` is set): that many failures within
  ``lockout_window`` seconds lock the appliance for everyone for ``lockout_seconds``;
  every request then gets the 403 HTML page.
"""

from __future__ import annotations

import base64
import binascii
import secrets
import time
from collections import OrderedDict
from dataclasses import dataclass

__all__ = ["Authenticator", "Session", "forbidden_page", "unauthorized_page"]

REALM = 'Basic realm="InfoBlox ONE Platform"'
MAX_SESSIONS = 10_000

_401 = """<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">
<html><head>
<title>401 Authorization Required</title>
</head><body>
<h1>Authorization Required</h1>
<p>This server could not verify that you
are authorized to access the document
requested.  Either you supplied the wrong
credentials (e.g., bad password), or your
browser doesn't understand how to supply
the credentials required.</p>
</body></html>
"""

_403 = """<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">
<html><head>
<title>403 Forbidden</title>
</head><body>
<h1>Forbidden</h1>
<p>You don't have permission to access this resource.</p>
</body></html>
"""


def unauthorized_page() -> str:
    return _401


def forbidden_page() -> str:
    return _403


@dataclass(slots=True)
class Session:
    user: str
    ctime: int
    mtime: float
    timeout: int


class Authenticator:
    def __init__(self, username: str, password: str, session_timeout: int = 600) -> None:
        self.username = username
        self.password = password
        self.session_timeout = session_timeout
        self.sessions: OrderedDict[str, Session] = OrderedDict()
        self.failures: list[float] = []
        self.locked_until = 0.0

    # ------------------------------------------------------------ lockout
    def locked(self, now: float) -> bool:
        return now < self.locked_until

    def note_failure(self, now: float, limit: int | None, window: float, lock: float) -> None:
        if not limit:
            return
        self.failures = [t for t in self.failures if now - t < window]
        self.failures.append(now)
        if len(self.failures) >= limit:
            self.locked_until = now + lock
            self.failures.clear()

    # ------------------------------------------------------------ credentials
    def check_basic(self, header: str | None) -> str | None:
        """The user name when the ``Authorization`` header holds valid Basic credentials."""
        if not header or not header.lower().startswith("basic "):
            return None
        try:
            raw = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None
        user, sep, password = raw.partition(":")
        ok = (
            sep
            and secrets.compare_digest(user, self.username)
            and secrets.compare_digest(password, self.password)
        )
        return user if ok else None

    def check_cookie(self, cookie_header: str | None, now: float) -> Session | None:
        token = _cookie_token(cookie_header)
        if token is None:
            return None
        session = self.sessions.get(token)
        if session is None:
            return None
        if now - session.mtime > session.timeout:
            del self.sessions[token]
            return None
        session.mtime = now
        return session

    def new_session(self, user: str, client_ip: str, now: float) -> str:
        """Start a session; return the ``Set-Cookie`` header value."""
        token = secrets.token_urlsafe(24).replace("-", "A").replace("_", "B")
        ctime = int(now)
        self.sessions[token] = Session(user, ctime, now, self.session_timeout)
        while len(self.sessions) > MAX_SESSIONS:
            self.sessions.popitem(last=False)
        value = (
            f"ip={client_ip},client=API,group=admin-group,ctime={ctime},"
            f"timeout={self.session_timeout},mtime={ctime},su=1,auth=LOCAL,"
            f"user={user},{token}"
        )
        return f'ibapauth="{value}"; httponly; Path=/'

    def logout(self, cookie_header: str | None) -> None:
        token = _cookie_token(cookie_header)
        if token is not None:
            self.sessions.pop(token, None)


def _cookie_token(header: str | None) -> str | None:
    """The session token (last comma part) of the ``ibapauth`` cookie, parsed by hand:
    the value holds ``=`` and ``,``, which generic cookie parsers treat inconsistently."""
    if not header:
        return None
    for part in header.split(";"):
        name, _, value = part.strip().partition("=")
        if name == "ibapauth":
            return value.strip().strip('"').rsplit(",", 1)[-1] or None
    return None


def now() -> float:
    return time.time()
