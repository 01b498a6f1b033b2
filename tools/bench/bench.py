#!/usr/bin/env python3
"""Benchmarks Chorus beside HashiCorp Serf on one machine and writes the figures.

    sudo python3 tools/bench/bench.py --systems chorus,serf --sizes 5,25,50 \\
        --out docs/benchmarks/results.md [--loss-duration 120] [--losses 10,20] [--quick]

Needs root (network namespaces, nftables), `nft`, `ip`, and `serf` on PATH. Every run lives in
a private network namespace that is deleted at the end, also on Ctrl-C or error, and every
agent is killed by process group. Python 3.11 standard library only.
"""

import argparse
import base64
import datetime
import os
import platform
import shlex
import shutil
import signal
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # tools/, for chorustools

from chorustools import agents  # noqa: E402
from chorustools.namespace import Namespace  # noqa: E402
from clusters import ChorusCluster, Cluster, SerfCluster, chorus_version, serf_version  # noqa: E402
from measure import Settings, run_false_positives, run_size  # noqa: E402
import report  # noqa: E402

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--systems", default="chorus,serf", help="comma-separated: chorus, serf")
    parser.add_argument("--sizes", default="5,25,50", help="cluster sizes, comma-separated")
    parser.add_argument("--out", default="docs/benchmarks/results.md", help="markdown output; JSON goes beside it")
    parser.add_argument("--losses", default="10,20", help="UDP loss percentages for the false-positive runs; '' skips them")
    parser.add_argument("--loss-duration", type=float, default=120.0, help="seconds of loss per false-positive run")
    parser.add_argument("--loss-size", type=int, default=25, help="cluster size of the false-positive runs")
    parser.add_argument(
        "--loss-hook", default="input", choices=["input", "output"],
        help="where loss is injected: input drops silently (a lossy link); output makes sendmsg fail with EPERM",
    )
    parser.add_argument(
        "--repeats", type=int, default=1,
        help="sudden deaths and graceful leaves per run (each on another agent; all delays pooled)",
    )
    parser.add_argument("--idle-seconds", type=float, default=30.0, help="idle measurement window")
    parser.add_argument("--poll-interval", type=float, default=0.05, help="seconds between polls of each Chorus agent")
    parser.add_argument(
        "--chorus-observe", default="poll", choices=["poll", "log"],
        help="how Chorus views are read: poll GET /v1/members, or read each agent's JSON log as Serf's log is read",
    )
    parser.add_argument("--preset", default="lan", choices=["lan", "local", "wan"], help="Chorus timing preset")
    parser.add_argument("--chorus-bin", help="default: .build/release/chorus if present, else .build/debug/chorus")
    parser.add_argument("--serf-bin", default="serf")
    parser.add_argument("--base-port", type=int, default=20000, help="first port; each run takes the next free block")
    parser.add_argument("--work-dir", help="agent logs and data (default: a temporary directory)")
    parser.add_argument("--keep-work", action="store_true", help="keep the work directory even when all runs succeed")
    parser.add_argument(
        "--keyring", default="off", choices=["off", "on", "both"],
        help="gossip encryption: on gives every Chorus agent one shared [gossip] keyring_file and every Serf agent "
             "-encrypt with the same 32-byte key; both runs every system without, then with it (columns SYSTEM+keyring)",
    )
    parser.add_argument("--quick", action="store_true", help="smoke check: N=5 only, 20 s loss runs, 10 s idle window")
    args = parser.parse_args(argv)
    if args.quick:
        args.sizes, args.loss_size, args.loss_duration, args.idle_seconds = "5", 5, 20.0, 10.0
    return args


def _csv(text: str) -> list[str]:
    return [item.strip() for item in text.split(",") if item.strip()]


def find_chorus_binary(explicit: str | None) -> str:
    binary = agents.find_binary(REPO_ROOT, explicit)
    if not os.access(binary, os.X_OK):
        sys.exit(f"bench: no chorus binary at {binary}; build it with `swift build -c release`")
    return os.path.abspath(binary)


def keyring_modes(choice: str) -> list[bool]:
    """Whether each run of a system has its gossip encrypted, in order."""
    return {"off": [False], "on": [True], "both": [False, True]}[choice]


class ClusterFactory:
    """Builds clusters for each run, each on its own block of ports. Encrypted clusters of both
    systems share one random 32-byte key: a keyring file (0600) for Chorus, `-encrypt` for Serf."""

    def __init__(self, args: argparse.Namespace, work_dir: str, chorus_binary: str | None) -> None:
        self._args = args
        self._work_dir = work_dir
        self._chorus_binary = chorus_binary
        self._next_port = args.base_port
        self._key = base64.b64encode(os.urandom(32)).decode()
        self._keyring_file = os.path.join(work_dir, "gossip.keyring")

    def _shared_keyring_file(self) -> str:
        if not os.path.exists(self._keyring_file):
            descriptor = os.open(self._keyring_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "w") as out:
                out.write(self._key + "\n")
        return self._keyring_file

    def make(self, system: str, size: int, keyring: bool = False) -> Cluster:
        common = dict(size=size, base_port=self._next_port, work_dir=self._work_dir, poll_interval=self._args.poll_interval)
        self._next_port += 2 * size + 10
        if system == "chorus":
            return ChorusCluster(
                binary=self._chorus_binary, preset=self._args.preset, observe=self._args.chorus_observe,
                keyring_file=self._shared_keyring_file() if keyring else None, **common
            )
        return SerfCluster(binary=self._args.serf_bin, encrypt_key=self._key if keyring else None, **common)


