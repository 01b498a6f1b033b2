"""What an attacker on the path sees: Chorus datagrams captured off interfaces (AF_PACKET,
root only), decoded, handed to callbacks.

A `Sniffer` bound to one interface (`lo` for the bench, whose agents share a namespace's
loopback) or to every interface of the namespace it is created in, keeping only the
interfaces whose names start with a prefix (the chaos harness: the outer ends of its hosts'
veth pairs on the bridge). Either way it keeps frames *leaving* an interface, so each datagram
is seen once: on lo each packet passes twice, out and in; on a bridge each frame enters on the
sender's port and leaves on the receiver's. A classic BPF filter drops everything but IPv4 UDP
in the kernel, so the HTTP polling beside the gossip costs the capture nothing.
It only reads: sending is `spoof`'s business.
"""

import ctypes
import socket
import struct
import threading
from collections.abc import Callable

from .sealed import MAGIC as SEALED_MAGIC
from .wire import Datagram, decode

_ETH_P_ALL = 0x0003
_ETH_HEADER = 14  # lo carries a zeroed Ethernet header, veths a real one
_PACKET_OUTGOING = 4
_SO_ATTACH_FILTER = 26
# ldh [12]; jeq 0x800 (IPv4)?; ldb [23]; jeq 17 (UDP)?; ret 256 KiB : ret 0
_UDP_ONLY = [(0x28, 0, 0, 12), (0x15, 0, 3, 0x0800), (0x30, 0, 0, 23), (0x15, 0, 1, 17),
             (0x06, 0, 0, 0x40000), (0x06, 0, 0, 0)]


def udp_packet(frame: bytes) -> tuple[tuple[str, int], tuple[str, int], bytes] | None:
    """(source, destination, payload) of an IPv4 UDP packet in an Ethernet frame, else None."""
    ip = frame[_ETH_HEADER:]
    if len(ip) < 28 or ip[0] >> 4 != 4 or ip[9] != socket.IPPROTO_UDP:
        return None
    head = (ip[0] & 0x0F) * 4
    if len(ip) < head + 8:
        return None
    source_port, destination_port, udp_length = struct.unpack_from(">HHH", ip, head)
    payload = ip[head + 8:head + udp_length]
    return (socket.inet_ntoa(ip[12:16]), source_port), (socket.inet_ntoa(ip[16:20]), destination_port), payload


def _attach_udp_filter(sock: socket.socket) -> None:
    program = b"".join(struct.pack("HBBI", *instruction) for instruction in _UDP_ONLY)
    buffer = ctypes.create_string_buffer(program)
    fprog = struct.pack("HL", len(_UDP_ONLY), ctypes.addressof(buffer))
    sock.setsockopt(socket.SOL_SOCKET, _SO_ATTACH_FILTER, fprog)


class Sniffer:
    """Captures in a background thread until stopped; every Chorus datagram goes to each
    callback, in the capture thread (callbacks must be quick and thread-safe).

    `interface`: bind to that one; None for every interface, kept when its name starts with
    `prefix`. The socket belongs to the network namespace of the thread that creates it.
    `open_sealed`, for a cluster whose gossip is sealed and whose key the caller holds: gives
    the signed datagram inside a sealed frame, or None (then the frame is skipped); the
    datagrams handed on then carry the opened bytes as their payload.
    """

    def __init__(self, interface: str | None = "lo", prefix: str = "",
                 open_sealed: Callable[[bytes], bytes | None] | None = None) -> None:
        self._socket = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(_ETH_P_ALL))
        _attach_udp_filter(self._socket)
        if interface:
            self._socket.bind((interface, 0))
        self._prefix = prefix
        self._open_sealed = open_sealed
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

    def start(self) -> "Sniffer":
        self._thread.start()
        return self

    def __enter__(self) -> "Sniffer":
        return self.start()

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
            if address[2] != _PACKET_OUTGOING or not address[0].startswith(self._prefix):
                continue
            packet = udp_packet(frame)
            if packet is None:
                continue
            payload = packet[2]
            if self._open_sealed is not None and payload.startswith(SEALED_MAGIC):
                payload = self._open_sealed(payload)
                if payload is None:
                    continue
            datagram = decode(payload, packet[0], packet[1])
            if datagram is None:
                continue
            self.packets_seen += 1
            with self._lock:
                callbacks = list(self._callbacks)
            for callback in callbacks:
                callback(datagram)
