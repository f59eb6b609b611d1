"""Operator settings, read once from environment variables (prefix ``DDISYNC_``).

One root object, ``Settings``, read in ``cli.py`` (:func:`load_settings`) and passed down;
nothing else reads the environment. Every field has a description, and a default unless the
operator cannot guess it: the grid's URL and credentials have none (a default URL or password
only hides a missing Secret until the first request fails). The WAPI part is turned into the
client's own ``WapiSettings`` by ``wapi_settings()`` so that ``ddisync.wapi`` does not depend on
this module; the defaults of that part are WapiSettings' own, written once there.

A value that cannot be used stops the program with one line naming the variables at fault
(:class:`SettingsError`), never with the value itself: pydantic echoes inputs in its errors,
and an input may be a password.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Callable, Iterable, Mapping
from typing import Annotated, Any, Final, Literal
from urllib.parse import urlsplit

from pydantic import (
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import ErrorDetails
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from ddisync.tenancy.enforcement import DEFAULT as DEFAULT_ENFORCEMENT
from ddisync.tenancy.enforcement import Enforcement
from ddisync.wapi.settings import WapiSettings

__all__ = [
    "ENV_PREFIX",
    "Settings",
    "SettingsError",
    "env_name",
    "load_settings",
    "read_secret_file",
]

ENV_PREFIX: Final = "DDISYNC_"


def _client_default(name: str) -> Any:
    """The default of ``WapiSettings.<name>``: the client's defaults (and the reasons for them)
    are written once, in ``ddisync.wapi.settings``; the operator's settings take them from
    there."""
    for field in dataclasses.fields(WapiSettings):
        if field.name == name and field.default is not dataclasses.MISSING:
            return field.default
    raise LookupError(f"WapiSettings has no field {name!r} with a default")


class Settings(BaseSettings):
    """Everything ``ddisync run`` can be told through the environment."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        # A variable set to "" is unset: a Secret key that exists but is empty is a missing
        # password, not an empty one, and an empty optional value means "not set".
        env_ignore_empty=True,
        extra="forbid",  # Settings(wapi_pasword=...) in code is a typo, not an option
    )

    # --- Infoblox WAPI -------------------------------------------------------------------------
    wapi_url: str = Field(
        description="Grid Master base URL, without /wapi (e.g. https://gm.example.com)."
    )
    wapi_username: str = Field(description="WAPI user.")
    wapi_password: SecretStr = Field(description="WAPI password; never logged or reported.")
    wapi_username_file: str | None = Field(
        None,
        description="File holding the WAPI user (a mounted Secret's key, as the chart does); "
        "wins over DDISYNC_WAPI_USERNAME; read again when it changes.",
    )
    wapi_password_file: str | None = Field(
        None,
        description="File holding the WAPI password; wins over DDISYNC_WAPI_PASSWORD; read "
        "again every DDISYNC_GRID_CHECK_INTERVAL, so a rotated password takes effect without "
        "a restart and never sits in the environment.",
    )
    wapi_version: str = Field(
        _client_default("version"), description="WAPI version spoken (NIOS 8.6+ has 2.12)."
    )
    wapi_ca_bundle: str | None = Field(
        _client_default("ca_bundle"),
        description="PEM file of CAs to trust for TLS; unset = the system's CAs.",
    )
    wapi_insecure: bool = Field(
        _client_default("insecure"),
        description="Skip TLS verification (logs a warning). For labs only.",
    )
    wapi_rate_limit: float = Field(
        _client_default("rate_limit"),
        gt=0,
        description="Requests per second towards the grid. A Grid Master is shared by every "
        "tool of the company; the default keeps ddisync a polite neighbour.",
    )
    wapi_burst: int = Field(
        _client_default("burst"), ge=1, description="Token-bucket burst above the steady rate."
    )
    wapi_max_in_flight: int = Field(
        _client_default("max_in_flight"),
        ge=1,
        description="Concurrent requests cap; NIOS answers 403 past its connection limit.",
    )
    wapi_objects_per_second: float = Field(
        _client_default("objects_per_second"),
        gt=0,
        description="Objects written per second at most, every write of a batched request "
        "counted: batching must not turn into a burst of database writes on the Grid Master, "
        "which replicates each one to every member. The default is ten times what the default "
        "request rate wrote one object at a time: a cold sync of 10,000 objects takes about a "
        "minute, a small share of a mid-size GM's write capacity.",
    )
    wapi_batch_size: int = Field(
        _client_default("batch_size"),
        ge=1,
        le=1000,
        description="Writes (or lookups) coalesced into one multi-object request at most; "
        "1 = every write its own request.",
    )
    wapi_batch_window: float = Field(
        _client_default("batch_window"),
        ge=0,
        le=5,
        description="Seconds a write waits at most for others to join its request while "
        "others keep arriving (a cold sync); a lone edit waits only DDISYNC_WAPI_BATCH_QUIET.",
    )
    wapi_batch_quiet: float = Field(
        _client_default("batch_quiet"),
        ge=0,
        le=1,
        description="A batch is sent once no write joined it for this many seconds.",
    )
    wapi_timeout: float = Field(
        _client_default("total_timeout"), gt=0, description="Seconds allowed for one request."
    )
    wapi_max_attempts: int = Field(
        _client_default("max_attempts"),
        ge=1,
        description="Attempts per request on transient errors, the first included.",
    )
    wapi_circuit_reset_timeout: float = Field(
        _client_default("circuit_reset_timeout"),
        gt=0,
        description="Seconds the circuit breaker stays open after the grid failed repeatedly, "
        "before one probe request is let through. Long enough for a restarting Grid Master not "
        "to be hammered; short enough that reconciles resume soon after it is back.",
    )

    # --- Retry delays of a failed reconcile (kopf requeues the resource after them) ------------
    retry_delay_unavailable: float = Field(
        15.0,
        gt=0,
        description="Seconds before retrying when Infoblox was unavailable (5xx, timeouts, "
        "circuit open) — also a deletion waiting for Infoblox. The client already retried "
        "within the call; 15 s lets a 503 burst or a failover pass.",
    )
    retry_delay_slow: float = Field(
        60.0,
        gt=0,
        description="Seconds before retrying what someone else must fix first: a conflict, no "
        "free address, another Infoblox error.",
    )
    retry_delay_auth: float = Field(
        120.0,
        gt=0,
        description="Seconds before retrying after Infoblox refused the credentials. NIOS locks "
        "out every user after repeated failed logins, so never sooner than the client's own "
        "cooldown.",
    )

    # --- Ownership -----------------------------------------------------------------------------
    cluster_id: str = Field(
        "default",
        description="Names this cluster in the ownership markers written to every Infoblox "
        "object; give every cluster that shares a grid its own.",
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$",
    )

    # --- Scope ---------------------------------------------------------------------------------
    namespaces: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Namespaces to watch (comma-separated or JSON list); empty = all namespaces.",
    )
    label_selector: str | None = Field(
        None,
        description="Only reconcile resources matching this label selector (k=v, k!=v, k, !k; "
        "comma-separated, all must match): sharding.",
    )
    # A cap, by default: each resource in flight holds kopf's copies of its body, so without
    # one a cold start of 10,000 resources peaks near 500 MB (over the chart's 512Mi limit);
    # with 300, about 235 MB, and it is no slower (benchmarks/README.md).
    max_concurrent_resources: int = Field(
        300,
        ge=0,
        description="Resources handled at once (kopf workers); bounds memory at a large cold "
        "start. 0 = no cap.",
    )
    resync_interval: float = Field(
        300.0,
        gt=0,
        description="Seconds between drift checks of each resource against Infoblox.",
    )
    grid_check_interval: float = Field(
        30.0,
        gt=0,
        description="Seconds between checks of each InfobloxGrid: its Secrets are read again "
        "(a rotated password takes effect without a restart) and the Grid Master is pinged; "
        "also between two reads of the default grid's credential and CA files.",
    )
    tenancy: Enforcement = Field(
        DEFAULT_ENFORCEMENT,
        description="on: a resource proceeds only inside a DDIGrant of its namespace on its "
        "grid, refused (Forbidden) before any WAPI call otherwise; off: every namespace may do "
        "anything on every grid (a single-team cluster).",
    )
    delete_orphans: bool = Field(
        False,
        description="Delete Infoblox objects that carry this cluster's ownership marker but "
        "that no resource claims any more. Off by default: orphans are only reported (metric "
        "ddisync_orphans and a log line), because deleting DNS data is not undoable.",
    )

    # --- High availability: active/standby replicas (ddisync.leadership) ---------------------
    leader_election: bool = Field(
        True,
        description="Replicas take turns through a coordination.k8s.io Lease: only its holder "
        "reconciles, the others stand by and take over when it goes. false: this process "
        "reconciles at once, alone; never run two replicas of one instance so.",
    )
    lease_name: str | None = Field(
        None,
        description="Name of the Lease the replicas of this instance compete for; unset = "
        "ddisync- and a digest of the cluster id, namespaces and label selector (so shards "
        "never share one).",
        pattern=r"^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$",
    )
    lease_namespace: str | None = Field(
        None,
        description="Namespace of the Lease; unset = the pod's own (from its service "
        "account), else the kubeconfig's, else default.",
    )
    leader_identity: str | None = Field(
        None,
        description="This replica's name in the Lease, unique among live replicas (the chart "
        "gives the pod's name); unset = host, process id and a random part.",
    )
    lease_duration: int = Field(
        10,
        ge=1,
        description="Seconds a standby waits after the Lease last changed before it takes "
        "over a leader that stopped renewing (a crashed one): the failover time after a crash "
        "is about this plus the start. A leader that is stopped releases it at once.",
    )
    lease_renew_deadline: float = Field(
        7.0,
        gt=0,
        description="Seconds a leader may go without renewing the Lease before it stops "
        "reconciling; less than the lease duration, and the difference is the safety margin "
        "that a new leader never starts before the old one has stopped.",
    )
    # 10 s / 7 s: failover after a crash about 10 s plus the start (the target is 15 s), and 7 s
    # to renew survives a busy API server and event loop (on a loaded 2-core machine a leader
    # in a 500-object cold start once went more than 5 s without a renewal answered).
    lease_retry_period: float = Field(
        1.0,
        gt=0,
        description="Seconds between two tries to take or renew the Lease (one API call each).",
    )

    # --- Cache ---------------------------------------------------------------------------------
    # The cache holds the owned snapshots only (ddisync.cache): their lifetime follows
    # resync_interval. DDISYNC_CACHE_TTL_SECONDS, DDISYNC_CACHE_MEMORY_MAX_ENTRIES,
    # DDISYNC_CACHE_MEMORY_MAX_BYTES and DDISYNC_CACHE_FRONT_TTL_SECONDS were removed; like any
    # unknown DDISYNC_* variable they are ignored (extra="ignore").
    redis_url: str | None = Field(
        None,
        description="Redis URL where replicas and shards share the owned snapshots; unset = "
        "each process keeps its own.",
    )
    cache_redis_timeout: float = Field(
        1.0,
        gt=0,
        description="Seconds for one Redis connect or command. Redis answers in milliseconds; "
        "a slower one is treated as down and the cache degrades to in-process.",
    )
    cache_redis_retry_seconds: float = Field(
        5.0,
        gt=0,
        description="After a Redis failure, seconds before Redis is tried again (one try).",
    )

    # --- Observability -------------------------------------------------------------------------
    # 0 = any free port (tests, the demo); the two must differ otherwise.
    metrics_port: int = Field(
        9090, ge=0, le=65535, description="Port of the Prometheus /metrics endpoint."
    )
    health_port: int = Field(8080, ge=0, le=65535, description="Port of /healthz and /readyz.")
    log_format: Literal["json", "text"] = Field("json", description="Log line format.")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        "INFO", description="Lowest level logged (case does not matter)."
    )

    @model_validator(mode="before")
    @classmethod
    def _read_credential_files(cls, data: Any) -> Any:
        # Read here, once at start, into the setting it stands for (and winning over it), so
        # everything else sees one source; ddisync.grids.files reads it again while running.
        # A file that cannot be read is reported by _check_credential_file.
        if not isinstance(data, dict):
            return data
        for field in ("wapi_username", "wapi_password"):
            path = data.get(f"{field}_file")
            if path:
                with contextlib.suppress(ValueError):
                    data = {**data, field: read_secret_file(str(path), env_name(field))}
        return data

    @field_validator("wapi_username_file", "wapi_password_file")
    @classmethod
    def _check_credential_file(cls, value: str | None) -> str | None:
        if value:
            read_secret_file(value, "")  # its message names no path: a path could be a secret
        return value

    @field_validator("wapi_url")
    @classmethod
    def _check_wapi_url(cls, value: str) -> str:
        # The message never repeats the value: a URL may carry a password.
        try:
            parts = urlsplit(value)
            parts.port  # noqa: B018  (raises ValueError for a port out of range)
        except ValueError:
            raise ValueError("should be a URL such as https://gm.example.com") from None
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("should be an http(s) URL such as https://gm.example.com")
        if parts.username is not None or parts.password is not None:
            raise ValueError(
                "should not carry credentials (use DDISYNC_WAPI_USERNAME and DDISYNC_WAPI_PASSWORD)"
            )
        if parts.query or parts.fragment or parts.path.strip("/").startswith("wapi"):
            raise ValueError("should be the Grid Master's base URL, without /wapi/... or a query")
        return value

    @field_validator("wapi_username")
    @classmethod
    def _check_username(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("should not be blank")
        return value

    @field_validator("wapi_password")
    @classmethod
    def _check_password(cls, value: SecretStr) -> SecretStr:
        if not value.get_secret_value():
            raise ValueError("should not be empty")
        return value

    @field_validator("wapi_version")
    @classmethod
    def _check_wapi_version(cls, value: str) -> str:
        parts = value.split(".")
        if not 2 <= len(parts) <= 3 or not all(part.isdigit() for part in parts):
            raise ValueError("should be a WAPI version such as 2.12")
        return value

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper_log_level(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @field_validator("namespaces", mode="before")
    @classmethod
    def _split_namespaces(cls, value: object) -> object:
        # "a,b" is friendlier in a Deployment's env than the JSON list pydantic expects.
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @model_validator(mode="after")
    def _distinct_ports(self) -> Settings:
        if self.metrics_port and self.metrics_port == self.health_port:
            raise ValueError(
                f"{env_name('metrics_port')} and {env_name('health_port')} should differ"
            )
        return self

    @model_validator(mode="after")
    def _lease_timing(self) -> Settings:
        # The fencing in ddisync.leadership rests on this order.
        if not self.lease_retry_period < self.lease_renew_deadline < self.lease_duration:
            raise ValueError(
                f"{env_name('lease_retry_period')} < {env_name('lease_renew_deadline')} < "
                f"{env_name('lease_duration')} should hold"
            )
        return self

    def wapi_settings(self) -> WapiSettings:
        """The client's settings, built from ours."""
        return WapiSettings(
            url=self.wapi_url,
            username=self.wapi_username,
            password=self.wapi_password.get_secret_value(),
            version=self.wapi_version,
            ca_bundle=self.wapi_ca_bundle,
            insecure=self.wapi_insecure,
            rate_limit=self.wapi_rate_limit,
            burst=self.wapi_burst,
            max_in_flight=self.wapi_max_in_flight,
            objects_per_second=self.wapi_objects_per_second,
            batch_size=self.wapi_batch_size,
            batch_window=self.wapi_batch_window,
            batch_quiet=self.wapi_batch_quiet,
            total_timeout=self.wapi_timeout,
            max_attempts=self.wapi_max_attempts,
            circuit_reset_timeout=self.wapi_circuit_reset_timeout,
        )


def read_secret_file(path: str, setting: str) -> str:
    """A credential from a file, without the line end an editor or ``echo`` adds. The error
    (``ValueError``) names the setting, if given, and why; never the content."""
    try:
        with open(path, encoding="utf-8") as file:
            return file.read().removesuffix("\n").removesuffix("\r")
    except (OSError, UnicodeDecodeError) as error:
        why = error.strerror if isinstance(error, OSError) else "not UTF-8 text"
        raise ValueError(
            f"{setting + ': ' if setting else ''}the file cannot be read ({why})"
        ) from None


# --- Errors a person reads ---------------------------------------------------------------------


def env_name(field: str) -> str:
    """The environment variable of a setting: ``wapi_url`` -> ``DDISYNC_WAPI_URL``."""
    return f"{ENV_PREFIX}{field.upper()}"


_SECRET_FIELDS: Final = frozenset(
    name for name, info in Settings.model_fields.items() if info.annotation is SecretStr
)


class SettingsError(ValueError):
    """Settings that cannot be used: which are missing, which are invalid and why.

    ``str()`` is one line, with every name given by ``name_of`` (the environment variable by
    default; the tools name their options too). It never contains a value.
    """

    def __init__(
        self,
        missing: Iterable[str],
        invalid: Iterable[tuple[str | None, str]],
        name_of: Callable[[str], str] = env_name,
    ) -> None:
        self.missing = tuple(missing)
        self.invalid = tuple(invalid)
        self.name_of = name_of
        super().__init__(self._line())

    def _line(self) -> str:
        parts = []
        if self.missing:
            parts.append("missing settings: " + ", ".join(map(self.name_of, self.missing)))
        if self.invalid:
            problems = [
                f"{self.name_of(field)} {reason}" if field else reason
                for field, reason in self.invalid
            ]
            parts.append("invalid settings: " + "; ".join(problems))
        return "; ".join(parts)

    @classmethod
    def of(cls, error: ValidationError, name_of: Callable[[str], str] = env_name) -> SettingsError:
        missing: list[str] = []
        invalid: list[tuple[str | None, str]] = []
        for detail in error.errors(include_url=False, include_input=False):
            field = str(detail["loc"][0]) if detail["loc"] else None
            if detail["type"] == "missing" and field is not None:
                missing.append(field)
            else:
                invalid.append((field, _reason(field, detail)))
        return cls(missing, invalid, name_of)


def _reason(field: str | None, detail: ErrorDetails) -> str:
    """What is wrong, from pydantic's message (which names no input; ours never do either)."""
    if field in _SECRET_FIELDS and detail["type"] != "value_error":
        return "is not valid"
    text = detail["msg"].removeprefix("Value error, ")
    for prefix in ("Input should", "String should", "Value should"):
        if text.startswith(prefix):
            return "should" + text[len(prefix) :]
    return text


def load_settings(
    overrides: Mapping[str, Any] | None = None, *, name_of: Callable[[str], str] = env_name
) -> Settings:
    """Settings from the environment, ``overrides`` (e.g. command-line options) winning.

    Raises :class:`SettingsError` (one line, no values) when some are missing or invalid.
    """
    try:
        return Settings(**dict(overrides or {}))
    except ValidationError as exc:
        raise SettingsError.of(exc, name_of) from None
