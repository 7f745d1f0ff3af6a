// A scripted player for the chaos test, on the project's typed client with reconnects on: it follows redirects,
// resumes with its token and last_seq, answers prompts with a seeded PRNG, and records what it saw.

import type { RoomChannel } from "../../src/client/channel.ts";
import { type Client, roomClient } from "../../src/client/client.ts";
import type { WebSocketConstructor } from "../../src/client/socket_port.ts";

export interface Seen {
  event: string;
  seq?: number;
  data?: Record<string, unknown>;
}

export class ChaosPlayer {
  readonly client: Client<RoomChannel>;
  name: string;
  /** Joins sent again under another name because an earlier one landed unanswered. */
  renamed = 0;
  /** Every sequenced event this player was handed, by seq (what all members must agree on). */
  readonly bySeq = new Map<number, string>();
  /** Holes in the stream of a connection that was not coming back. */
  gaps = 0;
  /** Holes between the seq a player came back with and the next broadcast, before its snapshot or replay. */
  reconnectGaps = 0;
  /** The server answered a comeback with `resumed` (it replays what was missed). */
  resumes = 0;
  repeats = 0;
  /** A hand was dealt to this player: its game is under way. */
  dealt = false;
  /** Every message handed to the application, in order. */
  readonly seen: Seen[] = [];
  /** When each `connected` arrived (performance.now()). */
  readonly connectedAt: number[] = [];
  #rng: number;
  #catchingUp = false;
  #last: number | null = null;
  #prompt: Seen | null = null;
  #scheduled = false;
  #over: Promise<void>;
  #markOver: () => void = () => {};

  constructor(base: string, roomId: string, name: string, seed: number, WebSocket: WebSocketConstructor) {
    this.name = name;
    this.#rng = seed >>> 0 || 1;
    this.#over = new Promise((resolve) => (this.#markOver = resolve));
    this.client = roomClient(base, roomId, {
      WebSocket,
      backoff: { initialMs: 100, maxMs: 800 },
      liveness: { idleMs: 2_000, timeoutMs: 1_500 },
      requestTimeoutMs: 15_000,
    });
    this.client.onStatus((status) => {
      if (status.state === "open") this.#catchingUp = this.client.token !== null;
    });
    this.client.onGap((gap) => {
      if (this.#catchingUp) this.reconnectGaps++;
      else this.gaps++;
      const when = this.#catchingUp ? "coming back" : "in the stream";
      console.log(
        `[chaos] ${roomId} ${name}: seq gap ${when}, expected ${gap.expected}, got ${gap.received}`,
      );
    });
    this.client.onMessage((raw) => this.#seen(raw as unknown as Seen));
  }

  /** Resolves at the first `game_over` this player sees. */
  get over(): Promise<void> {
    return this.#over;
  }

  /** Connects (through redirects) and joins; a join cut off by a redirect or a dying node is sent again. */
  async join(): Promise<void> {
    await this.client.connect();
    let welcomes = 0;
    for (let attempt = 0; attempt < 40; attempt++) {
      if (this.client.token !== null) return;
      // The join goes on a connection the server welcomed (after a redirect, the owner's).
      for (let waited = 0; this.connectedAt.length <= welcomes && waited < 20_000; waited += 20) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      welcomes = this.connectedAt.length;
      try {
        await this.client.request("join_room", { player_name: this.name });
        return;
      } catch (error) {
        const code = (error as { code?: string }).code;
        if (code === "NAME_TAKEN" && attempt > 0) {
          // An earlier try landed but its answer died with the node: that seat waits for a token this player
          // never got (its grace ends it), so the player sits down under another name, as a person would.
          this.name = `${this.name}r`;
          this.renamed++;
          welcomes -= 1; // Same connection: send again on it.
          continue;
        }
        // SERVER_ERROR: the store could not take the join (Redis restarting); it was rolled back, so send again.
        if (!["DISCONNECTED", "NOT_CONNECTED", "TIMEOUT", "SERVER_ERROR"].includes(code ?? "")) throw error;
        if (code === "SERVER_ERROR") welcomes -= 1; // Same connection: send again on it.
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
    throw new Error(`${this.name} could not join`);
  }

  /** Leaves the room (best effort: a node dying right then leaves the seat to its grace), so it can close. */
  async leave(): Promise<void> {
    await this.client.request("leave_room", {}).catch(() => {});
  }

  async close(): Promise<void> {
    await this.client.close();
  }

  #seen(message: Seen): void {
    this.seen.push(message);
    if (message.event === "connected") this.connectedAt.push(performance.now());
    if (message.event === "game_state" || message.event === "resumed") this.#catchingUp = false;
    if (message.event === "resumed") this.resumes++;
    if (message.event === "game_state") {
      const seq = (message.data?.room as { seq?: number } | null)?.seq;
      if (typeof seq === "number") this.#last = seq;
    }
    if (typeof message.seq === "number") {
      if (this.#last !== null && message.seq <= this.#last) this.repeats++;
      else this.#last = message.seq;
      this.bySeq.set(message.seq, message.event);
    }
    if (message.event === "game_over") this.#markOver();
    if (message.event === "hand") this.dealt = true;
    if (message.event === "your_turn") {
      this.#prompt = message;
      this.#schedule();
    }
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    queueMicrotask(() => {
      this.#scheduled = false;
      const prompt = this.#prompt?.data ?? {};
      this.#prompt = null;
      const options = (prompt.options as unknown[] | undefined) ?? [];
      if (prompt.action === "declare") this.#send("declare", { value: this.#pick(options) });
      else if (prompt.action === "play") this.#send("play", { piece_ids: this.#pick(options) });
      else if (prompt.action === "redeal") this.#send("decline_redeal", {});
    });
  }

  #send(event: string, data: unknown): void {
    this.client.sendRaw(JSON.stringify({ event, data, id: this.client.nextId() }));
  }

  #pick<T>(options: T[]): T | undefined {
    let x = this.#rng;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.#rng = x >>> 0;
    return options[this.#rng % Math.max(1, options.length)];
  }
}
