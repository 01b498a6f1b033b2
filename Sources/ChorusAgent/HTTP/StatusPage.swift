import ChorusCore
/// The status page served on `GET /` (StatusPageRoutes): HTML, CSS and JavaScript in one string,
/// so the page needs no CDN and the binary carries it (a static build ships no resource bundle).
/// It renders only what `/v1/self`, `/v1/cluster` and `/v1/members` answer, re-read on every
/// `/v1/events` event and every 5 s; elements carry ids and `data-*` attributes that tests read.
/// Everything it shows goes into the DOM as text, never as markup: the maintenance and banner
/// messages come from any operator.
enum StatusPage {
    /// Every SPEC §8 name the agent emits, as a JavaScript array: one definition (`EventName`).
    static let eventNames = "[" + EventName.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ") + "]"

    static let html = #"""
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Chorus</title>
<style>
  :root { --fg: #1d232a; --muted: #5c6670; --line: #d8dee4; --ok: #1a7f37; --warn: #9a6700; --bad: #cf222e; --info: #0969da; }
  body { font: 14px/1.45 system-ui, sans-serif; color: var(--fg); margin: 0 auto; max-width: 72rem; padding: 1rem 1.5rem; }
  header { display: flex; align-items: baseline; gap: 1rem; border-bottom: 1px solid var(--line); }
  h1 { font-size: 1.4rem; margin: .5rem 0; }
  h2 { font-size: 1.05rem; margin: 1.2rem 0 .4rem; }
  footer, .muted { color: var(--muted); }
  #connection { font-weight: 600; }
  #connection[data-state="live"] { color: var(--ok); }
  #connection[data-state="reconnecting"] { color: var(--warn); }
  #connection[data-state="disconnected"] { color: var(--bad); }
  #connection[data-state="connecting"], #connection[data-state="polling"] { color: var(--muted); }
  .notice { padding: .6rem .9rem; margin: .8rem 0; border-radius: 6px; border: 1px solid; }
  .notice.maintenance, .notice.level-critical, .notice.level-error { border-color: var(--bad); background: #ffebe9; }
  .notice.level-warning { border-color: var(--warn); background: #fff8c5; }
  .notice.level-info { border-color: var(--info); background: #ddf4ff; }
  dl { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; margin: .8rem 0; }
  dt { color: var(--muted); }
  dd { margin: 0; font-weight: 600; }
  table { border-collapse: collapse; width: 100%; }
  th, td { text-align: left; padding: .3rem .6rem; border-bottom: 1px solid var(--line); }
  th { color: var(--muted); font-weight: 500; }
  .status-alive, .serving-serving, .state-STABLE { color: var(--ok); }
  .status-suspect, .serving-draining, .serving-leaving { color: var(--warn); }
  .status-dead, .state-UPGRADE_TASKS_FAILED { color: var(--bad); }
  .status-left { color: var(--muted); }
  ol#events { padding-left: 1.2rem; font-family: ui-monospace, monospace; font-size: 12.5px; }
  ol#events .event-name { font-weight: 600; }
  #error { color: var(--bad); }
</style>
</head>
<body data-loaded="no">
<header>
  <h1>Chorus <span id="node-name" class="muted"></span></h1>
  <span id="connection" data-state="connecting">connecting…</span>
  <span id="error" role="alert" hidden></span>
</header>
<div id="maintenance" class="notice maintenance" hidden>
  <strong>Maintenance mode</strong> — load-balancer checks answer 503. <span id="maintenance-message"></span>
</div>
<div id="banner" class="notice" hidden>
  <strong id="banner-level"></strong> <span id="banner-message"></span> <span id="banner-expiry" class="muted"></span>
</div>
<section>
  <h2>Cluster</h2>
  <dl>
    <dt>State</dt><dd id="cluster-state">…</dd>
    <dt>Cluster version</dt><dd id="cluster-version">…</dd>
    <dt>Original → target</dt><dd id="upgrade-versions">…</dd>
    <dt>Quorum</dt><dd id="quorum">…</dd>
    <dt>Voters</dt><dd id="voters">…</dd>
    <dt>Task runner</dt><dd id="task-runner">…</dd>
    <dt>Waiting for</dt><dd id="waiting-for">…</dd>
    <dt>Converged</dt><dd id="converged">…</dd>
    <dt>Maintenance</dt><dd id="maintenance-state">…</dd>
    <dt>Banner</dt><dd id="banner-state">…</dd>
  </dl>
</section>
<section>
  <h2>Members</h2>
  <table id="members">
    <thead><tr><th>Name</th><th>Status</th><th>Version</th><th>Serving</th><th>Voter</th><th>Incarnation</th><th>Address</th></tr></thead>
    <tbody></tbody>
  </table>
</section>
<section>
  <h2>Recent events</h2>
  <ol id="events" reversed></ol>
</section>
<footer>Read-only view of this agent's <code>/v1/cluster</code>, <code>/v1/members</code> and <code>/v1/events</code>.
  Updated <span id="updated">never</span>.</footer>
<script>
"use strict";
// SPEC §8: SSE events carry an `event:` name, so each name needs its own listener.
const EVENT_NAMES = \#(eventNames);
const RECENT_EVENTS = 25;
// Liveness can change without an event reaching this page (a dropped stream): re-read anyway.
const POLL_MILLISECONDS = 5000;

// The statuses of members still presumed up; a dead or departed member's last heartbeat said
// what it was serving, but it serves nothing now.
const LIVE_STATUSES = ["alive", "suspect"];

const byId = (id) => document.getElementById(id);
function show(id, value) {
  byId(id).textContent = value === null || value === undefined || value === "" ? "—" : String(value);
}

async function getJSON(path) {
  const response = await fetch(path, { cache: "no-store" });
  if (!response.ok) throw new Error(path + " answered " + response.status);
  return response.json();
}

function renderCluster(cluster) {
  const state = byId("cluster-state");
  state.textContent = cluster.state;
  state.className = "state-" + cluster.state;
  show("cluster-version", cluster.clusterVersion);
  show("upgrade-versions", cluster.originalVersion || cluster.targetVersion
    ? (cluster.originalVersion || "—") + " → " + (cluster.targetVersion || "—") : null);
  show("quorum", cluster.quorum + " of " + cluster.voters.length + " voters");
  show("voters", cluster.voters.join(", "));
  show("task-runner", cluster.taskRunner);
  show("waiting-for", cluster.waitingFor);
  show("converged", cluster.converged ? "yes" : "no");

  const maintenance = cluster.maintenance || { enabled: false, message: null };
  show("maintenance-state", maintenance.enabled ? "on" : "off");
  byId("maintenance").hidden = !maintenance.enabled;
  show("maintenance-message", maintenance.message);

  const banner = cluster.banner;
  show("banner-state", banner ? banner.level + ": " + banner.message : "none");
  byId("banner").hidden = !banner;
  byId("banner").className = "notice level-" + (banner ? banner.level : "info");
  show("banner-level", banner ? banner.level : null);
  show("banner-message", banner ? banner.message : null);
  byId("banner-expiry").textContent = banner && banner.expiresAt ? "(until " + banner.expiresAt + ")" : "";
}

function cell(row, value, className) {
  const td = row.insertCell();
  td.textContent = String(value);
  if (className) td.className = className;
}

function renderMembers(members) {
  const body = byId("members").tBodies[0];
  const rows = members.slice().sort((a, b) => a.name.localeCompare(b.name)).map((member) => {
    const row = document.createElement("tr");
    row.dataset.member = member.name;
    row.dataset.status = member.status;
    const live = LIVE_STATUSES.includes(member.status);
    row.dataset.serving = live ? member.serving : "—";
    cell(row, member.name);
    cell(row, member.status, "status-" + member.status);
    cell(row, member.version);
    cell(row, row.dataset.serving, live ? "serving-" + member.serving : null);
    cell(row, member.voter ? "yes" : "no");
    cell(row, member.incarnation);
    cell(row, member.address);
    return row;
  });
  body.replaceChildren(...rows);
}

// One refresh at a time; a request during one schedules exactly one more, so bursts of events
// (the backlog sent on connect) cost two round trips, not one per event.
let inFlight = false, pending = false;
async function refresh() {
  if (inFlight) { pending = true; return; }
  inFlight = true;
  try {
    const [self, cluster, members] = await Promise.all(
      [getJSON("/v1/self"), getJSON("/v1/cluster"), getJSON("/v1/members")]);
    show("node-name", self.name + " · " + self.version);
    document.title = "Chorus · " + self.name + " · " + cluster.state;
    renderCluster(cluster);
    renderMembers(members);
    show("updated", new Date().toISOString());
    showError("");
    document.body.dataset.loaded = "yes";
  } catch (error) {
    showError("cannot read the agent: " + error.message);
  } finally {
    inFlight = false;
    if (pending) { pending = false; refresh(); }
  }
}

// Hidden when empty: an empty alert must not leave a mark beside the connection state.
function showError(text) {
  const error = byId("error");
  error.textContent = text;
  error.hidden = !text;
}

// `state` is what the indicator's colour (and the tests) key on; `text` is what people read.
function showConnection(state, text) {
  const connection = byId("connection");
  connection.dataset.state = state;
  connection.textContent = text;
}

// What an event changed, in words: the member and its status, the maintenance message, the
// banner's level and text, the upgrade state. Event data comes from any operator: it is only
// ever inserted as text.
function describeEvent(name, data) {
  const member = data.member, cluster = data.cluster;
  if (member) {
    if (name === "certificate-expiring") return member.name + " certificate expires " + member.certificateExpiresAt;
    const serving = LIVE_STATUSES.includes(member.status) ? member.serving : null;
    return [member.name, member.status, serving, member.version].filter(Boolean).join(" ");
  }
  if (!cluster) return "";
  if (name === "maintenance-on") {
    const message = cluster.maintenance && cluster.maintenance.message;
    return message ? "on: " + message : "on";
  }
  if (name === "maintenance-off") return "off";
  if (name === "banner-changed") {
    const banner = cluster.banner;
    if (!banner) return "cleared";
    return banner.level + ": " + banner.message + (banner.expiresAt ? " (until " + banner.expiresAt + ")" : "");
  }
  return cluster.state + ", version " + cluster.clusterVersion
    + (cluster.targetVersion ? " → " + cluster.targetVersion : "")
    + (cluster.waitingFor ? ", waiting for " + cluster.waitingFor : "");
}

function recordEvent(message) {
  let data = {};
  try { data = JSON.parse(message.data); } catch (_) { /* keep the name alone */ }
  const item = document.createElement("li");
  item.dataset.event = message.type;
  for (const [className, text] of [["event-time", data.time || ""], ["event-name", message.type],
                                   ["event-detail", describeEvent(message.type, data)]]) {
    const part = document.createElement("span");
    part.className = className;
    part.textContent = text;
    item.append(part, " ");
  }
  const list = byId("events");
  list.prepend(item);
  while (list.children.length > RECENT_EVENTS) list.lastElementChild.remove();
}

function follow() {
  if (!window.EventSource) { showConnection("polling", "polling (no live events)"); return; }
  // EventSource reconnects by itself after a dropped connection, resuming with Last-Event-ID;
  // it gives up only on an answer that is not an event stream (a proxy's error page).
  const source = new EventSource("/v1/events");
  source.onopen = () => { showConnection("live", "live"); refresh(); };
  source.onerror = () => source.readyState === EventSource.CLOSED
    ? showConnection("disconnected", "disconnected: reload to follow events again")
    : showConnection("reconnecting", "reconnecting…");
  for (const name of EVENT_NAMES) {
    source.addEventListener(name, (message) => { recordEvent(message); refresh(); });
  }
}

refresh();
follow();
setInterval(refresh, POLL_MILLISECONDS);
</script>
</body>
</html>
"""#
}
