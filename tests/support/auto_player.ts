// A socket client that plays its seat by itself: it answers every `your_turn` with a legal option picked by
// a seeded PRNG, so a game over the wire is reproducible from the test's seeds.

import { NO_DELAYS } from "../../src/rooms/settings.ts";
import { type Envelope, TestClient } from "./ws_client.ts";

export interface AutoPlayerOptions {
  seed: number;
  /** Stop answering (a player who walked away); the server's timers must carry the game. */
  silent?: boolean;
}

export class AutoPlayer {
  readonly client: TestClient;
  readonly name: string;
  #state: number;
  #silent: boolean;
  /** Requests sent, by id, with the time they left: for move-to-broadcast checks. */
  readonly moves: { id: string; action: string; sentAt: number }[] = [];
  #answered = 0;
  #scheduled = false;
  #unsubscribe: () => void;

  private constructor(client: TestClient, name: string, options: AutoPlayerOptions) {
    this.client = client;
    this.name = name;
    this.#state = options.seed >>> 0 || 1;
    this.#silent = options.silent ?? false;
    // Answers when a prompt arrives, after the rest of its frame: only the latest prompt of a frame is played.
    this.#unsubscribe = client.client.on("your_turn", () => this.#schedule());
    this.#schedule(); // An adopted client may hold a prompt already.
  }

  /** A silent player stops answering (a player who walked away); the server's timers must carry the game. */
  get silent(): boolean {
    return this.#silent;
  }

  set silent(value: boolean) {
    this.#silent = value;
    if (!value) this.#schedule();
  }

  static async join(
    wsUrl: string,
    roomId: string,
    name: string,
    options: AutoPlayerOptions,
    as: "player" | "spectator" = "player",
  ): Promise<AutoPlayer> {
    const client = await TestClient.connect(`${wsUrl}/ws/${roomId}`);
    await client.next("connected");
    client.send("join_room", { player_name: name, as });
    await client.next("joined_room");
    return new AutoPlayer(client, name, options);
  }

  /**
   * Seats one player per name in `roomId` (seeds `seedBase`, `seedBase + 1`, …) and has the first, the host,
   * set `settings`; resolves once the room took them, before any game starts. Players already seated are
   * stopped if a later one cannot join.
   */
  static async table(
    wsUrl: string,
    roomId: string,
    names: readonly string[],
    seedBase: number,
    settings: typeof LONG_GAME = LONG_GAME,
  ): Promise<AutoPlayer[]> {
    const players: AutoPlayer[] = [];
    try {
      for (const [i, name] of names.entries()) {
        players.push(await AutoPlayer.join(wsUrl, roomId, name, { seed: seedBase + i }));
      }
      const host = players[0]!.client;
      host.send("update_settings", settings, "table-settings");
      await host.next("room_state", (m) => {
        const now = m.data?.settings as { target_score?: number; max_rounds?: number } | undefined;
        return now?.target_score === settings.target_score && now?.max_rounds === settings.max_rounds;
      });
      return players;
    } catch (error) {
      await Promise.all(players.map((player) => player.stop()));
      throw error;
    }
  }

  /** Wraps an already-connected client (for example one that came back with `?token=`). */
  static adopt(client: TestClient, name: string, options: AutoPlayerOptions): AutoPlayer {
    return new AutoPlayer(client, name, options);
  }

  get prompts(): Envelope[] {
    return this.client.received.filter((m) => m.event === "your_turn");
  }

  async stop(): Promise<void> {
    this.#unsubscribe();
    await this.client.close();
  }

  /** Stops answering and closes the socket abruptly, as a dropped connection would. */
  async drop(): Promise<void> {
    this.#unsubscribe();
    await this.client.close(4000);
  }

  #random(n: number): number {
    // xorshift32: tiny, seeded, good enough to pick among a handful of options.
    let x = this.#state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.#state = x >>> 0;
    return this.#state % n;
  }

  /** Errors the server answered this player's moves with (a correct server sends none for legal moves). */
  get refusals(): Envelope[] {
    return this.client.received.filter((m) => m.event === "error");
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    queueMicrotask(() => {
      this.#scheduled = false;
      this.#answer();
    });
  }

  #answer(): void {
    const prompts = this.prompts;
    if (this.#silent || prompts.length <= this.#answered) return;
    this.#answered = prompts.length;
    const prompt = prompts.at(-1)!.data ?? {};
    const options = (prompt.options as unknown[] | undefined) ?? [];
    const id = `m${this.moves.length}-${this.name}`;
    this.moves.push({ id, action: String(prompt.action), sentAt: performance.now() });
    if (prompt.action === "declare") {
      this.client.send("declare", { value: options[this.#random(options.length)] }, id);
    } else if (prompt.action === "play") {
      this.client.send("play", { piece_ids: options[this.#random(options.length)] }, id);
    } else if (prompt.action === "redeal") this.client.send("decline_redeal", {}, id);
  }
}

/** Every delay zero: a game over the wire runs as fast as the machine allows. */
export { NO_DELAYS as FAST_SETTINGS } from "../../src/rooms/settings.ts";

/**
 * A game that lasts (three rounds, up to 40 points) with a seat kept two minutes for a dropped player: for
 * tests that interrupt a game midway (a restart, a failover) and must find it still going.
 */
export const LONG_GAME = {
  ...NO_DELAYS,
  target_score: 40,
  max_rounds: 3,
  reconnect_grace_ms: 120_000,
};
