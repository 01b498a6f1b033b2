#!/usr/bin/env python3
"""Join storm: N Chorus agents started at once on loopback, counting false deaths.

Issue 15: 49 agents started at once on a 2-core host declared live members failed in 3 of 6
trials. Each trial here starts one seed and, without waiting for it, N - 1 joiners through it,
then watches every agent's JSON log for `duration` seconds. A *false death* is a
`member-failed` record (status `dead`) about a member whose process was running at that moment:
nothing is killed, so any death is false unless the subject's process had exited by then.

    python3 tools/bench/joinstorm.py --trials 5                    # 50 agents, 5 trials
    python3 tools/bench/joinstorm.py --trials 5 --cpus 0           # all agents on one core
    python3 tools/bench/joinstorm.py --trials 5 --hogs 2           # two busy loops beside them

Standard library only. Uses `.build/release/chorus` unless `--binary` says otherwise. Prints a
table; `--out FILE` also writes it as markdown and the raw figures as FILE.json.
"""

import argparse
import contextlib
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # tools/, for chorustools

from clusters import ChorusCluster, chorus_version  # noqa: E402
from views import DEAD, SUSPECT, now  # noqa: E402


class PinnedChorusCluster(ChorusCluster):
    """Chorus agents optionally pinned to a CPU list with taskset (exec'd: the pid is the agent's)."""

    def __init__(self, cpus: str | None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.cpus = cpus

    def _spawn(self, agent, argv, read_log, env=None):
        if self.cpus:
            argv = ["taskset", "-c", self.cpus, *argv]
        super()._spawn(agent, argv, read_log, env)


def start_hogs(count: int, cpus: str | None) -> list[subprocess.Popen]:
    """Busy loops that compete with the agents for the CPU (pinned like them when `cpus` is set)."""
    argv = [sys.executable, "-c", "while True: pass"]
    if cpus:
        argv = ["taskset", "-c", cpus, *argv]
    return [subprocess.Popen(argv, start_new_session=True) for _ in range(count)]


def stop_hogs(hogs: list[subprocess.Popen]) -> None:
    for hog in hogs:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(hog.pid, signal.SIGKILL)
        hog.wait()


def run_trial(index: int, args: argparse.Namespace, work_dir: str) -> dict:
    cluster = PinnedChorusCluster(
        cpus=args.cpus, binary=args.binary, preset=args.preset, observe="log", size=args.agents,
        base_port=args.base_port, work_dir=os.path.join(work_dir, f"trial{index}"), poll_interval=0.05,
    )
    cluster.prepare()
    load_before = os.getloadavg()
    hogs = start_hogs(args.hogs, args.cpus)
    exited_at: dict[str, float] = {}
    converged_after = None
    load_peak = load_before[0]
    try:
        started = now()
        cluster.start_seed()
        cluster.start_joiners()  # at once: the seed is not waited for
        while now() - started < args.duration:
            time.sleep(0.1)
            load_peak = max(load_peak, os.getloadavg()[0])
            for agent in cluster.agents:
                if agent.has_exited() and agent.name not in exited_at:
                    exited_at[agent.name] = now()
            if converged_after is None and cluster.views.all_see_alive(cluster.names, cluster.names):
                converged_after = now() - started
        deaths = cluster.views.changes_to(DEAD, since=started)
        false_deaths = [d for d in deaths if d.at < exited_at.get(d.subject, float("inf"))]
        suspicions = cluster.views.changes_to(SUSPECT, since=started)
        all_alive_at_end = cluster.views.all_see_alive(cluster.names, cluster.names)
    finally:
        cluster.stop()
        stop_hogs(hogs)
    return {
        "trial": index + 1,
        "false_deaths": len(false_deaths),
        "falsely_dead_members": len({d.subject for d in false_deaths}),
        "accusers": len({d.observer for d in false_deaths}),
        "suspicions": len(suspicions),
        "suspected_members": len({s.subject for s in suspicions}),
        "exited": sorted(exited_at),
        "converged_after_s": None if converged_after is None else round(converged_after, 2),
        "all_alive_at_end": all_alive_at_end,
        "load_before": [round(x, 2) for x in load_before],
        "load_peak_1m": round(load_peak, 2),
        "examples": [f"{d.observer} declared {d.subject} dead at +{d.at - started:.2f}s" for d in false_deaths[:5]],
        "logs": cluster.work_dir,
    }


def table(results: list[dict]) -> str:
    lines = [
        "| trial | false deaths | members falsely dead | accusers | suspicions (members) | all see all alive after | all alive at end | load 1m before / peak |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        converged = "never" if r["converged_after_s"] is None else f"{r['converged_after_s']:.1f} s"
        lines.append(
            f"| {r['trial']} | {r['false_deaths']} | {r['falsely_dead_members']} | {r['accusers']} | "
            f"{r['suspicions']} ({r['suspected_members']}) | {converged} | {'yes' if r['all_alive_at_end'] else 'no'} | "
            f"{r['load_before'][0]:.2f} / {r['load_peak_1m']:.2f} |"
        )
    total = sum(r["false_deaths"] for r in results)
    with_deaths = sum(1 for r in results if r["false_deaths"])
    lines.append("")
    lines.append(f"false deaths: {total} in total; trials with any: {with_deaths} of {len(results)}")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    parser.add_argument("--binary", default=os.path.join(root, ".build", "release", "chorus"))
    parser.add_argument("--agents", type=int, default=50)
    parser.add_argument("--trials", type=int, default=5)
    parser.add_argument("--duration", type=float, default=40, help="seconds watched per trial")
    parser.add_argument("--preset", default="lan")
    parser.add_argument("--base-port", type=int, default=47100)
    parser.add_argument("--cpus", help="pin agents (and hogs) to this CPU list with taskset, e.g. 0")
    parser.add_argument("--hogs", type=int, default=0, help="busy-loop processes started with each trial")
    parser.add_argument("--pause", type=float, default=5, help="seconds between trials")
    parser.add_argument("--keep", action="store_true", help="keep the agents' logs")
    parser.add_argument("--out", help="write the table as markdown here, the raw figures beside it as .json")
    args = parser.parse_args()
    if not os.access(args.binary, os.X_OK):
        print(f"no chorus binary at {args.binary} (swift build -c release --product chorus)", file=sys.stderr)
        return 2
    work_dir = tempfile.mkdtemp(prefix="joinstorm-")
    header = (
        f"{args.agents} agents at once, preset {args.preset}, {args.trials} trials of {args.duration:.0f} s; "
        f"cpus {args.cpus or 'all'}, hogs {args.hogs}; {os.cpu_count()} CPUs, {platform.platform()}; "
        f"{chorus_version(args.binary)} ({args.binary})"
    )
    print(header, flush=True)
    results = []
    try:
        for index in range(args.trials):
            result = run_trial(index, args, work_dir)
            results.append(result)
            print(f"trial {index + 1}: {result['false_deaths']} false deaths of {result['falsely_dead_members']} members, "
                  f"{result['suspicions']} suspicions, converged after {result['converged_after_s']} s, "
                  f"load {result['load_before'][0]} -> peak {result['load_peak_1m']}", flush=True)
            for example in result["examples"]:
                print(f"  {example}", flush=True)
            if index + 1 < args.trials:
                time.sleep(args.pause)
    finally:
        if not args.keep:
            shutil.rmtree(work_dir, ignore_errors=True)
    report = table(results)
    print(report)
    if args.out:
        with open(args.out, "w") as out:
            out.write(f"{header}\n\n{report}\n")
        with open(os.path.splitext(args.out)[0] + ".json", "w") as out:
            json.dump({"header": header, "trials": results}, out, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
