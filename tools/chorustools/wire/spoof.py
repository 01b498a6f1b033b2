"""Sending a datagram with any source address (raw IPv4 socket, IP_HDRINCL; root only), as a
replayer or a reflector does, and the flood sender (flood.c, or Python without gcc)."""

import contextlib
import os
import re
import shutil
import socket
import struct
import subprocess
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def ip_udp_packet(source: tuple[str, int], destination: tuple[str, int], payload: bytes) -> bytes:
    """An IPv4 UDP packet for a raw IP_HDRINCL socket; the kernel fills the IP id and checksum,
    and the UDP checksum is left 0 (optional over IPv4)."""
    ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 28 + len(payload), 0, 0, 64, socket.IPPROTO_UDP, 0,
                     socket.inet_aton(source[0]), socket.inet_aton(destination[0]))
    udp = struct.pack(">HHHH", source[1], destination[1], 8 + len(payload), 0)
    return ip + udp + payload


class RawSender:
    """Sends UDP payloads from a chosen (spoofed) source; counts the payload bytes it sent."""

    def __init__(self) -> None:
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
        self.datagrams = 0
        self.bytes = 0
        self.errors = 0

    def send(self, payload: bytes, source: tuple[str, int], destination: tuple[str, int]) -> bool:
        try:
            self._socket.sendto(ip_udp_packet(source, destination, payload), (destination[0], 0))
        except OSError:
            self.errors += 1  # ENOBUFS, EPERM from a rule: a real network drops too
            return False
        self.datagrams += 1
        self.bytes += len(payload)
        return True

    def close(self) -> None:
        self._socket.close()

    def __enter__(self) -> "RawSender":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def flood_sender(work_dir: str) -> str | None:
    """The C sender, compiled once into `work_dir`; None without gcc."""
    binary = os.path.join(work_dir, "flood")
    if os.path.exists(binary):
        return binary
    if not shutil.which("gcc"):
        return None
    os.makedirs(work_dir, exist_ok=True)
    subprocess.run(["gcc", "-O2", "-o", binary, os.path.join(HERE, "flood.c")], check=True, capture_output=True,
                   timeout=60)
    return binary


def flood_command(sender: str, destination: tuple[str, int], seconds: float, rate: float, template: str,
                  vary: int, source: tuple[str, int] | None = None) -> list[str]:
    """The C sender's command line (see flood.c); `source` spoofs the source address."""
    command = [sender, destination[0], str(destination[1]), str(seconds), str(rate), template, str(vary)]
    return command + ([source[0], str(source[1])] if source else [])


FLOOD_OUTPUT = re.compile(r"sent (\d+) seconds (\S+) errors (\d+)")


def parse_flood_output(text: str) -> tuple[int, float, int] | None:
    """(datagrams sent, seconds, send errors) from flood.c's one line."""
    match = FLOOD_OUTPUT.match(text.strip())
    return (int(match[1]), float(match[2]), int(match[3])) if match else None


def python_flood(destination: tuple[str, int], seconds: float, rate: float, payload: bytes, vary: int) -> tuple[int, float]:
    """The slow sender, one sendto() per datagram, from this process's own address."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    data, sent, started = bytearray(payload), 0, time.monotonic()
    try:
        while time.monotonic() - started < seconds:
            if rate and sent > rate * (time.monotonic() - started):
                time.sleep(0.0005)
                continue
            if vary >= 0:
                data[vary:vary + 8] = sent.to_bytes(8, "little")
            with contextlib.suppress(OSError):
                sock.sendto(data, destination)
            sent += 1
    finally:
        sock.close()
    return sent, time.monotonic() - started
