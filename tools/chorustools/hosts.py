"""Where agents live: one network namespace per agent on a Linux bridge (real hosts with
their own address, reached through a veth pair), or, where namespaces cannot be made, all on
127.0.0.1 (no network faults).

Everything a set of hosts creates is named with its prefix (`chx` + 4 hex digits), so `tools/chaos
cleanup` can find and remove it after a crash of the harness. Network faults are nftables rules
on the agent's `eth0` in its own namespace (netdev egress and ingress hooks, so a drop is silent,
as on a real link); the harness reaches every agent's endpoint from the host side of the bridge,
and no rule touches that traffic.
"""

import ipaddress
import os
import shutil

from . import namespace, nft
from .commands import run

GOSSIP_PORT = 7720
HTTP_PORT = 7721
PREFIX_START = "chx"
HOST_MARK = "CHAOS_HOST"  # the environment variable that marks a loopback host's processes
SUBNET_BASE = ipaddress.ip_network("10.213.0.0/16")


class Unsupported(Exception):
    """A fault this kind of host cannot make."""


def namespaces_available() -> str | None:
    """None when namespaces, veth pairs, bridges and nftables work here, else why not."""
    if os.geteuid() != 0:
        return "not root"
    for tool in ("ip", "nft"):
        if not shutil.which(tool):
            return f"no `{tool}` command (apt-get install iproute2 nftables)"
    probe = f"{PREFIX_START}probe{os.getpid() % 10000}"
    try:
        run(["ip", "netns", "add", probe])
    except RuntimeError as error:
        return str(error)
    run(["ip", "netns", "delete", probe], check=False)
    return None


class NetnsHosts:
    """Agent i (0-based) lives in namespace PREFIX-nI+1 at SUBNET.(i+1); the bridge holds .254."""

    kind = "netns"
    network_faults = True

    def __init__(self, prefix: str, count: int) -> None:
        self.prefix = prefix
        self.count = count
        self.subnet = self._free_subnet()
        self.harness_ip = str(self.subnet.network_address + 254)
        self.bridge = f"{prefix}-br"
        self._rules: dict[int, str] = {}

    def _free_subnet(self) -> ipaddress.IPv4Network:
        routes = run(["ip", "-4", "route", "show"])
        used = {line.split()[0] for line in routes.splitlines() if line and line[0].isdigit()}
        start = int(self.prefix[len(PREFIX_START):], 16) % 250
        for k in range(250):
            candidate = list(SUBNET_BASE.subnets(new_prefix=24))[(start + k) % 250 + 1]
            if not any(ipaddress.ip_network(u, strict=False).overlaps(candidate) for u in used):
                return candidate
        raise RuntimeError("no free /24 in 10.213.0.0/16 for the hosts' bridge")

    def namespace(self, i: int) -> str:
        return f"{self.prefix}-n{i + 1}"

    def address(self, i: int) -> str:
        return str(self.subnet.network_address + i + 1)

    def gossip(self, i: int) -> str:
        return f"{self.address(i)}:{GOSSIP_PORT}"

    def http(self, i: int) -> str:
        return f"{self.address(i)}:{HTTP_PORT}"

    def command_prefix(self, i: int) -> list[str]:
        return ["ip", "netns", "exec", self.namespace(i)]

    def create(self) -> None:
        run(["ip", "link", "add", self.bridge, "type", "bridge"])
        run(["ip", "addr", "add", f"{self.harness_ip}/24", "dev", self.bridge])
        run(["ip", "link", "set", self.bridge, "up"])
        for i in range(self.count):
            ns, outer, inner = self.namespace(i), f"{self.prefix}-v{i + 1}", f"{self.prefix}-i{i + 1}"
            run(["ip", "netns", "add", ns])
            run(["ip", "link", "add", outer, "type", "veth", "peer", "name", inner])
            run(["ip", "link", "set", inner, "netns", ns])
            run(["ip", "link", "set", outer, "master", self.bridge])
            run(["ip", "link", "set", outer, "up"])
            inside = self.command_prefix(i)
            run(inside + ["ip", "link", "set", inner, "name", "eth0"])
            run(inside + ["ip", "addr", "add", f"{self.address(i)}/24", "dev", "eth0"])
            run(inside + ["ip", "link", "set", "eth0", "up"])
            run(inside + ["ip", "link", "set", "lo", "up"])
            self.set_rules(i, loss=0, drop_out=set(), drop_in=set())

    def set_rules(self, i: int, loss: int, drop_out: set[int], drop_in: set[int]) -> None:
        """Replaces host i's fault rules: `loss` % of what it sends to other agents is dropped,
        everything it sends to `drop_out` and receives from `drop_in` (agent indexes) too."""
        script = nft.host_faults_script("eth0", [self.address(j) for j in sorted(drop_out)],
                                        [self.address(j) for j in sorted(drop_in)], loss, self.harness_ip)
        if self._rules.get(i) == script:
            return
        self._rules[i] = script
        nft.load(script, inside=self.command_prefix(i))

    def processes(self, i: int) -> list[int]:
        out = run(["ip", "netns", "pids", self.namespace(i)], check=False)
        return [int(p) for p in out.split()]

    def destroy(self) -> None:
        destroy_prefix(self.prefix)


