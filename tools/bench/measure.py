"""The measured scenarios: join, idle cost, sudden death, graceful leave, false positives under loss.

Each function drives a Cluster and reads its MembershipViews, so both systems are measured by
the same code. Every wait is bounded; a timeout is a result (seen by k of m), not a hang.
"""

import os
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

from clusters import Cluster
from chorustools.nft import PacketLoss, TrafficCounters
from views import DEAD, LEFT, SUSPECT, now


@dataclass(frozen=True)
class Settings:
    convergence_timeout: float = 90.0
    detection_timeout: float = 60.0
    leave_timeout: float = 20.0
    idle_seconds: float = 30.0
    settle_seconds: float = 5.0
    loss_grace_seconds: float = 10.0  # a suspicion started under loss may end in a death just after
    loss_hook: str = "input"  # see PacketLoss
    repeats: int = 1  # sudden deaths and graceful leaves per run, each on a different agent


class NotConverged(RuntimeError):
    pass


def wait_until(predicate: Callable[[], bool], timeout: float, interval: float = 0.02) -> bool:
    deadline = now() + timeout
    while not predicate():
        if now() > deadline:
            return False
        time.sleep(interval)
    return True


# -- join ----------------------------------------------------------------------------------


def start_and_converge(cluster: Cluster, settings: Settings) -> float:
    """Starts the seed, then every joiner; returns seconds from the first joiner's start until
    every agent reports every other one alive. The seed's own start-up is not counted."""
    cluster.prepare()
    cluster.start_seed()
    cluster.wait_seed_ready(timeout=30)
    with cluster.watching():
        started = now()
        cluster.start_joiners()
        if not wait_until(lambda: cluster.views.all_see_alive(cluster.names, cluster.names), settings.convergence_timeout):
            raise NotConverged(_convergence_summary(cluster, settings.convergence_timeout))
        return now() - started


def _convergence_summary(cluster: Cluster, timeout: float) -> str:
    others = len(cluster.names) - 1
    counts = {observer: cluster.views.alive_count(observer, cluster.names) for observer in cluster.names}
    lagging = [f"{observer} sees {count}" for observer, count in counts.items() if count < others]
    exited = [agent.name for agent in cluster.agents if agent.has_exited()]
    if not any(counts.values()):
        lagging = ["no agent reported any member (for Chorus, try the other --chorus-observe)"]
    return (
        f"{cluster.system} N={len(cluster.agents)} did not converge in {timeout:.0f} s; "
        f"lagging (others seen alive, of {others}): {', '.join(lagging[:10])}"
        + (f"; exited: {', '.join(exited)}" if exited else "")
        + f"; logs in {cluster.work_dir}"
    )


# -- idle cost -----------------------------------------------------------------------------

_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _cpu_seconds(pid: int) -> float:
    # Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS


MEMORY_FIGURES = ("rss_mib", "pss_mib", "anonymous_mib", "file_mib")


def _memory_mib(pid: int) -> dict[str, float]:
    """The agent's resident memory from /proc/PID/smaps_rollup: all of it (RSS), its share of
    pages shared with other processes (PSS: N agents of one binary share its text and
    libraries), its own heap and stacks (anonymous), and the pages of mapped files (RSS less
    anonymous: binary, libraries, ICU data)."""
    kib = {}
    with open(f"/proc/{pid}/smaps_rollup") as rollup:
        for line in rollup:
            key, _, value = line.partition(":")
            if value.strip().endswith("kB"):
                kib[key] = int(value.split()[0])
    return {"rss_mib": kib["Rss"] / 1024, "pss_mib": kib["Pss"] / 1024, "anonymous_mib": kib["Anonymous"] / 1024,
            "file_mib": (kib["Rss"] - kib["Anonymous"]) / 1024}


