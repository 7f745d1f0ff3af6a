// The room channel's handler table: each typed message becomes one room call and, maybe, a direct reply.
// No game rules here; the room and the engine decide, and their refusals come back as values.

import type * as v from "valibot";
import { ErrorCode } from "../protocol/codes.ts";
import type { RoomEvents } from "../protocol/client_messages.ts";
import type { Room } from "../rooms/room.ts";
import type { RoomDirectory } from "../rooms/room_directory.ts";
import type { RoomResult } from "../rooms/room_errors.ts";
import type { Seat } from "../game/state.ts";
import type { Connection } from "./connection.ts";
import type { ConnectionRegistry } from "./connection_registry.ts";
import type { RoomQuota } from "./room_quota.ts";
import type { SessionResume } from "./session_resume.ts";
import {
  type Failure,
  type HandlerOutcome,
  type HandlerTable,
  keepAlive,
  type MessageContext,
} from "./router.ts";

export interface RoomHandlerDeps {
  directory: RoomDirectory;
  registry: ConnectionRegistry;
  sessions: SessionResume;
  quota: RoomQuota;
  /**
   * Cluster mode: where another node serves a room's sockets (its `/n/{node}/ws/{room}` URL), or null when
   * unknown. With it, a join for a room this node does not have claims the room in the store first.
   */
  ownerUrl?: (owner: string, roomId: string) => Promise<string | null>;
  /** Tells a socket in-band where its room is served, then closes it with 4010. */
  redirect?: (connection: Connection, url: string) => void;
  /** No socket speaks for this member any more: the room is told, again if its save fails (see Gateway). */
  dropped(roomId: string, name: string): void;
}

/**
 * A room call's outcome for its sender: its refusal at once, or — once what it accepted is stored — nothing
 * (then `onStored` runs, typically the reply) or SERVER_ERROR if the store failed and the room rolled it back.
 */
function afterStored<T>(
  room: Room,
  result: RoomResult<T>,
  onStored?: (value: T) => void,
  onLost?: () => void,
): HandlerOutcome {
  if (!result.ok) return result.error as Failure;
  const pending = room.stored();
  if (pending === null) {
    onStored?.(result.value);
    return;
  }
  return pending.then((problem) => {
    if (problem === null) return onStored?.(result.value);
    onLost?.();
    return problem as Failure;
  });
}

/** A room call whose sender hears nothing once it is stored: its refusal, or the room's own promise. */
function failure<T>(room: Room, result: RoomResult<T>): HandlerOutcome {
  if (!result.ok) return result.error as Failure;
  // Null once stored, SERVER_ERROR if rolled back: already a handler's outcome, without a promise on top.
  return (room.stored() as Promise<Failure | null> | null) ?? undefined;
}

const NOT_IN_ROOM: Failure = { code: ErrorCode.NOT_IN_ROOM, message: "Join the room first" };

type RoomJoin = v.InferOutput<RoomEvents["join_room"]>;

