"""Leader election on a ``coordination.k8s.io/v1`` Lease, by client-go's rules
(``k8s.io/client-go/tools/leaderelection``), so its timing and its guarantees are the ones
Kubernetes controllers are known for.

Every replica tries to take the Lease every ``retry_period``. A Lease held by another replica
may be taken over only once it has stayed unchanged for its ``leaseDurationSeconds``, measured
on the taker's own monotonic clock from the moment it *saw* the last change (never by comparing
``renewTime`` with its clock: clocks of two nodes may disagree). Every write carries the
resourceVersion it read, so of two replicas racing for a free Lease one gets a 409 and stays a
standby. The leader renews every ``retry_period``; when it has not renewed for
``renew_deadline`` it stops leading.

Fencing by lease-expiry arithmetic. Let ``s`` be the moment the leader *sent* its last
successful renewal. The API server wrote it after ``s``, and a standby saw it after that, so
no standby takes over before ``s + lease_duration``. The leader stops leading at the latest at
``s + renew_deadline`` (each renewal attempt is cut off at that deadline) and then cancels its
work at once (``running.py``). With ``renew_deadline < lease_duration`` (checked in the
settings) the old leader has stopped ``lease_duration - renew_deadline`` seconds (3 s by
default) before a new one may start: that margin covers cancelling its tasks and an event loop
stalled for that long. A write already on the wire when the leader stops can still reach the
grid within its transfer time; the margin covers that too, and the operator's crash safety (a
create is found by its ownership marker before anything is sent again) means a cut reconcile
leaves no duplicate.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ddisync.kube import KubeApiError, KubeConflict
from ddisync.leadership.api import LeaseApi
from ddisync.leadership.record import LeaseRecord, claimed, released

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ElectionTiming:
    """client-go's three durations (seconds); ``retry_period < renew_deadline < lease_duration``."""

    lease_duration: int
    renew_deadline: float
    retry_period: float


#: Told every change of leadership: (this replica leads, the holder's identity or "").
OnChange = Callable[[bool, str], None]


