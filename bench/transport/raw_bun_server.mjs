// The limit for the transport benchmark: a minimal Bun server speaking liaptui's envelopes with native
// subscribe/publish and nothing else (no validation beyond JSON, no rate limits, no rooms logic). Bun only.

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? fallback : Number(process.argv[i + 1]);
};
const port = arg("port", 8080);
const sendBufferBytes = arg("send-buffer-bytes", 1048576);

/** Per room: the broadcast sequence number, as liaptui keeps one. */
const seqs = new Map();
let nextToken = 1;

function envelope(event, data, roomId, seq) {
  return JSON.stringify(
    seq === undefined
      ? { event, data, room_id: roomId, timestamp: Date.now() }
      : { event, data, room_id: roomId, seq, timestamp: Date.now() },
  );
}

function broadcast(server, roomId, event, data) {
  const seq = (seqs.get(roomId) ?? 0) + 1;
  seqs.set(roomId, seq);
  server.publish(roomId, envelope(event, data, roomId, seq));
}

const server = Bun.serve({
  hostname: "127.0.0.1",
  port,
  fetch(request, server) {
    const url = new URL(request.url);
    const roomId = url.pathname.slice("/ws/".length);
    if (server.upgrade(request, { data: { roomId, name: null, token: url.searchParams.get("token") } })) {
      return;
    }
    return new Response("not found", { status: 404 });
  },
  websocket: {
    perMessageDeflate: false,
    backpressureLimit: sendBufferBytes,
    closeOnBackpressureLimit: true,
    open(ws) {
      ws.subscribe(ws.data.roomId);
      ws.send(
        envelope(
          "connected",
          { connection_id: "c", room_id: ws.data.roomId, player_name: null },
          ws.data.roomId,
        ),
      );
    },
    message(ws, text) {
      const { event, data } = JSON.parse(text);
      const roomId = ws.data.roomId;
      if (event === "join_room") {
        ws.data.name = data.player_name;
        broadcast(server, roomId, "player_joined", {
          player_name: data.player_name,
          seat: null,
          as: data.as,
        });
        const token = String(nextToken++);
        ws.send(
          envelope(
            "joined_room",
            { room_id: roomId, player_name: data.player_name, session_token: token },
            roomId,
          ),
        );
      } else if (event === "chat") {
        broadcast(server, roomId, "chat", { player_name: ws.data.name, message: data.message });
      } else if (event === "update_settings") {
        broadcast(server, roomId, "room_state", { settings: data });
      }
    },
  },
});
console.log(`listening on http://127.0.0.1:${server.port}`);
