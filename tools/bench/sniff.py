"""What an attacker on the same host sees: Chorus datagrams captured on loopback, decoded.

A `LoopbackSniffer` reads every packet on `lo` through an AF_PACKET socket (root only) and
hands each Chorus datagram, decoded per docs/wire-format.md, to the callbacks it was given.
It only reads: sending forged or replayed datagrams is `hostile.py`'s business.
"""

import socket
import struct
import threading
from collections.abc import Callable
from dataclasses import dataclass

MAGIC = b"CHRS"
HEADER_SIZE = 46  # magic 4, version 1, flags 1, cluster id 8, sender id 32
SIGNATURE_SIZE = 64

# Record types (docs/wire-format.md, "Records").
CERTIFICATE = 1
PING = 2
ACK = 3
JOIN_REQUEST = 7
DIGEST = 8

_ETH_P_ALL = 0x0003
_ETH_HEADER = 14  # lo carries a zeroed Ethernet header
_PACKET_OUTGOING = 4  # each loopback packet is seen twice, going out and coming in: keep one


@dataclass(frozen=True)
class Datagram:
    """One Chorus datagram as it crossed loopback, with its UDP addresses."""

    source: tuple[str, int]
    destination: tuple[str, int]
    payload: bytes  # the UDP payload: the whole signed envelope
    cluster_id: bytes
    sender: bytes
    records: tuple[tuple[int, bytes], ...]  # (type, value) in order

    def record_types(self) -> set[int]:
        return {record_type for record_type, _ in self.records}

    def values(self, record_type: int) -> list[bytes]:
        return [value for kind, value in self.records if kind == record_type]


def decode(payload: bytes, source: tuple[str, int], destination: tuple[str, int]) -> Datagram | None:
    """The envelope and its records, or None when `payload` is not a well-formed Chorus datagram.
    The signature is not checked: an eavesdropper cannot, and a replay does not need to."""
    if len(payload) < HEADER_SIZE + SIGNATURE_SIZE or payload[:4] != MAGIC:
        return None
    records = []
    offset, end = HEADER_SIZE, len(payload) - SIGNATURE_SIZE
    while offset < end:
        if offset + 3 > end:
            return None
        record_type, length = struct.unpack_from(">BH", payload, offset)
        offset += 3
        if offset + length > end:
            return None
        records.append((record_type, payload[offset:offset + length]))
        offset += length
    return Datagram(source, destination, payload, payload[6:14], payload[14:46], tuple(records))


def probe_sequence(value: bytes) -> int:
    """The probe sequence u32 that opens ping, ack, ping-request and nack records."""
    return struct.unpack_from(">I", value)[0]


def ping_target(value: bytes) -> bytes:
    return value[4:36]


def _udp_packet(frame: bytes) -> tuple[tuple[str, int], tuple[str, int], bytes] | None:
    """(source, destination, payload) of an IPv4 UDP packet in a loopback frame, else None."""
    ip = frame[_ETH_HEADER:]
    if len(ip) < 28 or ip[0] >> 4 != 4 or ip[9] != socket.IPPROTO_UDP:
        return None
    header = (ip[0] & 0x0F) * 4
    source_port, destination_port, udp_length = struct.unpack_from(">HHH", ip, header)
    payload = ip[header + 8:header + udp_length]
    return (socket.inet_ntoa(ip[12:16]), source_port), (socket.inet_ntoa(ip[16:20]), destination_port), payload


class LoopbackSniffer:
    """Captures on `lo` in a background thread until stopped; every Chorus datagram goes to
    each callback, in the capture thread (callbacks must be quick and thread-safe).

    Create it inside the network namespace to watch: the socket belongs to the namespace of
    the thread that opens it.
    """

    def __init__(self) -> None:
        self._socket = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(_ETH_P_ALL))
        self._socket.bind(("lo", 0))
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
        self._socket.settimeout(0.2)
        self._callbacks: list[Callable[[Datagram], None]] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sniffer", daemon=True)
        self.packets_seen = 0

    def subscribe(self, callback: Callable[[Datagram], None]) -> None:
        with self._lock:
            self._callbacks.append(callback)

    def unsubscribe(self, callback: Callable[[Datagram], None]) -> None:
        with self._lock:
            self._callbacks.remove(callback)

    def __enter__(self) -> "LoopbackSniffer":
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def stop(self) -> None:
        """Stops capturing (idempotent); callbacks get nothing more."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)
        self._socket.close()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                frame, address = self._socket.recvfrom(65535)
            except TimeoutError:
                continue
            except OSError:
                return
            if address[2] != _PACKET_OUTGOING:
                continue
            packet = _udp_packet(frame)
            if packet is None:
                continue
            datagram = decode(packet[2], packet[0], packet[1])
            if datagram is None:
                continue
            self.packets_seen += 1
            with self._lock:
                callbacks = list(self._callbacks)
            for callback in callbacks:
                callback(datagram)
