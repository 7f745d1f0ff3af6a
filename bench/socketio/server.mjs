// Socket.IO 4 on Node for the transport benchmark: the peer most people would pick, speaking liaptui's
// envelopes as string payloads of one event ("m"). Benchmark only; never part of the product.

import { createServer } from "node:http";
import { createRequire } from "node:module";

// Required, not imported: socket.io lives in bench/socketio/node_modules only, which `deno check` must not chase.
const { Server } = createRequire(import.meta.url)("socket.io");

const port = Number(process.argv[process.argv.indexOf("--port") + 1]);
const seqs = new Map();
let nextToken = 1;

function envelope(event, data, roomId, seq) {
  return JSON.stringify(
    seq === undefined
      ? { event, data, room_id: roomId, timestamp: Date.now() }
      : { event, data, room_id: roomId, seq, timestamp: Date.now() },
  );
}

const http = createServer();
const io = new Server(http, { transports: ["websocket"], perMessageDeflate: false, serveClient: false });

function broadcast(roomId, event, data) {
  const seq = (seqs.get(roomId) ?? 0) + 1;
  seqs.set(roomId, seq);
  io.to(roomId).emit("m", envelope(event, data, roomId, seq));
}

io.on("connection", (socket) => {
  const roomId = String(socket.handshake.query.room);
  let name = null;
  socket.join(roomId);
  socket.emit(
    "m",
    envelope("connected", { connection_id: socket.id, room_id: roomId, player_name: null }, roomId),
  );
  socket.on("m", (text) => {
    const { event, data } = JSON.parse(text);
    if (event === "join_room") {
      name = data.player_name;
      broadcast(roomId, "player_joined", { player_name: name, seat: null, as: data.as });
      socket.emit(
        "m",
        envelope(
          "joined_room",
          { room_id: roomId, player_name: name, session_token: String(nextToken++) },
          roomId,
        ),
      );
    } else if (event === "chat") {
      broadcast(roomId, "chat", { player_name: name, message: data.message });
    } else if (event === "update_settings") {
      broadcast(roomId, "room_state", { settings: data });
    }
  });
});
http.listen(port, "127.0.0.1", () => console.log(`listening on http://127.0.0.1:${port}`));
