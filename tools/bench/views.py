"""What every agent reports about every member, and when each report changed.

Both systems feed the same store (Chorus by polling its HTTP endpoint, Serf through its log
stream), so every figure is computed by one piece of code for both.
"""

import threading
import time
from dataclasses import dataclass

# One vocabulary for both systems; Serf's "failed" is recorded as DEAD.
ALIVE = "alive"
SUSPECT = "suspect"
DEAD = "dead"
LEFT = "left"
GONE = "gone"  # no longer listed at all (reaped)


def now() -> float:
    """The one clock of the benchmark: monotonic seconds."""
    return time.monotonic()


@dataclass(frozen=True)
class Change:
    at: float
    observer: str
    subject: str
    status: str


class MembershipViews:
    """Latest status per (observer, subject) plus the log of changes.

    Thread-safe: watcher threads write, the measuring thread reads; one lock guards both.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._views: dict[str, dict[str, str]] = {}
        self._changes: list[Change] = []
        # Times of each (observer, subject, status), so the measuring thread's frequent
        # first_report() does not scan every change (thousands at N=50) and steal CPU.
        self._times: dict[tuple[str, str, str], list[float]] = {}

    def report(self, observer: str, subject: str, status: str, at: float) -> None:
        with self._lock:
            self._record(observer, subject, status, at)

    def report_snapshot(self, observer: str, statuses: dict[str, str], at: float) -> None:
        """A full member list from `observer`; members it no longer lists become GONE."""
        with self._lock:
            for subject in self._views.get(observer, {}).keys() - statuses.keys():
                self._record(observer, subject, GONE, at)
            for subject, status in statuses.items():
                self._record(observer, subject, status, at)

    def _record(self, observer: str, subject: str, status: str, at: float) -> None:
        view = self._views.setdefault(observer, {})
        if view.get(subject) != status:
            view[subject] = status
            self._changes.append(Change(at, observer, subject, status))
            self._times.setdefault((observer, subject, status), []).append(at)

    def all_see_alive(self, observers: list[str], members: list[str]) -> bool:
        """True when every observer reports every other member alive (self is not required)."""
        with self._lock:
            return all(
                self._views.get(observer, {}).get(subject) == ALIVE
                for observer in observers
                for subject in members
                if subject != observer
            )

    def alive_count(self, observer: str, members: list[str]) -> int:
        """How many of the other members `observer` reports alive."""
        with self._lock:
            view = self._views.get(observer, {})
            return sum(1 for subject in members if subject != observer and view.get(subject) == ALIVE)

    def first_report(self, observer: str, subject: str, status: str, since: float) -> float | None:
        with self._lock:
            times = self._times.get((observer, subject, status), [])
            return min((at for at in times if at >= since), default=None)

    def changes_to(self, status: str, since: float, until: float = float("inf")) -> list[Change]:
        with self._lock:
            return [c for c in self._changes if c.status == status and since <= c.at <= until]
