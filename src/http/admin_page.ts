// The operator's page, embedded in the binary: live rooms and connections, read through the admin API with
// the token the operator types in (kept in this tab's sessionStorage). No inline script, so the CSP holds.

export const ADMIN_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>liaptui admin</title>
<link rel="stylesheet" href="/admin.css">
</head>
<body>
<h1>liaptui admin</h1>
<form id="login">
  <label>Admin token <input id="token" type="password" autocomplete="current-password" required></label>
  <button>Show</button>
</form>
<p id="status" role="status"></p>
<section id="live" hidden>
  <form id="notice"><label>Notice to everyone <input id="notice-text" maxlength="500" required></label>
  <button>Send</button></form>
  <h2>Overall</h2><dl id="overall"></dl>
  <h2>Rooms</h2>
  <table><thead><tr><th>Room</th><th>Name</th><th>Phase</th><th>Seats</th><th>Sockets</th><th>Peak</th>
  <th>Messages</th><th></th></tr></thead><tbody id="rooms"></tbody></table>
  <h2>Connections</h2>
  <table><thead><tr><th>Id</th><th>Channel</th><th>Address</th><th>Player</th><th>State</th><th>Up (s)</th>
  <th>Idle (s)</th><th>In</th><th>Out</th><th></th></tr></thead><tbody id="connections"></tbody></table>
</section>
<script src="/admin.js"></script>
</body>
</html>
`;

export const ADMIN_CSS = `body{font:14px system-ui,sans-serif;margin:1.5rem;color:#222}
table{border-collapse:collapse;margin-bottom:1.5rem}td,th{border-bottom:1px solid #ddd;padding:.25rem .6rem;text-align:left}
dl{display:grid;grid-template-columns:max-content auto;gap:.2rem 1rem}dt{color:#666}
#status{color:#a00}button{cursor:pointer}
`;

export const ADMIN_JS = `"use strict";
const $ = (id) => document.getElementById(id);
let token = sessionStorage.getItem("liaptui-admin-token") || "";
let timer = null;

async function api(method, path, body) {
  const response = await fetch(path, {
    method,
    headers: { authorization: "Bearer " + token, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status === 401) throw new Error("The token was refused.");
  if (!response.ok) throw new Error("The server answered " + response.status + ".");
  return response.json();
}

function cell(row, text) {
  const td = document.createElement("td");
  td.textContent = text == null ? "" : String(text);
  row.appendChild(td);
  return td;
}

function action(row, label, run) {
  const button = document.createElement("button");
  button.textContent = label;
  button.addEventListener("click", () => run().then(refresh, show));
  cell(row, "").appendChild(button);
}

function show(error) {
  $("status").textContent = error instanceof Error ? error.message : String(error);
}

async function refresh() {
  try {
    const stats = await api("GET", "/api/stats");
    $("status").textContent = "";
    $("live").hidden = false;
    const overall = $("overall");
    overall.replaceChildren();
    for (const [key, value] of Object.entries(stats.overall)) {
      const dt = document.createElement("dt");
      dt.textContent = key.replaceAll("_", " ");
      const dd = document.createElement("dd");
      dd.textContent = String(value);
      overall.append(dt, dd);
    }
    const rooms = $("rooms");
    rooms.replaceChildren();
    for (const room of stats.rooms) {
      const row = document.createElement("tr");
      cell(row, room.room_id);
      cell(row, room.room_name);
      cell(row, room.phase);
      cell(row, room.seats.map((s) => s ? s.name + (s.is_bot ? " (bot)" : s.connected ? "" : " (away)") : "–").join(", "));
      cell(row, room.stats.active_connections);
      cell(row, room.stats.peak_connections);
      cell(row, room.stats.total_messages);
      action(row, "Close", () => api("POST", "/api/admin/rooms/" + encodeURIComponent(room.room_id) + "/close"));
      rooms.appendChild(row);
    }
    const connections = $("connections");
    connections.replaceChildren();
    for (const c of stats.connections) {
      const row = document.createElement("tr");
      for (const value of [c.id, c.channel, c.address, c.player_name, c.queued ? "queued" : c.state, c.connected_s, c.idle_s, c.messages_in, c.messages_out]) cell(row, value);
      action(row, "Kick", () => api("POST", "/api/admin/connections/" + encodeURIComponent(c.id) + "/kick"));
      connections.appendChild(row);
    }
  } catch (error) {
    show(error);
  }
}

$("login").addEventListener("submit", (event) => {
  event.preventDefault();
  token = $("token").value;
  sessionStorage.setItem("liaptui-admin-token", token);
  if (timer === null) timer = setInterval(refresh, 3000);
  refresh();
});

$("notice").addEventListener("submit", (event) => {
  event.preventDefault();
  api("POST", "/api/admin/notice", { message: $("notice-text").value })
    .then((result) => { $("status").textContent = "Notice reached " + result.reached + " sockets."; }, show);
});

if (token !== "") {
  timer = setInterval(refresh, 3000);
  refresh();
}
`;
