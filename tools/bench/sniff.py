"""What an attacker on the same host sees: Chorus datagrams captured on loopback, decoded.

The capture and the decoding live in tools/wirelib (shared with the chaos harness's hostile
faults); this module names the loopback case for hostile.py. It only reads: sending forged or
replayed datagrams is `hostile.py`'s business.
"""

import os
import sys

# tools/, where the shared wirelib package lives beside this bench.
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from wirelib.capture import Sniffer  # noqa: E402
from wirelib.wire import (ACK, CERTIFICATE, DIGEST, HEADER_SIZE, JOIN_REQUEST, MAGIC, PING,  # noqa: E402,F401
                          SIGNATURE_SIZE, Datagram, decode, ping_target, probe_sequence)


class LoopbackSniffer(Sniffer):
    """Captures on `lo` in a background thread until stopped (see wirelib.capture.Sniffer).

    Create it inside the network namespace to watch: the socket belongs to the namespace of
    the thread that opens it.
    """

    def __init__(self, open_sealed=None) -> None:
        super().__init__(interface="lo", open_sealed=open_sealed)