def _progress(message: str) -> None:
    print(f"[{datetime.datetime.now():%H:%M:%S}] {message}", file=sys.stderr, flush=True)


def _attempt(label: str, run) -> dict:
    """Runs one measurement; a failure becomes an error entry so the other runs still happen."""
    _progress(f"{label}: start")
    try:
        result = run()
    except Exception as error:  # noqa: BLE001 - reported in the results, never hidden
        _progress(f"{label}: ERROR {error}")
        return {"error": str(error)}
    _progress(f"{label}: done")
    return result


def run_all(args: argparse.Namespace, factory: ClusterFactory, systems: list[str]) -> tuple[dict, dict]:
    """Every system, without and/or with its keyring (`--keyring`), at every size, then under loss."""
    settings = Settings(idle_seconds=args.idle_seconds, loss_hook=args.loss_hook, repeats=args.repeats)
    runs: dict = {}
    false_positives: dict = {}
    for system in systems:
        for keyring in keyring_modes(args.keyring):
            label = report.column(system, keyring)
            runs[label], false_positives[label] = {}, {}
            for size in (int(n) for n in _csv(args.sizes)):
                cluster = factory.make(system, size, keyring)
                runs[label][str(size)] = _attempt(f"{label} N={size}", lambda: run_size(cluster, settings))
            for loss in _csv(args.losses):
                cluster = factory.make(system, args.loss_size, keyring)
                false_positives[label][loss] = _attempt(
                    f"{label} N={args.loss_size} loss={loss}%",
                    lambda: run_false_positives(cluster, int(loss), args.loss_duration, settings),
                )
    return runs, false_positives


def _raise_interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    systems = _csv(args.systems)
    if unknown := set(systems) - set(report.SYSTEMS):
        sys.exit(f"bench: unknown systems {sorted(unknown)}")
    if os.geteuid() != 0:
        sys.exit("bench: needs root for network namespaces and nftables")
    chorus_binary = find_chorus_binary(args.chorus_bin) if "chorus" in systems else None
    if chorus_binary:
        print(f"bench: chorus binary {chorus_binary}", file=sys.stderr)
    if "serf" in systems and not shutil.which(args.serf_bin):
        sys.exit(f"bench: {args.serf_bin} not found (apt-get install serf)")

    # Both signals unwind through every `finally`, even when started in the background
    # (where a shell leaves SIGINT ignored).
    signal.signal(signal.SIGINT, _raise_interrupt)
    signal.signal(signal.SIGTERM, _raise_interrupt)
    work_dir = args.work_dir or tempfile.mkdtemp(prefix="chorusbench-")
    os.makedirs(work_dir, exist_ok=True)
    factory = ClusterFactory(args, work_dir, chorus_binary)
    try:
        with Namespace():
            runs, false_positives = run_all(args, factory, systems)
    except KeyboardInterrupt:
        print(f"bench: interrupted; agent logs in {work_dir}", file=sys.stderr)
        return 130

    out = os.path.abspath(args.out)
    json_path = os.path.splitext(out)[0] + ".json"
    results = {
        "runs": runs,
        "false_positives": false_positives,
        "meta": _meta(args, chorus_binary, json_path),
    }
    print(report.plain_table(results))
    os.makedirs(os.path.dirname(out), exist_ok=True)
    report.write(results, out, json_path)
    print(f"\nbench: wrote {out} and {json_path}", file=sys.stderr)

    failed = bool(report.errors(results))
    if failed or args.keep_work:
        print(f"bench: agent logs kept in {work_dir}", file=sys.stderr)
    else:
        shutil.rmtree(work_dir, ignore_errors=True)
    return 1 if failed else 0


def _meta(args: argparse.Namespace, chorus_binary: str | None, json_path: str) -> dict:
    systems = _csv(args.systems)
    return {
        "columns": [report.column(s, k) for s in systems for k in keyring_modes(args.keyring)],
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "host": platform.node(),
        "kernel": platform.release(),
        "cpus": os.cpu_count(),
        "command": "python3 tools/bench/bench.py " + shlex.join(sys.argv[1:]),
        "json_name": os.path.basename(json_path),
        "chorus_binary": chorus_binary,
        "chorus_version": chorus_version(chorus_binary) if chorus_binary else None,
        "serf_binary": shutil.which(args.serf_bin) if "serf" in systems else None,
        "serf_version": serf_version(args.serf_bin) if "serf" in systems else None,
        "chorus_binary_bytes": os.path.getsize(chorus_binary) if chorus_binary else None,
        "serf_binary_bytes": os.path.getsize(shutil.which(args.serf_bin)) if "serf" in systems else None,
        "settings": {
            "preset": args.preset,
            "sizes": args.sizes,
            "losses": args.losses,
            "loss_size": args.loss_size,
            "loss_duration": args.loss_duration,
            "loss_hook": args.loss_hook,
            "idle_seconds": args.idle_seconds,
            "poll_interval": args.poll_interval,
            "chorus_observe": args.chorus_observe,
            "repeats": args.repeats,
            "keyring": args.keyring,
        },
    }


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
