"""The Python tools' one toolkit for driving Chorus agents: starting them (`agents`) on hosts
(`hosts`: network namespaces on a bridge, or loopback; `namespace`: a private namespace for one
process), talking to their endpoint (`client`: JSON requests and the SSE event stream), breaking
their network (`nft`: loss, partitions, counters), running commands (`commands`), the SPEC §8
event names (`events`) and the wire format (`wire`). Used by the chaos harness (tools/chaoslib),
the benchmarks (tools/bench) and tools/soak-durability. Python 3.11 standard library only.

Finding the package: every script under tools/ puts tools/ on `sys.path` once, at its top
(`sys.path.insert(0, TOOLS)`), and then imports `chorustools`; modules imported by those scripts
never touch the path.
"""
