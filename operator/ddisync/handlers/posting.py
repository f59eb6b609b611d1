"""Kubernetes Events from the operator's background tasks (the drift sweep).

``kopf.event()`` finds kopf's Event queue in context variables that kopf sets only inside the
task that processes a resource. The catalog's watch-event handlers run in such tasks and hand
the two values over once (``hand_over``); a background task takes them up (``take_up``) before
it announces anything. Internal to kopf, like the sweep's status write: ``kopf`` is pinned and
the drift e2e test checks the Event.
"""

from __future__ import annotations

import kopf
from kopf._core.engines import posting

_KEY = "event_queue"


def hand_over(memo: kopf.Memo) -> None:
    """In a resource's task: remember kopf's Event queue for the background tasks."""
    if _KEY not in memo.shared:
        memo.shared[_KEY] = (posting.event_queue_loop_var.get(), posting.event_queue_var.get())


def take_up(memo: kopf.Memo) -> bool:
    """In a background task: use the queue handed over; False if none was yet (no resource)."""
    handed = memo.shared.get(_KEY)
    if handed is None:
        return False
    loop, queue = handed
    posting.event_queue_loop_var.set(loop)
    posting.event_queue_var.set(queue)
    return True
