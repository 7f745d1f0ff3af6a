// In-process cost of a chat through the whole server below the socket: the gateway's checks, the router's
// parse and validation, the room, the log append (a memory store keeping no entries, observed, as main.ts
// wires it), delivery, the resume history and a native publish that goes nowhere. Run under Bun, the runtime
// the binary is built on:  bun bench/chat_path.ts [chats=600000] [warmup=100000] [history=1000]
// Prints CPU µs per chat, minor page faults and collections. A measurement tool, not a test.

import { readFileSync } from "node:fs";
import type { Connection } from "../src/net/connection.ts";
import { Gateway } from "../src/net/gateway.ts";
import { DEFAULT_LIMITS, type NetLimits } from "../src/net/limits.ts";
import type { Transport } from "../src/net/transport.ts";
import { realClock } from "../src/rooms/clock.ts";
import { RoomDirectory } from "../src/rooms/room_directory.ts";
import { StoreJournals } from "../src/rooms/room_journal.ts";
import { memoryStore } from "../src/store/memory_store.ts";
import { observedStore } from "../src/store/observed_store.ts";
import { WriteHealth } from "../src/store/write_health.ts";

const [chats = 600_000, warmup = 100_000, history = 1_000] = process.argv.slice(2).map(Number);
const ROOMS = 250;
const SEATS = 4;

const discard: Transport = {
  send() {},
  close() {},
  bufferedAmount: () => 0,
  subscribe() {},
  unsubscribe() {},
};
let published = 0;
const limits: NetLimits = {
  ...DEFAULT_LIMITS,
  ratePerSecond: 1e9,
  rateBurst: 1e9,
  resumeBufferEvents: history,
};
const store = observedStore(memoryStore({ keptEntries: 0 }), { appended() {}, tookOver() {} }, () => 0);
const journals = new StoreJournals(new WriteHealth({ changed() {} }).watch(store));
const gateway = new Gateway({
  clock: realClock,
  limits,
  pubsub: { publish: () => void published++ },
  directory: (delivery) =>
    new RoomDirectory({ clock: realClock, output: delivery, lobby: delivery, journals }),
});
const connections: Connection[] = [];
for (let r = 0; r < ROOMS; r++) {
  for (let s = 0; s < SEATS; s++) {
    const connection = gateway.open(discard, `room-${r}`, `10.0.${r}.${s}`)!;
    gateway.message(connection, JSON.stringify({ event: "join_room", data: { player_name: `p${s}` } }));
    connections.push(connection);
  }
}
await new Promise((resolve) => setTimeout(resolve, 100));

function faults(): number {
  return Number(readFileSync("/proc/self/stat", "utf8").split(") ")[1]!.split(" ")[7]);
}

function run(count: number, from: number): void {
  for (let i = 0; i < count; i++) {
    const n = from + i;
    const connection = connections[n % connections.length]!;
    gateway.message(connection, `{"event":"chat","data":{"message":"${n % 1000}|${n}|1764700000000|"}}`);
  }
}

run(warmup, 0);
const before = process.cpuUsage();
const faultsBefore = faults();
const publishedBefore = published;
run(chats, warmup);
const used = process.cpuUsage(before);
console.log(JSON.stringify({
  us_per_chat: Number(((used.user + used.system) / chats).toFixed(3)),
  user_us_per_chat: Number((used.user / chats).toFixed(3)),
  minor_faults: faults() - faultsBefore,
  published: published - publishedBefore,
}));
gateway.shutdown();
process.exit(0);