class LoopbackHosts:
    """Every agent on 127.0.0.1 with its own ports (a block of 40 picked by the prefix: up to 20
    agents without reaching the next prefix's block): process faults only."""

    kind = "loopback"
    network_faults = False
    harness_ip = "127.0.0.1"

    def __init__(self, prefix: str, count: int) -> None:
        self.prefix = prefix
        self.count = count
        self.base = 17720 + 40 * (int(prefix[len(PREFIX_START):], 16) % 200)

    def address(self, i: int) -> str:
        return "127.0.0.1"

    def gossip(self, i: int) -> str:
        return f"127.0.0.1:{self.base + 2 * i}"

    def http(self, i: int) -> str:
        return f"127.0.0.1:{self.base + 2 * i + 1}"

    def command_prefix(self, i: int) -> list[str]:
        return []

    def create(self) -> None:
        pass

    def set_rules(self, i: int, loss: int, drop_out: set[int], drop_in: set[int]) -> None:
        if loss or drop_out or drop_in:
            raise Unsupported("network faults need network namespaces")

    def processes(self, i: int) -> list[int]:
        """The host's processes: those started with its host mark (the agent and its tasks)."""
        mark = f"{HOST_MARK}={host_mark(self.prefix, i)}".encode()
        found = []
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    with open(f"/proc/{entry}/environ", "rb") as f:
                        if mark in f.read().split(b"\0"):
                            found.append(int(entry))
                except OSError:
                    pass
        return found

    def destroy(self) -> None:
        pass


def host_mark(prefix: str, i: int) -> str:
    """Set as HOST_MARK in every process of host i (its agent, and so its tasks), so loopback
    hosts can find theirs."""
    return f"{prefix}-n{i + 1}"


def destroy_prefix(prefix: str) -> list[str]:
    """Kills every process in the prefix's namespaces and deletes them, its veths and its bridge."""
    removed = []
    for ns in run(["ip", "netns", "list"], check=False).splitlines():
        name = ns.split()[0] if ns.split() else ""
        if name.startswith(prefix + "-"):
            namespace.delete(name)
            removed.append(name)
    for line in run(["ip", "-o", "link", "show"], check=False).splitlines():
        parts = line.split(": ")
        if len(parts) > 1:
            link = parts[1].split("@")[0]
            if link.startswith(prefix + "-"):
                run(["ip", "link", "delete", link], check=False)
                removed.append(link)
    return removed


def leftover_prefixes() -> set[str]:
    """Prefixes of every chaos namespace or link that exists now."""
    names = [ns.split()[0] for ns in run(["ip", "netns", "list"], check=False).splitlines() if ns.split()]
    for line in run(["ip", "-o", "link", "show"], check=False).splitlines():
        parts = line.split(": ")
        if len(parts) > 1:
            names.append(parts[1].split("@")[0])
    found = set()
    for name in names:
        head = name.split("-")[0]
        if head.startswith(PREFIX_START) and len(head) == len(PREFIX_START) + 4 and "-" in name:
            found.add(head)
    return found
