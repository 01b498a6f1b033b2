"""What actually happened, when (seconds since the run started): the faults as they were
applied, which the checks use to tell a violation from an excused consequence of a fault."""

import threading
from collections import Counter


class History:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        # host -> [(start, end or None, kind)]: killed, stopped, paused, restarting
        self.down: dict[int, list[list]] = {}
        # [(start, end or None, kind, hosts, params)]
        self.network: list[list] = []
        self.restarts: dict[int, list[float]] = {}
        self.injected = Counter()
        self.log: list[tuple[float, str]] = []

    def note(self, t: float, text: str) -> None:
        with self.lock:
            self.log.append((t, text))

    def host_down(self, host: int, t: float, kind: str) -> None:
        with self.lock:
            self.down.setdefault(host, []).append([t, None, kind])

    def host_up(self, host: int, t: float, restarted: bool) -> None:
        with self.lock:
            for interval in self.down.get(host, []):
                if interval[1] is None:
                    interval[1] = t
            if restarted:
                self.restarts.setdefault(host, []).append(t)

    def network_start(self, t: float, kind: str, hosts: list[int], params: dict) -> list:
        with self.lock:
            entry = [t, None, kind, hosts, params]
            self.network.append(entry)
            return entry

    def network_end(self, entry: list, t: float) -> None:
        with self.lock:
            entry[1] = t

    # -- questions the checks ask ----------------------------------------------------------------

    def disturbed(self, host: int, since: float, until: float) -> bool:
        """Was the host down (killed, stopped, paused) or restarted at any time in [since, until]?"""
        with self.lock:
            for start, end, _ in self.down.get(host, []):
                if start <= until and (end is None or end >= since):
                    return True
            return any(since <= t <= until for t in self.restarts.get(host, []))

    def down_throughout(self, host: int, since: float, until: float) -> bool:
        """Was the host down (killed, stopped, paused, restarting) without a break over all of [since, until]?"""
        with self.lock:
            return any(start <= since and (end is None or end >= until) for start, end, _ in self.down.get(host, []))

    def restarted(self, host: int, since: float, until: float) -> bool:
        with self.lock:
            return any(since <= t <= until for t in self.restarts.get(host, []))

    def partitioned(self, since: float, until: float, lossy_above: int = 10) -> bool:
        """Was any partition, one-way cut, or loss above `lossy_above` % in force in [since, until]?"""
        with self.lock:
            for start, end, kind, _, params in self.network:
                if start <= until and (end is None or end >= since):
                    if kind in ("partition", "oneway") or params.get("percent", 0) > lossy_above:
                        return True
            return False

    def cut_off(self, host: int, since: float, until: float, lossy_above: int = 10) -> bool:
        """Was `host` on the cut side of a partition or one-way cut, or losing more than
        `lossy_above` % of its packets, at any time in [since, until]?"""
        with self.lock:
            for start, end, kind, hosts, params in self.network:
                if start <= until and (end is None or end >= since) and host in hosts:
                    if kind in ("partition", "oneway") or params.get("percent", 0) > lossy_above:
                        return True
            return False

    def active_network(self, t: float) -> list:
        with self.lock:
            return [e for e in self.network if e[0] <= t and (e[1] is None or e[1] >= t)]

    def last_fault_end(self) -> float:
        """When the last fault healed (0 if none); infinity while one is still in force."""
        with self.lock:
            latest = 0.0
            for intervals in self.down.values():
                for start, end, _ in intervals:
                    if end is None:
                        return float("inf")
                    latest = max(latest, end)
            for start, end, *_ in self.network:
                if end is None:
                    return float("inf")
                latest = max(latest, end)
            for times in self.restarts.values():
                latest = max([latest] + times)
            return latest