export function roomHandlers(deps: RoomHandlerDeps): HandlerTable<RoomEvents> {
  const { directory, registry, sessions, quota } = deps;
  const roomOf = (context: MessageContext): Room | undefined => directory.get(context.connection.channel);
  const withRoom = (context: MessageContext, act: (room: Room, by: string | null) => HandlerOutcome) => {
    const room = roomOf(context);
    return room === undefined ? NOT_IN_ROOM : act(room, context.connection.playerName);
  };

  /**
   * Cluster mode: the room is claimed in the store before anyone joins it, so when two nodes get the first
   * join for one new id at once, exactly one owns it and the other redirects its socket there at once.
   */
  const claimThenJoin = (
    context: MessageContext,
    data: RoomJoin,
    ownerUrl: NonNullable<RoomHandlerDeps["ownerUrl"]>,
  ): HandlerOutcome => {
    const connection = context.connection;
    return directory.claim(connection.channel).then(async (claimed): Promise<Failure | null | void> => {
      if (claimed.kind === "here") {
        quota.opened(claimed.room.id, connection.address);
        return await joinIn(context, data, claimed.room);
      }
      const url = claimed.owner === null ? null : await ownerUrl(claimed.owner, connection.channel);
      if (url === null || deps.redirect === undefined) {
        return {
          code: ErrorCode.SERVER_ERROR,
          message: "The room is being opened on another node; try again",
        };
      }
      deps.redirect(connection, url);
    });
  };

  const joinIn = (context: MessageContext, data: RoomJoin, room: Room): HandlerOutcome => {
    const connection = context.connection;
    const joined = room.join(data.player_name, data.as);
    if (!joined.ok) {
      if (room.humansPresent === 0) directory.close(room.id);
      return joined.error;
    }
    // Bound at once, so this connection's next messages act as the player while the join is being stored.
    registry.bindPlayer(connection, data.player_name);
    const state = room.state();
    return afterStored(
      room,
      joined,
      ({ member, token }) =>
        context.reply("joined_room", {
          room_id: room.id,
          player_name: data.player_name,
          seat: member.seat,
          session_token: token,
          room: state,
        }),
      () => {
        registry.unbindPlayer(connection);
        // Rolled back: a room this join opened holds nobody now, and must not stay open, listed and counted.
        if (room.humansPresent === 0) directory.close(room.id);
      },
    );
  };

  return {
    join_room(context, data) {
      const connection = context.connection;
      if (connection.playerName !== null) {
        return { code: ErrorCode.ALREADY_IN_GAME, message: `You already joined as ${connection.playerName}` };
      }
      const room = roomOf(context);
      if (room !== undefined) return joinIn(context, data, room);
      const refused = quota.refusal(directory, connection.address);
      if (refused !== undefined) return refused;
      if (deps.ownerUrl !== undefined) return claimThenJoin(context, data, deps.ownerUrl);
      const created = directory.create(connection.channel, {}, connection.channel);
      quota.opened(created.id, connection.address);
      return joinIn(context, data, created);
    },

    leave_room: (context) =>
      withRoom(context, (room, by) => {
        const left = room.leave(by ?? "");
        if (!left.ok) return left.error;
        registry.unbindPlayer(context.connection);
        return afterStored(room, left, () => context.reply("left_room", {}), () => {
          // Rolled back: the member is still in the room, so this socket speaks for it again, or, if it closed
          // meanwhile (its close found nobody to report), the room hears of that drop now.
          if (by === null) return;
          if (context.connection.isOpen) registry.bindPlayer(context.connection, by);
          else deps.dropped(room.id, by);
        });
      }),

    // Not through `withRoom`: this is every chat, and its closure would be one more allocation per line.
    chat(context, data) {
      const room = roomOf(context);
      return room === undefined
        ? NOT_IN_ROOM
        : failure(room, room.chat(context.connection.playerName, data.message));
    },

    get_state(context) {
      const room = roomOf(context);
      const answer = () =>
        context.reply(
          "game_state",
          room?.stateFor(context.connection.playerName) ?? { room: null, you: null, game: null },
        );
      // What is still being stored may yet be rolled back: answer with the state once it is settled.
      const pending = room?.stored() ?? null;
      if (pending === null) return answer();
      return pending.then(() => answer());
    },

    resume(context, data) {
      const plan = sessions.prepare(context.connection, data.session_token, data.last_seq);
      return "code" in plan ? plan : sessions.apply(context.connection, plan, context.id);
    },

    ...keepAlive,

    add_bot: (context, data) =>
      withRoom(context, (room, by) => failure(room, room.addBot(by, data.seat as Seat | undefined))),
    remove_bot: (context, data) =>
      withRoom(context, (room, by) => failure(room, room.removeBot(by, data.seat as Seat))),
    remove_player: (context, data) =>
      withRoom(context, (room, by) => failure(room, room.removePlayer(by, data.seat as Seat))),
    update_settings: (context, data) =>
      withRoom(context, (room, by) => failure(room, room.updateSettings(by, data))),
    start_game: (context, data) =>
      withRoom(context, (room, by) => failure(room, room.startGame(by, data.fill_with_bots))),

    declare: (context, data) =>
      withRoom(
        context,
        (room, by) => failure(room, room.gameAction(by, { type: "declare", value: data.value })),
      ),

    play: (context, data) =>
      withRoom(context, (room, by) => {
        const played = room.gameAction(by, { type: "play", pieceIds: data.piece_ids });
        return afterStored(
          room,
          played,
          () => context.reply("play_accepted", { player: by, pieces_played: data.piece_ids }),
        );
      }),

    accept_redeal: (context) =>
      withRoom(
        context,
        (room, by) => failure(room, room.gameAction(by, { type: "redeal_decision", accept: true })),
      ),
    decline_redeal: (context) =>
      withRoom(
        context,
        (room, by) => failure(room, room.gameAction(by, { type: "redeal_decision", accept: false })),
      ),
  };
}
