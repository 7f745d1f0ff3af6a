// Test clients against one running server, each closed at the end of the step or test that opened it, and
// the usual first steps on a room: connect, wait for `connected`, join. Owns no assertions.

import type { ServerProcess } from "./server_process.ts";
import { type Envelope, TestClient } from "./ws_client.ts";

/** A member who joined: its socket, the `joined_room` reply and the session token in it. */
export interface Joined {
  client: TestClient;
  joined: Envelope;
  token: string;
}

export class Clients {
  #server: ServerProcess;
  #open: TestClient[] = [];

  constructor(server: ServerProcess) {
    this.#server = server;
  }

  /** Opens `path` (e.g. `/ws/room?token=…`) on the server. */
  async connect(path: string): Promise<TestClient> {
    const client = await TestClient.connect(`${this.#server.wsUrl}${path}`);
    this.#open.push(client);
    return client;
  }

  /** Connects to a room and joins it under `name`; resolves with the `joined_room` reply. */
  async join(roomId: string, name: string, as: "player" | "spectator" = "player"): Promise<Joined> {
    const client = await this.connect(`/ws/${roomId}`);
    await client.next("connected");
    client.send("join_room", { player_name: name, as });
    const joined = await client.next("joined_room");
    return { client, joined, token: String(joined.data?.session_token) };
  }

  async closeAll(): Promise<void> {
    await Promise.all(this.#open.splice(0).map((client) => client.close()));
  }
}
