"""A private network namespace for one benchmark run, and the nftables rules used inside it.

Every agent of the run lives on the namespace's own loopback, so nothing else on the host
shares its ports or its packet counters, and deleting the namespace removes every rule.
"""

import contextlib
import ctypes
import json
import os
import signal
import subprocess

_CLONE_NEWNET = 0x40000000
_NETNS_DIR = "/run/netns"
_libc = ctypes.CDLL(None, use_errno=True)


def _setns(fd: int) -> None:
    if _libc.setns(fd, _CLONE_NEWNET) != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"setns failed: {os.strerror(errno)}")


def _run(argv: list[str], stdin: str | None = None, check: bool = True) -> str:
    done = subprocess.run(argv, input=stdin, capture_output=True, text=True, timeout=30)
    if check and done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed: {done.stderr.strip()}")
    return done.stdout


class Namespace:
    """Creates `chorusbench-<pid>`, moves the calling thread into it, and undoes both on exit.

    Enter it before starting any thread or process: threads and children inherit the
    namespace of the thread that creates them, so everything started later lives inside.
    """

    PREFIX = "chorusbench-"

    def __init__(self) -> None:
        self.name = f"{self.PREFIX}{os.getpid()}"
        self._original_fd: int | None = None

    def __enter__(self) -> "Namespace":
        remove_stale_namespaces()
        _run(["ip", "netns", "add", self.name])
        self._original_fd = os.open("/proc/self/ns/net", os.O_RDONLY)
        target_fd = os.open(os.path.join(_NETNS_DIR, self.name), os.O_RDONLY)
        try:
            _setns(target_fd)
        finally:
            os.close(target_fd)
        _run(["ip", "link", "set", "lo", "up"])
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._original_fd is not None:
            _setns(self._original_fd)
            os.close(self._original_fd)
            self._original_fd = None
        _run(["ip", "netns", "delete", self.name], check=False)


def remove_stale_namespaces() -> None:
    """Cleans up after earlier runs whose process no longer exists (e.g. the benchmark got kill -9):
    kills the agents they left inside their namespace, then deletes it."""
    if not os.path.isdir(_NETNS_DIR):
        return
    for entry in os.listdir(_NETNS_DIR):
        owner = entry.removeprefix(Namespace.PREFIX)
        if entry.startswith(Namespace.PREFIX) and owner.isdigit() and not os.path.exists(f"/proc/{owner}"):
            for pid in _run(["ip", "netns", "pids", entry], check=False).split():
                with contextlib.suppress(ProcessLookupError):
                    os.kill(int(pid), signal.SIGKILL)
            _run(["ip", "netns", "delete", entry], check=False)


def _nft_script(script: str) -> None:
    _run(["nft", "-f", "-"], stdin=script)


def _delete_table(table: str) -> None:
    _run(["nft", "delete", "table", "inet", table], check=False)


def _counters_by_comment(table: str) -> dict[str, tuple[int, int]]:
    """(packets, bytes) of every rule of `table` that has a counter and a comment, summed by comment."""
    listing = json.loads(_run(["nft", "-j", "list", "table", "inet", table]))
    totals: dict[str, tuple[int, int]] = {}
    for item in listing["nftables"]:
        rule = item.get("rule")
        if not rule or "comment" not in rule:
            continue
        for expr in rule["expr"]:
            if "counter" in expr:
                packets, octets = totals.get(rule["comment"], (0, 0))
                totals[rule["comment"]] = (packets + expr["counter"]["packets"], octets + expr["counter"]["bytes"])
    return totals


class TrafficCounters:
    """Counts what each agent sends from its gossip port, the same way for every system.

    UDP is counted per agent by source port. TCP on gossip ports (state sync) is counted for
    the whole cluster: each TCP packet between agents has exactly one gossip port, as source
    (the server side) or as destination (the client side, whose source port is ephemeral).
    Byte counts include the IP and UDP/TCP headers.
    """

    TABLE = "chorusbench_traffic"
    TCP_KEY = "tcp"

    def __init__(self, gossip_ports: dict[str, int]) -> None:
        self._ports = gossip_ports

    def __enter__(self) -> "TrafficCounters":
        port_set = ", ".join(str(port) for port in sorted(self._ports.values()))
        rules = [f'udp sport {port} counter comment "{name}"' for name, port in self._ports.items()]
        rules.append(f'tcp sport {{ {port_set} }} counter comment "{self.TCP_KEY}"')
        rules.append(f'tcp dport {{ {port_set} }} counter comment "{self.TCP_KEY}"')
        body = "\n".join(f"    {rule}" for rule in rules)
        _delete_table(self.TABLE)
        _nft_script(
            f"table inet {self.TABLE} {{\n  chain out {{\n"
            f"    type filter hook output priority 0; policy accept;\n{body}\n  }}\n}}\n"
        )
        return self

    def __exit__(self, *exc_info: object) -> None:
        _delete_table(self.TABLE)

    def read(self) -> dict[str, tuple[int, int]]:
        return _counters_by_comment(self.TABLE)


class PacketLoss:
    """Drops a random share of all UDP packets in the namespace, silently, as a lossy link would.

    This kernel has no netem, so loss comes from nftables' random number generator. The default
    `input` hook drops on arrival, unseen by the sender. A drop on the `output` hook is not
    silent: the sender's sendmsg() fails with EPERM, which no real link does; it is available to
    test how an agent copes with send errors. The rule counts what it sees and drops, so the
    run can report the share actually dropped.
    """

    TABLE = "chorusbench_loss"

    def __init__(self, percent: int, hook: str = "input") -> None:
        self.percent = percent
        self.hook = hook

    def __enter__(self) -> "PacketLoss":
        _delete_table(self.TABLE)
        _nft_script(
            f"table inet {self.TABLE} {{\n  chain loss {{\n"
            f"    type filter hook {self.hook} priority -10; policy accept;\n"
            f'    meta l4proto udp counter comment "seen"\n'
            f'    meta l4proto udp numgen random mod 100 < {self.percent} counter drop comment "dropped"\n'
            f"  }}\n}}\n"
        )
        return self

    def __exit__(self, *exc_info: object) -> None:
        _delete_table(self.TABLE)

    def dropped_share_percent(self) -> float | None:
        counters = _counters_by_comment(self.TABLE)
        seen = counters.get("seen", (0, 0))[0]
        dropped = counters.get("dropped", (0, 0))[0]
        return 100.0 * dropped / seen if seen else None
