"""Operator settings, read once from environment variables (prefix ``DDISYNC_``).

One root object, ``Settings``, read in ``cli.py`` and passed down; nothing else reads the
environment. Every field has a default and says why it has that default. The WAPI part is
turned into the client's own ``WapiSettings`` by ``wapi_settings()`` so that ``ddisync.wapi``
does not depend on this module.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from ddisync.wapi.settings import WapiSettings


class Settings(BaseSettings):
    """Everything ``ddisync run`` and ``ddisync demo`` can be told through the environment."""

    model_config = SettingsConfigDict(env_prefix="DDISYNC_", extra="ignore")

    # --- Infoblox WAPI -------------------------------------------------------------------------
    wapi_url: str = Field(
        "https://127.0.0.1",
        description="Grid Master base URL, without /wapi (e.g. https://gm.example.com).",
    )
    wapi_version: str = Field("2.12", description="WAPI version spoken (NIOS 8.6+ has 2.12).")
    wapi_username: str = Field("admin", description="WAPI user.")
    wapi_password: SecretStr = Field(
        SecretStr("infoblox"), description="WAPI password; never logged or reported."
    )
    wapi_ca_bundle: str | None = Field(None, description="PEM file of CAs to trust for TLS.")
    wapi_insecure: bool = Field(
        False, description="Skip TLS verification (logs a warning). For labs only."
    )
    wapi_rate_limit: float = Field(
        20.0,
        description="Requests per second towards the grid. A Grid Master is shared by every "
        "tool of the company; 20/s keeps ddisync a polite neighbour.",
    )
    wapi_burst: int = Field(40, description="Token-bucket burst above the steady rate.")
    wapi_max_in_flight: int = Field(
        8, description="Concurrent requests cap; NIOS answers 403 past its connection limit."
    )
    wapi_timeout: float = Field(30.0, description="Total seconds allowed for one request.")
    wapi_max_attempts: int = Field(5, description="Attempts per request on transient errors.")
    wapi_circuit_reset_timeout: float = Field(
        15.0,
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
        description="Seconds before retrying what someone else must fix first: a conflict, a "
        "missing parent zone or container, no free address, another Infoblox error.",
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
        None, description="Only reconcile resources matching this label selector (sharding)."
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
        300.0, description="Seconds between drift checks of each resource against Infoblox."
    )
    delete_orphans: bool = Field(
        False,
        description="Delete Infoblox objects that carry this cluster's ownership marker but "
        "that no resource claims any more. Off by default: orphans are only reported (metric "
        "ddisync_orphans and a log line), because deleting DNS data is not undoable.",
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
    metrics_port: int = Field(9090, description="Port of the Prometheus /metrics endpoint.")
    health_port: int = Field(8080, description="Port of /healthz and /readyz.")
    log_format: Literal["json", "text"] = Field("json", description="Log line format.")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field("INFO")

    @field_validator("namespaces", mode="before")
    @classmethod
    def _split_namespaces(cls, value: object) -> object:
        # "a,b" is friendlier in a Deployment's env than the JSON list pydantic expects.
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

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
            total_timeout=self.wapi_timeout,
            max_attempts=self.wapi_max_attempts,
            circuit_reset_timeout=self.wapi_circuit_reset_timeout,
        )
