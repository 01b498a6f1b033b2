"""`chorustools.wire`: Chorus datagrams as a host on the network sees them (docs/wire-format.md): decoding and
building them, signing as a member whose key one holds, capturing them off an interface, and
sending them with a spoofed source. Shared by the attack bench (tools/bench/hostile.py) and the
chaos harness's hostile faults (tools/chaoslib/hostile.py). Python standard library and the
libsodium the agent itself links; nothing else.
"""
