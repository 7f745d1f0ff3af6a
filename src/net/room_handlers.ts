// The room channel's handler table: each typed message becomes one room call and, maybe, a direct reply.
// No game rules here; the room and the engine decide, and their refusals come back as values.

import { ErrorCode } from "../protocol/codes.ts";
import type { RoomEvents } from "../protocol/client_messages.ts";
import type { Room } from "../rooms/room.ts";
import type { RoomDirectory } from "../rooms/room_directory.ts";
import type { RoomResult } from "../rooms/room_errors.ts";
import type { Seat } from "../game/state.ts";
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
}

function failure<T>(result: RoomResult<T>): Failure | undefined {
  return result.ok ? undefined : result.error;
}

const NOT_IN_ROOM: Failure = { code: ErrorCode.NOT_IN_ROOM, message: "Join the room first" };

export function roomHandlers(deps: RoomHandlerDeps): HandlerTable<RoomEvents> {
  const { directory, registry, sessions, quota } = deps;
  const roomOf = (context: MessageContext): Room | undefined => directory.get(context.connection.channel);
  const withRoom = (context: MessageContext, act: (room: Room, by: string | null) => HandlerOutcome) => {
    const room = roomOf(context);
    return room === undefined ? NOT_IN_ROOM : act(room, context.connection.playerName);
  };

  return {
    join_room(context, data) {
      const connection = context.connection;
      if (connection.playerName !== null) {
        return { code: ErrorCode.ALREADY_IN_GAME, message: `You already joined as ${connection.playerName}` };
      }
      let room = roomOf(context);
      if (room === undefined) {
        const refused = quota.refusal(directory, connection.address);
        if (refused !== undefined) return refused;
        room = directory.create(connection.channel, {}, connection.channel);
        quota.opened(room.id, connection.address);
      }
      const joined = room.join(data.player_name, data.as);
      if (!joined.ok) {
        if (room.humansPresent === 0) directory.close(room.id);
        return joined.error;
      }
      registry.bindPlayer(connection, data.player_name);
      context.reply("joined_room", {
        room_id: room.id,
        player_name: data.player_name,
        seat: joined.value.member.seat,
        session_token: joined.value.token,
        room: room.state(),
      });
    },

    leave_room: (context) =>
      withRoom(context, (room, by) => {
        const left = room.leave(by ?? "");
        if (!left.ok) return left.error;
        registry.unbindPlayer(context.connection);
        context.reply("left_room", {});
      }),

    chat: (context, data) => withRoom(context, (room, by) => failure(room.chat(by, data.message))),

    get_state(context) {
      const room = roomOf(context);
      context.reply(
        "game_state",
        room?.stateFor(context.connection.playerName) ?? { room: null, you: null, game: null },
      );
    },

    resume(context, data) {
      const plan = sessions.prepare(context.connection, data.session_token, data.last_seq);
      return "code" in plan ? plan : sessions.apply(context.connection, plan, context.id);
    },

    ...keepAlive,

    add_bot: (context, data) =>
      withRoom(context, (room, by) => failure(room.addBot(by, data.seat as Seat | undefined))),
    remove_bot: (context, data) =>
      withRoom(context, (room, by) => failure(room.removeBot(by, data.seat as Seat))),
    remove_player: (context, data) =>
      withRoom(context, (room, by) => failure(room.removePlayer(by, data.seat as Seat))),
    update_settings: (context, data) =>
      withRoom(context, (room, by) => failure(room.updateSettings(by, data))),
    start_game: (context, data) =>
      withRoom(context, (room, by) => failure(room.startGame(by, data.fill_with_bots))),

    declare: (context, data) =>
      withRoom(
        context,
        (room, by) => failure(room.gameAction(by, (game, seat) => game.declare(seat, data.value))),
      ),

    play: (context, data) =>
      withRoom(context, (room, by) => {
        const played = room.gameAction(by, (game, seat) => game.play(seat, data.piece_ids));
        if (!played.ok) return played.error;
        context.reply("play_accepted", { player: by, pieces_played: data.piece_ids });
      }),

    accept_redeal: (context) =>
      withRoom(
        context,
        (room, by) => failure(room.gameAction(by, (game, seat) => game.redealDecision(seat, true))),
      ),
    decline_redeal: (context) =>
      withRoom(
        context,
        (room, by) => failure(room.gameAction(by, (game, seat) => game.redealDecision(seat, false))),
      ),
  };
}