class LeaderElector:
    """One replica's side of the election on one Lease."""

    def __init__(
        self,
        api: LeaseApi,
        identity: str,
        timing: ElectionTiming,
        *,
        on_change: OnChange | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.api = api
        self.identity = identity
        self.timing = timing
        self._on_change = on_change or (lambda leading, holder: None)
        self._clock = clock
        self.leading = False
        self.holder = ""
        """The holder as last seen ("" when free or not read yet)."""
        self.last_contact: float | None = None
        """When the API last answered a Lease call (monotonic): a standby's readiness."""
        self._observed: LeaseRecord | None = None
        self._observed_at = 0.0
        self._lease: dict[str, Any] | None = None  # as last read or written
        self._renewed_at = 0.0  # when the last successful acquire or renewal was sent

    @property
    def last_renewal(self) -> float:
        """When (monotonic) the last successful acquire or renewal was sent: the leader stops
        leading ``renew_deadline`` after it at the latest."""
        return self._renewed_at

    # --- one attempt ----------------------------------------------------------------------------

    async def try_acquire_or_renew(self) -> bool:
        """Take or renew the Lease once; whether this replica holds it now."""
        if self.leading and self._lease is not None:
            # The leader writes over what it wrote last: no read needed. A 409 means the Lease
            # changed under it: read it and decide again, below.
            mine = LeaseRecord.of(self._lease)
            try:
                return self._wrote(await self.api.replace(self._lease, self._claim(mine).spec()))
            except KubeConflict:
                pass
        lease = await self.api.get()
        self._contact()
        if lease is None:
            try:
                return self._wrote(await self.api.create(self._claim(None).spec()))
            except KubeConflict:  # another replica created it first
                return False
        self._lease = lease
        old = LeaseRecord.of(lease)
        if old != self._observed:
            self._observed, self._observed_at = old, self._clock()
        self._seen_holder(old.holder)
        if old.holder and old.holder != self.identity and self._valid():
            return False
        try:
            return self._wrote(await self.api.replace(lease, self._claim(old).spec()))
        except KubeConflict:  # another replica wrote first
            return False

    def _claim(self, old: LeaseRecord | None) -> LeaseRecord:
        now = datetime.datetime.now(datetime.UTC)
        return claimed(self.identity, self.timing.lease_duration, now, old)

    def _valid(self) -> bool:
        observed = self._observed
        return observed is not None and self._observed_at + observed.duration > self._clock()

    def _wrote(self, lease: dict[str, Any]) -> bool:
        self._contact()
        self._lease = lease
        self._observed, self._observed_at = LeaseRecord.of(lease), self._clock()
        self._seen_holder(self.identity)
        return True

    def _contact(self) -> None:
        self.last_contact = self._clock()

    def _seen_holder(self, holder: str) -> None:
        if holder != self.holder:
            self.holder = holder
            if not self.leading:
                self._on_change(False, holder)

    def _set_leading(self, leading: bool) -> None:
        if leading != self.leading:
            self.leading = leading
            self._on_change(leading, self.identity if leading else self.holder)

    # --- the loops --------------------------------------------------------------------------------

    async def acquire(self, stop: asyncio.Event) -> bool:
        """Stand by until this replica holds the Lease (True) or ``stop`` is set (False)."""
        failing = False
        while not stop.is_set():
            sent = self._clock()
            try:
                async with asyncio.timeout(self.timing.renew_deadline):
                    won = await self.try_acquire_or_renew()
            except (KubeApiError, TimeoutError) as error:
                if not failing:  # once per outage, not once per retry
                    logger.warning(
                        "Leader election: the Lease cannot be read or written: %s", error
                    )
                failing, won = True, False
            else:
                if failing:
                    logger.info("Leader election: the Lease can be read and written again")
                failing = False
            if won:
                self._renewed_at = sent
                logger.info(
                    "Leader election: %s now leads (Lease %s/%s)",
                    self.identity, self.api.namespace, self.api.name,
                )  # fmt: skip
                self._set_leading(True)
                return True
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.timing.retry_period)
        return False

    async def keep_leading(self) -> None:
        """Renew every ``retry_period``; return when leadership is lost: no renewal for
        ``renew_deadline``, or another replica seen holding the Lease."""
        while True:
            await asyncio.sleep(self.timing.retry_period)
            deadline = self._renewed_at + self.timing.renew_deadline
            sent = self._clock()
            if sent >= deadline:  # stalled past it: send nothing that could land too late
                renewed = False
            else:
                try:
                    async with asyncio.timeout(deadline - sent):
                        renewed = await self.try_acquire_or_renew()
                except (KubeApiError, TimeoutError) as error:
                    why = str(error) or f"no answer within {deadline - sent:.1f} s"
                    logger.warning("Leader election: renewing the Lease failed: %s", why)
                    renewed = False
            if renewed:
                self._renewed_at = sent
                continue
            if self.holder not in ("", self.identity):
                why = f"{self.holder} holds the Lease now"
            elif self._clock() >= deadline:
                why = f"not renewed for {self.timing.renew_deadline:g} s"
            else:
                continue
            logger.error("Leader election: %s lost the lead (%s)", self.identity, why)
            self._set_leading(False)
            return

    async def release(self) -> None:
        """Give the Lease up (once this replica's work has stopped): the standby takes over at
        its next look instead of waiting ``lease_duration``. Also after the lead was lost to
        the renew deadline: the write carries the resourceVersion of this replica's last
        renewal, so it succeeds only if nobody has written the Lease since (otherwise a 409,
        and nothing changes). Best effort: if it fails, the Lease simply expires."""
        mine = self._lease is not None and LeaseRecord.of(self._lease).holder == self.identity
        if self._lease is None or not mine or self.holder not in ("", self.identity):
            return
        self.holder = ""
        self._set_leading(False)
        try:
            async with asyncio.timeout(self.timing.renew_deadline):
                await self._give_up(self._lease)
        except (KubeApiError, TimeoutError) as error:
            logger.warning("Leader election: could not release the Lease (it expires): %s", error)
            return
        logger.info("Leader election: %s released the Lease", self.identity)

    async def _give_up(self, lease: dict[str, Any]) -> None:
        """Write the Lease released. A 409 can be this replica's own doing: a renewal cancelled
        on the wire (the renewing task stops before the release) that the API server still
        wrote. So on a 409 the Lease is read again, and released at its new version if this
        replica still holds it; held by another replica, it is left alone."""
        now = datetime.datetime.now(datetime.UTC)
        try:
            await self.api.replace(lease, released(LeaseRecord.of(lease), now).spec())
        except KubeConflict:
            fresh = await self.api.get()
            if fresh is None or LeaseRecord.of(fresh).holder != self.identity:
                raise
            await self.api.replace(fresh, released(LeaseRecord.of(fresh), now).spec())
