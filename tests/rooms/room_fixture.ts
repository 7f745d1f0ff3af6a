// A room directory wired to a fake clock and a recording output, for room tests without sockets.

import assert from "node:assert/strict";
import { FakeClock } from "../../src/rooms/clock.ts";
import type { Room } from "../../src/rooms/room.ts";
import { type LobbyOutput, RoomDirectory } from "../../src/rooms/room_directory.ts";
import type { OutboundEvent, RoomOutput } from "../../src/rooms/room_output.ts";
import { NO_DELAYS, type RoomSettings } from "../../src/rooms/settings.ts";

export interface Delivered {
  to: "room" | string;
  event: string;
  data: Record<string, unknown>;
  seq?: number;
}

/** Everything rooms emitted, in delivery order, as the transport layer would have received it. */
export class RecordingOutput implements RoomOutput, LobbyOutput {
  readonly delivered: Delivered[] = [];
  readonly lobby: { event: string; data: Record<string, unknown> }[] = [];
  readonly removed: string[] = [];
  /** Flushes: one entry per broadcast call, so batching can be checked. */
  readonly flushes: number[] = [];

  broadcast(_roomId: string, events: readonly OutboundEvent[]): void {
    this.flushes.push(events.length);
    for (const e of events) {
      this.delivered.push({
        to: "room",
        event: e.event,
        data: e.data as Record<string, unknown>,
        seq: e.seq,
      });
    }
  }

  toMember(_roomId: string, memberName: string, events: readonly OutboundEvent[]): void {
    for (const e of events) {
      this.delivered.push({ to: memberName, event: e.event, data: e.data as Record<string, unknown> });
    }
  }

  memberRemoved(_roomId: string, memberName: string): void {
    this.removed.push(memberName);
  }

  lobbyEvent(event: string, data: unknown): void {
    this.lobby.push({ event, data: data as Record<string, unknown> });
  }

  roomClosed(): void {}

  /** Broadcasts of one kind, in order. */
  events(event: string): Delivered[] {
    return this.delivered.filter((d) => d.to === "room" && d.event === event);
  }

  /** Private messages one member received. */
  privateTo(name: string, event?: string): Delivered[] {
    return this.delivered.filter((d) => d.to === name && (event === undefined || d.event === event));
  }

  last(to: string, event: string): Delivered | undefined {
    return this.delivered.findLast((d) => d.to === to && d.event === event);
  }
}

/** No pauses, and a low target so a game is short. */
export const FAST: Partial<RoomSettings> = { ...NO_DELAYS, target_score: 15 };

export function fixture(seed = 7) {
  const clock = new FakeClock();
  const output = new RecordingOutput();
  const directory = new RoomDirectory({ clock, output, lobby: output, seed: () => seed });
  return {
    clock,
    output,
    directory,
    room(id = "table", settings: Partial<RoomSettings> = {}): Room {
      return directory.create(id, settings, id);
    },
  };
}

/** Runs due timers until nothing is due now (bots and zero delays), or a step budget runs out. */
export function settle(clock: FakeClock, steps = 100_000): void {
  for (let i = 0; i < steps && clock.pending > 0; i++) {
    const before = clock.pending;
    clock.advance(0);
    if (clock.pending === before && clock.pending > 0) break;
  }
}

/**
 * Answers `name`'s newest unanswered `your_turn` with its first legal option, as a player who always takes the
 * first choice would; `answered` counts the prompts seen per member. False when nothing new was waiting; a
 * refusal of that legal move fails the test.
 */
export function answerPrompt(
  table: Room,
  output: RecordingOutput,
  name: string,
  answered: Map<string, number>,
): boolean {
  const prompts = output.privateTo(name, "your_turn");
  if (prompts.length <= (answered.get(name) ?? 0)) return false;
  answered.set(name, prompts.length);
  const prompt = prompts.at(-1)!.data;
  const option = (prompt.options as unknown[])[0];
  const result = table.gameAction(
    name,
    prompt.action === "declare"
      ? { type: "declare", value: option as number }
      : prompt.action === "play"
      ? { type: "play", pieceIds: option as number[] }
      : { type: "redeal_decision", accept: false },
  );
  assert.ok(result.ok, `${name}'s legal move was refused: ${JSON.stringify(result)}`);
  return true;
}
