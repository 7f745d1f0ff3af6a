// Taking a seat back with a session token (`?token=&last_seq=` or the `resume` message): checks the request,
// rebinds the seat, replays what the client missed from the event history, or falls back to a snapshot.

import { CloseCode, ErrorCode } from "../protocol/codes.ts";
import type { RequestId } from "../protocol/client_messages.ts";
import { combineFrames } from "../protocol/server_messages.ts";
import type { Clock } from "../rooms/clock.ts";
import type { Member, Room } from "../rooms/room.ts";
import type { RoomDirectory } from "../rooms/room_directory.ts";
import type { Connection } from "./connection.ts";
import type { ConnectionRegistry } from "./connection_registry.ts";
import type { EventHistory, RecordedEvent } from "./event_history.ts";
import { utf8Length } from "./limits.ts";
import type { Failure, HandlerOutcome, Replies } from "./router.ts";

/** How resumes ended since start, for metrics. */
export interface ResumeCounters {
  /** The gap (possibly empty) was replayed from the history: `recovered: true`. */
  recovered: number;
  /** A fresh `game_state` instead: no `last_seq`, or the gap is no longer kept (`recovered: false`). */
  snapshots: number;
  /**
   * Refused or failed, nothing changed: unknown or foreign token, `last_seq` ahead of the room, too soon, wrong
   * socket, or the store could not save the return.
   */
  refused: number;
  /** Events sent again inside replays. */
  replayedEvents: number;
}

/** A resume that passed every check, ready to apply. */
export interface ResumePlan {
  readonly room: Room;
  readonly member: Member;
  readonly lastSeq: number | undefined;
}

export interface SessionResumeOptions {
  directory: RoomDirectory;
  registry: ConnectionRegistry;
  history: EventHistory;
  clock: Clock;
  replies: Replies;
  /** Closes an older connection of the same session (the gateway closes it with 4001 and forgets it). */
  drop(connection: Connection, code: number, reason: string): void;
  /** No socket speaks for this member any more: the room is told (again if its save fails, see Gateway). */
  dropped(roomId: string, name: string): void;
  /** A gap whose frames weigh more than this gets a snapshot instead, so a replay never trips the 4008 check. */
  maxReplayBytes: number;
  /** A connection may resume at most once in this many milliseconds (each replay can be large). */
  cooldownMs: number;
}

/** Replays go out in frames of about this size: few frames, none large enough to stall a socket for long. */
const REPLAY_CHUNK_BYTES = 64 * 1024;

export class SessionResume {
  readonly counters: ResumeCounters = { recovered: 0, snapshots: 0, refused: 0, replayedEvents: 0 };
  #options: SessionResumeOptions;

  constructor(options: SessionResumeOptions) {
    this.#options = options;
  }

  /** Whether `token` belongs to a member of the room on `channel` (such a socket skips a full room's queue). */
  isMemberToken(channel: string, token: string | undefined): boolean {
    return token !== undefined && this.#options.directory.get(channel)?.memberByToken(token) !== undefined;
  }

