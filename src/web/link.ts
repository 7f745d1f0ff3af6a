// The page's connection to one channel, through the shared typed client (src/client): it keeps the session
// token per room in localStorage, comes back on its own after a drop (backoff with jitter, `last_seq`), drops
// replays and answers heartbeats. Here its envelopes and status are handed to the page's state in its terms.

import type { LobbyChannel, RoomChannel } from "../client/channel.ts";
import { type Client, lobbyClient, roomClient } from "../client/client.ts";
import type { ClientStatus } from "../client/client_status.ts";
import { storageTokenStore, type TokenStore } from "../client/token_store.ts";
import type { ServerFrame } from "../protocol/server_events.ts";
import type { LinkStatus } from "./app_state.ts";

/** What the page may do with a channel: typed sends (by the server's own schemas) and closing. */
export type RoomLink = Pick<Client<RoomChannel>, "send" | "close">;
export type LobbyLink = Pick<Client<LobbyChannel>, "send" | "close">;

export interface LinkHandlers {
  frame(frame: ServerFrame): void;
  status(status: LinkStatus): void;
}

/** The client's states in the words the page shows. */
export function linkStatus(status: ClientStatus): LinkStatus {
  switch (status.state) {
    case "idle":
    case "connecting":
      return "connecting";
    case "open":
      return "open";
    case "reconnecting":
      return "reconnecting";
    case "closed":
      // 4003: an operator kicked this socket or closed its room; the client does not come back on its own.
      return status.cause === "session_replaced" ? "replaced" : status.code === 4003 ? "removed" : "closed";
  }
}

function tokens(): TokenStore {
  return storageTokenStore(localStorage);
}

function wire<C extends RoomChannel | LobbyChannel>(client: Client<C>, handlers: LinkHandlers): Client<C> {
  // Envelopes arrive unwrapped from batches, without replays; errors included. `redirect` is the client's own.
  client.onMessage((message) => handlers.frame(message as ServerFrame));
  client.onStatus((status) => handlers.status(linkStatus(status)));
  // A failure to connect shows through the status; the client keeps trying.
  client.connect().catch(() => handlers.status("closed"));
  // The browser knows before any timer when the network is back: skip the rest of the backoff wait.
  addEventListener("online", () => client.reconnectNow());
  return client;
}

export function openRoomLink(roomId: string, handlers: LinkHandlers): RoomLink {
  return wire(roomClient(location.origin, roomId, { tokens: tokens() }), handlers);
}

export function openLobbyLink(handlers: LinkHandlers): LobbyLink {
  return wire(lobbyClient(location.origin, { tokens: tokens() }), handlers);
}
