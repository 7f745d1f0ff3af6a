// The lobby channel's handler table: list rooms, create one, keep the socket alive.

import type { LobbyEvents } from "../protocol/client_messages.ts";
import type { RoomDirectory } from "../rooms/room_directory.ts";
import type { RoomQuota } from "./room_quota.ts";
import { type Failure, type HandlerTable, keepAlive } from "./router.ts";

export function lobbyHandlers(directory: RoomDirectory, quota: RoomQuota): HandlerTable<LobbyEvents> {
  return {
    create_room(context, data) {
      const refused = quota.refusal(directory, context.connection.address);
      if (refused !== undefined) return refused;
      const settings = { ...data.settings };
      if (data.is_public !== undefined) settings.is_public = data.is_public;
      const room = directory.create(data.room_name, settings);
      quota.opened(room.id, context.connection.address);
      // The creator holds seat 0 as host until they connect with the token, or their grace runs out.
      const joined = room.join(data.player_name, "player", false);
      if (!joined.ok) {
        directory.close(room.id);
        return joined.error;
      }
      const reply = () =>
        context.reply("room_created", {
          ...room.summary(),
          session_token: joined.value.token,
          player_name: data.player_name,
        });
      // The token is handed out only once the room and the seat it opens are stored.
      const pending = room.stored();
      if (pending === null) return reply();
      return pending.then((problem) => {
        if (problem === null) return reply();
        // Rolled back: the room holds nobody, and an empty room would stay listed, and count, for good.
        if (room.humansPresent === 0) directory.close(room.id);
        return problem as Failure;
      });
    },

    refresh_rooms: (context) => context.reply("room_list", { rooms: directory.publicSummaries() }),
    ...keepAlive,
  };
}