def _host_cpu_times() -> tuple[int, int]:
    """(busy, total) jiffies of the whole machine, from the first line of /proc/stat."""
    with open("/proc/stat") as stat:
        values = [int(v) for v in stat.readline().split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    return sum(values) - idle, sum(values)


def measure_idle(cluster: Cluster, settings: Settings) -> dict:
    """Per agent: memory, CPU share and what it sends from its gossip port over an idle window.

    Nobody polls the agents meanwhile, so the figures are the agents' own cost.
    """
    pids = cluster.pids()
    with TrafficCounters(cluster.gossip_ports()) as counters:
        time.sleep(settings.settle_seconds)
        traffic_before, cpu_before, started = counters.read(), {n: _cpu_seconds(p) for n, p in pids.items()}, now()
        host_before = _host_cpu_times()
        time.sleep(settings.idle_seconds)
        traffic_after, cpu_after, elapsed = counters.read(), {n: _cpu_seconds(p) for n, p in pids.items()}, now() - started
        host_after = _host_cpu_times()

    def rate(name: str, index: int) -> float:
        return (traffic_after.get(name, (0, 0))[index] - traffic_before.get(name, (0, 0))[index]) / elapsed

    cpu_percent = [100 * (cpu_after[n] - cpu_before[n]) / elapsed for n in pids]
    datagrams = [rate(n, 0) for n in pids]
    udp_kbytes = [rate(n, 1) / 1000 for n in pids]
    tcp_kbytes_per_agent = rate(TrafficCounters.TCP_KEY, 1) / 1000 / len(pids)
    memory = [_memory_mib(p) for p in pids.values()]
    return {
        "idle_window_s": elapsed,
        **{figure: _median_max([agent[figure] for agent in memory]) for figure in MEMORY_FIGURES},
        "cpu_percent": _median_max(cpu_percent),
        "udp_datagrams_per_s": _median_max(datagrams),
        "udp_kbytes_per_s": _median_max(udp_kbytes),
        "tcp_kbytes_per_s_mean": tcp_kbytes_per_agent,
        # Anything else running on the machine (a build, tests) slows the agents: shown beside the figures.
        "host_cpu_busy_percent": 100 * (host_after[0] - host_before[0]) / max(1, host_after[1] - host_before[1]),
    }


def _median_max(values: list[float]) -> dict:
    return {"median": statistics.median(values), "max": max(values), "per_agent": values}


# -- failure and leave ---------------------------------------------------------------------


def _propagation(cluster: Cluster, subject: str, status: str, act: Callable[[str], None], timeout: float) -> dict:
    """Acts on `subject`, then times how long each other live agent takes to report `status`."""
    observers = [name for name in cluster.active_names() if name != subject]
    with cluster.watching():
        if not wait_until(lambda: cluster.views.all_see_alive(observers, cluster.active_names()), timeout=15):
            raise NotConverged(f"{cluster.system}: live agents do not all see each other alive before the {status} test")
        acted_at = now()
        act(subject)

        def delays() -> list[float]:
            seen = (cluster.views.first_report(o, subject, status, acted_at) for o in observers)
            return [at - acted_at for at in seen if at is not None]

        wait_until(lambda: len(delays()) == len(observers), timeout)
        latencies = delays()
    mistaken = {o for o in observers if status == LEFT and cluster.views.first_report(o, subject, DEAD, acted_at)}
    return {
        "median_s": statistics.median(latencies) if latencies else None,
        "max_s": max(latencies) if len(latencies) == len(observers) else None,
        "seen_by": len(latencies),
        "observers": len(observers),
        "reported_dead_instead": len(mistaken),
        "latencies_s": sorted(latencies),
    }


def measure_sudden_death(cluster: Cluster, victim: str, settings: Settings) -> dict:
    return _propagation(cluster, victim, DEAD, cluster.kill_hard, settings.detection_timeout)


def measure_graceful_leave(cluster: Cluster, leaver: str, settings: Settings) -> dict:
    return _propagation(cluster, leaver, LEFT, cluster.leave_gracefully, settings.leave_timeout)


# -- whole runs ----------------------------------------------------------------------------


def _combined(events: list[dict]) -> dict:
    """One figure from several deaths (or leaves): every observer's delay counts once."""
    latencies = sorted(latency for event in events for latency in event["latencies_s"])
    complete = all(event["seen_by"] == event["observers"] for event in events)
    return {
        "median_s": statistics.median(latencies) if latencies else None,
        "max_s": max(latencies) if complete and latencies else None,
        "seen_by": sum(event["seen_by"] for event in events),
        "observers": sum(event["observers"] for event in events),
        "reported_dead_instead": sum(event["reported_dead_instead"] for event in events),
        "latencies_s": latencies,
        "events": len(events),
    }


def run_size(cluster: Cluster, settings: Settings) -> dict:
    """Join, idle, then sudden deaths and graceful leaves taken from the end of the list in
    turn (last killed, the one before it leaves, ...), keeping at least three agents."""
    repeats = max(1, min(settings.repeats, (len(cluster.names) - 3) // 2))
    try:
        result: dict = {"join_s": start_and_converge(cluster, settings)}
        result["idle"] = measure_idle(cluster, settings)
        deaths, leaves = [], []
        for turn in range(repeats):
            deaths.append(measure_sudden_death(cluster, cluster.names[-1 - 2 * turn], settings))
            time.sleep(2)  # let the news settle so the next event is measured on its own
            leaves.append(measure_graceful_leave(cluster, cluster.names[-2 - 2 * turn], settings))
            time.sleep(2)
        result["death"], result["leave"] = _combined(deaths), _combined(leaves)
        return result
    finally:
        cluster.stop()


def run_false_positives(cluster: Cluster, loss_percent: int, duration: float, settings: Settings) -> dict:
    """Counts members reported dead while every agent is alive and UDP loses `loss_percent`."""
    try:
        start_and_converge(cluster, settings)
        with cluster.watching():
            with PacketLoss(loss_percent, settings.loss_hook) as loss:
                started = now()
                time.sleep(duration)
                dropped_share = loss.dropped_share_percent()
            time.sleep(settings.loss_grace_seconds)
        ended = now()
        deaths = cluster.views.changes_to(DEAD, started, ended)
        return {
            "loss_percent": loss_percent,
            "duration_s": duration,
            "measured_drop_percent": dropped_share,
            "dead_reports": len(deaths),
            "members_reported_dead": sorted({d.subject for d in deaths}),
            "suspect_reports": (
                len(cluster.views.changes_to(SUSPECT, started, ended)) if cluster.observes_suspicion else None
            ),
            "agents_exited": [agent.name for agent in cluster.agents if agent.has_exited()],
        }
    finally:
        cluster.stop()
