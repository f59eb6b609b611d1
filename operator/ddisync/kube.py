"""A small JSON client for the Kubernetes API, for what runs outside kopf's tasks: leader
election (a standby runs no kopf) and the listing that fills the catalog before kopf starts.

Made from the credentials kopf logs in with (``kopf.ConnectionInfo``: a service account in a
pod, a kubeconfig elsewhere), looked up again after a 401 (the kubelet rotates service-account
tokens). Inside kopf's tasks, kopf's own client is used (``kopf_internals.get_json``).

Errors (drawn once)::

    KubeApiError          the API answered an error, or did not answer (status 0)
     └── KubeConflict     409: someone else wrote first (a stale resourceVersion, or a create
                          that lost the race)

Bodies of error answers are cut short and carry no credentials (the API server echoes none).
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from typing import Any, Final

import aiohttp
import kopf

_MAX_DETAIL: Final = 200


class KubeApiError(Exception):
    def __init__(self, status: int, detail: str) -> None:
        super().__init__(f"{status or 'no answer'}: {detail[:_MAX_DETAIL]}")
        self.status = status


class KubeConflict(KubeApiError):
    """409: the object changed since it was read, or was created meanwhile."""


#: Gives the current Kubernetes credentials (None: none found).
Login = Callable[[], kopf.ConnectionInfo | None]


class KubeApi(contextlib.AbstractAsyncContextManager["KubeApi"]):
    """JSON requests to the API server; an async context manager that closes its session."""

    def __init__(self, login: Login, *, timeout: float, user_agent: str = "ddisync") -> None:
        self._login = login
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._user_agent = user_agent
        self._session: aiohttp.ClientSession | None = None
        self._server = ""

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _connect(self) -> aiohttp.ClientSession:
        if self._session is None:
            info = self._login()
            if info is None:
                raise KubeApiError(0, "no Kubernetes credentials found")
            self._server = info.server.rstrip("/")
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(ssl=info.as_ssl_context()),
                headers={**info.as_http_headers(), "User-Agent": self._user_agent},
                timeout=self._timeout,
            )
        return self._session

    async def request(
        self, method: str, path: str, body: Any = None, *, missing_ok: bool = False
    ) -> dict[str, Any] | None:
        """The decoded answer; None for a 404 when ``missing_ok``."""
        for attempt in (1, 2):  # a second one only after a 401, with fresh credentials
            session = self._connect()
            try:
                async with session.request(method, self._server + path, json=body) as response:
                    text = await response.text()
                    status = response.status
            except (aiohttp.ClientError, TimeoutError) as error:
                raise KubeApiError(0, f"{type(error).__name__}: {error}") from error
            if status == 401 and attempt == 1:
                await self.aclose()
                continue
            break
        if status == 404 and missing_ok:
            return None
        if status == 409:
            raise KubeConflict(status, _message(text))
        if status >= 300:
            raise KubeApiError(status, _message(text))
        answer = json.loads(text)
        if not isinstance(answer, dict):
            raise KubeApiError(status, "the answer is not a JSON object")
        return answer


def _message(text: str) -> str:
    """The ``message`` of a Kubernetes ``Status`` answer, else the start of the text."""
    try:
        answer = json.loads(text)
    except ValueError:
        return text[:_MAX_DETAIL]
    if isinstance(answer, dict) and answer.get("message"):
        return str(answer["message"])[:_MAX_DETAIL]
    return text[:_MAX_DETAIL]
