"""The async Infoblox WAPI client.

One :class:`WapiClient` per grid, configured by :class:`WapiSettings`; errors in
:mod:`ddisync.wapi.errors`; metrics and logging attach through :class:`WapiObserver`.
This package knows nothing of kopf, of the reconcile, or of the simulator.
"""

from .batch import BatchOp
from .client import WapiClient, WapiObject
from .errors import (
    AuthenticationError,
    CircuitOpenError,
    ConflictError,
    InvalidFieldError,
    InvalidRequestError,
    NoFreeAddressError,
    NotFoundError,
    OutcomeUnknownError,
    ParentNotFoundError,
    UnavailableError,
    WapiError,
    WapiResponseError,
)
from .observer import NullObserver, WapiObserver
from .settings import WapiSettings

__all__ = [
    "AuthenticationError",
    "BatchOp",
    "CircuitOpenError",
    "ConflictError",
    "InvalidFieldError",
    "InvalidRequestError",
    "NoFreeAddressError",
    "NotFoundError",
    "NullObserver",
    "OutcomeUnknownError",
    "ParentNotFoundError",
    "UnavailableError",
    "WapiClient",
    "WapiError",
    "WapiObject",
    "WapiObserver",
    "WapiResponseError",
    "WapiSettings",
]
