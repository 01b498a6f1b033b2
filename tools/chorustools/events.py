"""SPEC §8's event names, as the agent emits them in `/v1/events` (the `event` field) and to hooks.

The one place Python spells them: the chaos harness's checks, its tests and the benchmarks import
them from here. They must equal the agent's `EventName` (Sources/ChorusCore/Events/EventName.swift);
Tests/ChorusCoreTests/EventNameTests.swift reads this file and fails unless it names exactly those, so
this file can later be generated from the Swift build instead.
"""

MEMBER_JOIN = "member-join"
MEMBER_SUSPECT = "member-suspect"
MEMBER_FAILED = "member-failed"
MEMBER_LEAVE = "member-leave"
MEMBER_UPDATE = "member-update"
MEMBER_REVOKED = "member-revoked"
UPGRADE_STARTED = "upgrade-started"
UPGRADE_CANCELLED = "upgrade-cancelled"
UPGRADE_MIXED = "upgrade-mixed"
UPGRADE_READY = "upgrade-ready"
UPGRADE_APPROVED = "upgrade-approved"
UPGRADE_TASKS_FAILED = "upgrade-tasks-failed"
UPGRADE_FINISHED = "upgrade-finished"
MAINTENANCE_ON = "maintenance-on"
MAINTENANCE_OFF = "maintenance-off"
BANNER_CHANGED = "banner-changed"
CERTIFICATE_EXPIRING = "certificate-expiring"
SLOT_GRANTED = "slot-granted"
SLOT_RELEASED = "slot-released"
ROLLOUT_STARTED = "rollout-started"
ROLLOUT_NODE_STARTED = "rollout-node-started"
ROLLOUT_NODE_DONE = "rollout-node-done"
ROLLOUT_NODE_FAILED = "rollout-node-failed"
ROLLOUT_HALTED = "rollout-halted"
ROLLOUT_FINISHED = "rollout-finished"
