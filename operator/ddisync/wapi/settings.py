"""Settings of one WAPI client (one grid).

Every field has a default and says why it has that default: Grid Masters are shared, slow and easy
to overload, so the defaults are polite rather than fast.  Whoever reads the operator's settings
(``config.py``) builds one :class:`WapiSettings` and passes it down; nothing here reads the
environment.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["WapiSettings"]


@dataclass(frozen=True)
class WapiSettings:
    """How to reach one Grid Master and how hard to push it.

    Times are in seconds, rates in requests per second.
    """

    url: str
    """Grid base URL, e.g. ``https://gm.example.com`` (no ``/wapi``); ``/wapi/v{version}/`` is
    appended by the client."""

    username: str
    """WAPI user.  A dedicated API user with only the permissions the operator needs."""

    password: str = field(repr=False)
    """Never logged, never part of an exception, never in ``repr()``."""

    version: str = "2.12"
    """WAPI version spoken.  2.12 is in every NIOS 8.6+ and has everything ddisync uses."""

    ca_bundle: str | None = None
    """PEM file with the CA(s) that signed the grid's certificate; ``None`` = system CAs."""

    insecure: bool = False
    """Skip TLS verification.  Off by default; turning it on logs a warning at start-up."""

    rate_limit: float = 20.0
    """Token-bucket refill rate.  20/s is a fraction of what a mid-size GM serves, leaving room
    for the GUI, other automation and replication; raise it for a dedicated or large grid."""

    burst: int = 40
    """Bucket size: a resync can fire this many requests at once before the rate applies.
    Two seconds' worth of the default rate absorbs a start-up burst without a queue."""

    max_in_flight: int = 8
    """Requests on the wire at once (also the connection pool size).  NIOS enforces a
    per-client connection limit (answered with 403); 8 stays well below typical limits."""

    connect_timeout: float = 5.0
    """TCP + TLS handshake.  A reachable GM answers in milliseconds; 5 s means "down"."""

    total_timeout: float = 30.0
    """One whole request.  Large pages and allocations on a busy GM take seconds; 30 s bounds a
    hung request without cutting off honest slow answers."""

    max_attempts: int = 5
    """Attempts per call, the first included.  With the default backoff the retries span about
    4 s on average (0.25 s doubling, full jitter) — long enough for a 503 burst to pass, short
    enough to hand a still-failing call back to the reconcile, which retries later."""

    backoff_base: float = 0.25
    """First backoff ceiling; the n-th retry waits uniform(0, min(max, base * 2**(n-1)))."""

    backoff_max: float = 10.0
    """Largest single backoff ceiling (and the largest Retry-After honoured inside one call)."""

    retry_deadline: float = 60.0
    """Total time one call may spend across attempts and backoffs before it gives up."""

    circuit_failure_threshold: int = 5
    """Consecutive transient failures (over all calls) that open the circuit.  Equal to
    ``max_attempts`` so one fully failed call is enough evidence the grid is down."""

    circuit_reset_timeout: float = 15.0
    """Time the circuit stays open before one probe request is let through (half-open)."""

    page_size: int = 1000
    """Objects per page.  1000 is the largest page NIOS serves and the fewest round trips."""

    batch_size: int = 100
    """Operations per multi-object ``request`` call, and the most writes (or lookups) that are
    coalesced into one (``coalesce.py``; 1 turns coalescing off).  NIOS runs a request under
    one lock; large bodies hold that lock (and the GM) for long, so big batches are split."""

    batch_window: float = 0.25
    """Longest time a write (or a lookup) waits for others to join its batch, while others
    keep arriving.  A batch goes as soon as it is full, when this has passed since its first
    operation, or when ``batch_quiet`` passes with no operation joining: a lone edit waits
    ``batch_quiet``, never the whole window.  A quarter second lets a cold sync fill batches of
    tens of operations at the pace the operator plans them, and is invisible next to a GM's
    own answer time."""

    batch_quiet: float = 0.01
    """A batch waiting for more operations goes when none joined for this long.  10 ms: the
    operator plans many resources per 10 ms under load, so batches keep filling then, and an
    edit on a quiet system is sent after 10 ms."""

    objects_per_second: float = 200.0
    """Objects written per second at most (creates, updates, deletes, each operation of a
    batch counted), beside the request rate: batching must not turn into a burst of database
    writes.  Every write on the Grid Master is a database transaction replicated to every grid
    member; 200/s is ten times what 20 single-object requests/s ever wrote, which lets a cold
    sync of 10,000 objects finish in about a minute, and stays a small share of the write
    capacity of a mid-size GM, which also serves DHCP leases and DDNS updates.  Raise it with
    the request rate for a dedicated or large grid."""

    auth_failure_cooldown: float = 60.0
    """After wrong credentials, calls fail fast with ``AuthenticationError`` for this long
    (doubling on each further failure, up to ``auth_failure_cooldown_max``) without touching
    the grid: NIOS locks out *every* user after repeated failed logins."""

    auth_failure_cooldown_max: float = 900.0
    """Ceiling of the doubling auth cooldown."""

    def __post_init__(self) -> None:
        if self.rate_limit <= 0 or self.burst < 1 or self.max_in_flight < 1:
            raise ValueError("rate_limit must be > 0, burst and max_in_flight >= 1")
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be >= 1")
        if not 1 <= self.page_size <= 1000:
            raise ValueError("page_size must be between 1 and 1000 (the NIOS maximum)")
        if self.batch_size < 1:
            raise ValueError("batch_size must be >= 1")
        if self.batch_window < 0 or self.batch_quiet < 0 or self.objects_per_second <= 0:
            raise ValueError(
                "batch_window and batch_quiet must be >= 0, objects_per_second must be > 0"
            )

    @property
    def base_url(self) -> str:
        """``https://gm/wapi/v2.12/`` — always with the trailing slash."""
        return f"{self.url.rstrip('/')}/wapi/v{self.version}/"
