"""What an attacker on the same host sees: Chorus datagrams captured on loopback, decoded.

The capture and the decoding live in tools/chorustools/wire (shared with the chaos harness's
hostile faults); this module names the loopback case for hostile.py. It only reads: sending forged or
replayed datagrams is `hostile.py`'s business.
"""

from chorustools.wire.capture import Sniffer
from chorustools.wire.wire import (ACK, CERTIFICATE, DIGEST, HEADER_SIZE, JOIN_REQUEST, MAGIC, PING,  # noqa: F401
                                   SIGNATURE_SIZE, Datagram, decode, ping_target, probe_sequence)


class LoopbackSniffer(Sniffer):
    """Captures on `lo` in a background thread until stopped (see chorustools.wire.capture.Sniffer).

    Create it inside the network namespace to watch: the socket belongs to the namespace of
    the thread that opens it.
    """

    def __init__(self, open_sealed=None) -> None:
        super().__init__(interface="lo", open_sealed=open_sealed)
