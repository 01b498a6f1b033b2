"""The Chorus chaos harness (`tools/chaos`): real agents on their own network hosts, faults
injected from a seeded schedule, SPEC §11 invariants checked through every agent's endpoint."""
