"""nftables faults and counters: silent loss, partitions and one-way cuts, traffic per sender.

Rules are written as nft scripts and loaded with `nft -f -`, in the caller's network namespace or
inside another one (`inside`: a command prefix such as `ip netns exec NS`). This kernel has no
netem, so loss comes from nftables' random number generator (`numgen random mod 100 < P drop`).
"""

import json

from .commands import run


def load(script: str, inside: list[str] = ()) -> None:
    run(list(inside) + ["nft", "-f", "-"], stdin=script)


def delete_table(table: str, family: str = "inet") -> None:
    run(["nft", "delete", "table", family, table], check=False)


def counters_by_comment(table: str) -> dict[str, tuple[int, int]]:
    """(packets, bytes) of every rule of `table` (inet) that has a counter and a comment, summed by comment."""
    listing = json.loads(run(["nft", "-j", "list", "table", "inet", table]))
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


def host_faults_script(device: str, drop_to: list[str], drop_from: list[str], loss: int, spared: str) -> str:
    """One host's fault rules (table netdev chaos, replacing the previous ones) on `device`, in
    the host's own namespace: drop all it sends to `drop_to` and receives from `drop_from`
    (addresses: a partition, or one direction of it), and `loss` % of what it sends to anyone but
    `spared` (the harness's address). Netdev egress and ingress hooks: a drop is silent, as on a
    real link, and the sender's sendmsg() still succeeds."""
    egress, ingress = [], []
    if drop_to:
        egress.append(f"ip daddr {{ {', '.join(drop_to)} }} counter drop")
    if drop_from:
        ingress.append(f"ip saddr {{ {', '.join(drop_from)} }} counter drop")
    if loss:
        egress.append(f"ip daddr != {spared} numgen random mod 100 < {loss} counter drop")
    script = "table netdev chaos\ndelete table netdev chaos\ntable netdev chaos {\n"
    for hook, rules in (("egress", egress), ("ingress", ingress)):
        body = "".join(f"    {rule}\n" for rule in rules)
        script += (f"  chain {hook} {{\n    type filter hook {hook} device \"{device}\" priority 0; policy accept;\n"
                   f"{body}  }}\n")
    return script + "}\n"


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
        delete_table(self.TABLE)
        load(f"table inet {self.TABLE} {{\n  chain out {{\n"
             f"    type filter hook output priority 0; policy accept;\n{body}\n  }}\n}}\n")
        return self

    def __exit__(self, *exc_info: object) -> None:
        delete_table(self.TABLE)

    def read(self) -> dict[str, tuple[int, int]]:
        return counters_by_comment(self.TABLE)


class PacketLoss:
    """Drops a random share of all UDP packets in the namespace, silently, as a lossy link would.

    The default `input` hook drops on arrival, unseen by the sender. A drop on the `output` hook
    is not silent: the sender's sendmsg() fails with EPERM, which no real link does; it is
    available to test how an agent copes with send errors. The rule counts what it sees and
    drops, so the run can report the share actually dropped.
    """

    TABLE = "chorusbench_loss"

    def __init__(self, percent: int, hook: str = "input") -> None:
        self.percent = percent
        self.hook = hook

    def __enter__(self) -> "PacketLoss":
        delete_table(self.TABLE)
        load(f"table inet {self.TABLE} {{\n  chain loss {{\n"
             f"    type filter hook {self.hook} priority -10; policy accept;\n"
             f'    meta l4proto udp counter comment "seen"\n'
             f'    meta l4proto udp numgen random mod 100 < {self.percent} counter drop comment "dropped"\n'
             f"  }}\n}}\n")
        return self

    def __exit__(self, *exc_info: object) -> None:
        delete_table(self.TABLE)

    def dropped_share_percent(self) -> float | None:
        counters = counters_by_comment(self.TABLE)
        seen = counters.get("seen", (0, 0))[0]
        dropped = counters.get("dropped", (0, 0))[0]
        return 100.0 * dropped / seen if seen else None