  /** Every check, before anything changes. A failure leaves the connection exactly as it was. */
  prepare(connection: Connection, token: string, lastSeq: number | undefined): ResumePlan | Failure {
    const refuse = (failure: Failure): Failure => {
      this.counters.refused += 1;
      return failure;
    };
    const room = this.#options.directory.get(connection.channel);
    const member = room?.memberByToken(token);
    if (room === undefined || member === undefined) {
      return refuse({
        code: ErrorCode.AUTHENTICATION_FAILED,
        message: connection.playerName === null
          ? "Unknown or expired session token; you are connected as a visitor"
          : "Unknown or expired session token",
      });
    }
    if (connection.playerName !== null && connection.playerName !== member.name) {
      return refuse({
        code: ErrorCode.ALREADY_IN_GAME,
        message: `This connection speaks for ${connection.playerName}; resume another session on a new one`,
      });
    }
    if (lastSeq !== undefined && lastSeq > room.seq) {
      return refuse({
        code: ErrorCode.INVALID_DATA,
        message: `last_seq ${lastSeq} is ahead of this room, which is at seq ${room.seq}`,
        details: {
          issues: [{ path: "data.last_seq", message: `at most ${room.seq}` }],
          room_seq: room.seq,
        },
      });
    }
    const now = this.#options.clock.now();
    if (now - connection.resumedAt < this.#options.cooldownMs) {
      return refuse({
        code: ErrorCode.RATE_LIMITED,
        message: "This connection resumed a moment ago; wait before resuming again",
        details: { retry_after_ms: this.#options.cooldownMs - (now - connection.resumedAt) },
      });
    }
    return { room, member, lastSeq };
  }

  /**
   * Seats the connection and sends the missed events (already stored, so they are facts whatever happens
   * next), then runs the return through the room. Only once the room has stored it does the rest go out:
   * what the return causes (`player_reconnected` to the room, a fresh `game_state` when nothing was replayed,
   * then `hand` and `your_turn`), then `resumed`, then an older connection of the session is closed with 4001.
   * If the store fails, the room rolls the return back: the seat goes back to whoever held it, the cooldown
   * is lifted so the client can send `resume` again at once, and the answer is SERVER_ERROR.
   */
  apply(connection: Connection, plan: ResumePlan, id: RequestId | undefined): HandlerOutcome {
    const { room, member } = plan;
    const cooldownFrom = connection.resumedAt;
    connection.resumedAt = this.#options.clock.now();
    const replay = plan.lastSeq === undefined ? null : this.#replayable(room, plan.lastSeq);
    const wasSeated = connection.playerName !== null;
    // Bound at once, so the private output of the return (and of anything stored meanwhile) reaches this socket.
    const previous = this.#options.registry.bindPlayer(connection, member.name);
    // Sent before the room acts, in the same synchronous run, so no live broadcast can come between the replay
    // and what follows it.
    if (replay !== null) this.#send(connection, replay);
    const undo = (): void => {
      this.counters.refused += 1;
      connection.resumedAt = cooldownFrom;
      if (previous !== null && previous.isOpen) this.#options.registry.bindPlayer(previous, member.name);
      else {
        if (!wasSeated && connection.playerName === member.name) {
          this.#options.registry.unbindPlayer(connection);
        }
        // The socket that held the seat closed meanwhile, and its close reported nobody (this one was bound):
        // rolled back, the member would stay connected with no socket, so the room hears of the drop now.
        if (previous !== null) this.#options.dropped(room.id, member.name);
      }
    };
    const back = room.reconnect(member.name, { snapshot: replay === null });
    if (!back.ok) {
      // The room refused (a bug caught at its boundary): the seat stays with whoever held it before.
      undo();
      return back.error;
    }
    const seated = (): void => {
      if (!wasSeated) connection.counters.reconnects += 1;
      if (replay === null) this.counters.snapshots += 1;
      else {
        this.counters.recovered += 1;
        this.counters.replayedEvents += replay.length;
      }
      this.#options.replies.reply(
        connection,
        "resumed",
        { replayed: replay?.length ?? 0, recovered: replay !== null },
        id,
      );
      // Closed only once the return is stored: had the store failed, the older tab would have kept the seat.
      if (previous !== null) {
        this.#options.drop(previous, CloseCode.SESSION_REPLACED, "session replaced by a newer connection");
      }
    };
    const pending = room.stored();
    if (pending === null) return seated();
    return pending.then((problem): Failure | void => {
      if (problem === null) return seated();
      undo();
      return {
        code: ErrorCode.SERVER_ERROR,
        message: "The server could not save your return to the table; nothing changed. Send resume again.",
      };
    });
  }

  /**
   * The events after `lastSeq` that went out, or null when they cannot all be replayed. A room whose output
   * waits for its store may be ahead of what went out: those events are not in the history yet, and reach
   * this socket live, in order, once stored (it is bound and in the channel by then).
   */
  #replayable(room: Room, lastSeq: number): readonly RecordedEvent[] | null {
    if (lastSeq === room.seq) return [];
    const events = this.#options.history.since(room.id, lastSeq);
    if (events === null) return null;
    let bytes = 0;
    for (const event of events) bytes += utf8Length(event.frame, 0);
    return bytes > this.#options.maxReplayBytes ? null : events;
  }

  #send(connection: Connection, events: readonly RecordedEvent[]): void {
    const timestamp = this.#options.clock.now();
    let chunk: string[] = [];
    let bytes = 0;
    const flush = () => {
      if (chunk.length === 0) return;
      connection.send(combineFrames(chunk, { roomId: connection.channel, timestamp }));
      chunk = [];
      bytes = 0;
    };
    for (const event of events) {
      if (bytes + event.frame.length > REPLAY_CHUNK_BYTES) flush();
      chunk.push(event.frame);
      bytes += event.frame.length;
    }
    flush();
  }
}
