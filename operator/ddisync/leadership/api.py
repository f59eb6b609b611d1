"""The few calls leader election makes to the Kubernetes API: read, create and replace one Lease.

Its own small aiohttp client, made from the same credentials kopf logs in with
(``kopf.ConnectionInfo``: a service account in a pod, a kubeconfig elsewhere): a standby does
not run kopf at all, so kopf's client is not there to borrow. Credentials are looked up again
after a 401 (a service-account token is rotated by the kubelet).

Errors (drawn once)::

    LeaseApiError          the API answered an error, or did not answer (status 0)
     └── LeaseConflict     409: someone else wrote first (a stale resourceVersion, or a create
                           that lost the race): re-read and decide again

Bodies of error answers are cut short and carry no credentials (the API server echoes none).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from types import TracebackType
from typing import Any, Final

import aiohttp
import kopf

_MAX_DETAIL: Final = 200


class LeaseApiError(Exception):
    def __init__(self, status: int, detail: str) -> None:
        super().__init__(f"{status or 'no answer'}: {detail[:_MAX_DETAIL]}")
        self.status = status


class LeaseConflict(LeaseApiError):
    """409: the Lease changed since it was read, or was created meanwhile."""


#: Gives the current Kubernetes credentials (None: none found).
Login = Callable[[], kopf.ConnectionInfo | None]


class LeaseApi:
    """``get``, ``create`` and ``replace`` of the Lease ``namespace/name``."""

    def __init__(self, login: Login, namespace: str, name: str, *, timeout: float) -> None:
        self._login = login
        self.namespace, self.name = namespace, name
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: aiohttp.ClientSession | None = None
        self._server = ""

    async def __aenter__(self) -> LeaseApi:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _connect(self) -> aiohttp.ClientSession:
        if self._session is None:
            info = self._login()
            if info is None:
                raise LeaseApiError(0, "no Kubernetes credentials found")
            self._server = info.server.rstrip("/")
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(ssl=info.as_ssl_context()),
                headers={**info.as_http_headers(), "User-Agent": "ddisync-leader-election"},
                timeout=self._timeout,
            )
        return self._session

    @property
    def _collection(self) -> str:
        return f"/apis/coordination.k8s.io/v1/namespaces/{self.namespace}/leases"

    async def get(self) -> dict[str, Any] | None:
        """The Lease, or None when there is none."""
        return await self._call("GET", f"{self._collection}/{self.name}", missing_ok=True)

    async def create(self, spec: Mapping[str, Any]) -> dict[str, Any]:
        body = {
            "apiVersion": "coordination.k8s.io/v1",
            "kind": "Lease",
            "metadata": {"name": self.name, "namespace": self.namespace},
            "spec": dict(spec),
        }
        created = await self._call("POST", self._collection, body)
        assert created is not None
        return created

    async def replace(self, lease: Mapping[str, Any], spec: Mapping[str, Any]) -> dict[str, Any]:
        """PUT ``spec`` over ``lease`` as read: its resourceVersion makes a stale write a 409."""
        meta = lease.get("metadata") or {}
        body = {
            "apiVersion": "coordination.k8s.io/v1",
            "kind": "Lease",
            "metadata": {
                "name": self.name,
                "namespace": self.namespace,
                "resourceVersion": meta.get("resourceVersion"),
            },
            "spec": dict(spec),
        }
        replaced = await self._call("PUT", f"{self._collection}/{self.name}", body)
        assert replaced is not None
        return replaced

    async def _call(
        self, method: str, path: str, body: Any = None, *, missing_ok: bool = False
    ) -> dict[str, Any] | None:
        for attempt in (1, 2):  # a second one only after a 401, with fresh credentials
            session = self._connect()
            try:
                async with session.request(method, self._server + path, json=body) as response:
                    text = await response.text()
                    status = response.status
            except (aiohttp.ClientError, TimeoutError) as error:
                raise LeaseApiError(0, f"{type(error).__name__}: {error}") from error
            if status == 401 and attempt == 1:
                await self.aclose()
                continue
            break
        if status == 404 and missing_ok:
            return None
        if status == 409:
            raise LeaseConflict(status, _message(text))
        if status >= 300:
            raise LeaseApiError(status, _message(text))
        answer = json.loads(text)
        if not isinstance(answer, dict):
            raise LeaseApiError(status, "the answer is not a JSON object")
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
