// The HTTP surface: the embedded page, health, and the WebSocket upgrade routes. No runtime globals here:
// the runtime adapter hands in its upgrade helper and how to wrap its sockets.

import { Hono } from "hono";
import type { Context } from "hono";
import type { UpgradeWebSocket, WSContext } from "hono/ws";
import page from "../web/index.html" with { type: "text" };
import type { Connection } from "../net/connection.ts";
import { Gateway } from "../net/gateway.ts";
import { CloseCode } from "../protocol/codes.ts";
import { encodeEvent } from "../protocol/server_messages.ts";
import type { Transport } from "../net/transport.ts";
import type { GameArchive } from "../store/ports.ts";
import { mountGamesApi } from "./games_api.ts";

export interface AppOptions<Raw> {
  gateway: Gateway;
  upgradeWebSocket: UpgradeWebSocket<Raw>;
  /** Wraps the runtime's socket behind the Transport the net layer speaks to. */
  transportOf(ws: WSContext<Raw>): Transport;
  remoteAddress(c: Context): string;
  version: string;
  startedAt: number;
  now(): number;
  /** Finished games for `/api/games`; without it those routes are not mounted. */
  games?: GameArchive;
  /** Cluster mode: this node's id (it also answers on `/n/{nodeId}/ws/:channel`) and where each room lives. */
  cluster?: ClusterRouting;
}

/** How a cluster node decides, before a room socket opens, whether the room is served here. */
export interface ClusterRouting {
  nodeId: string;
  /**
   * Null: serve the room here (taken over if need be). Otherwise the owner's URL for this room's socket.
   * `token` is the socket's `?token=`, if any.
   */
  route(roomId: string, token: string | undefined): Promise<{ redirect: string } | null>;
}

/**
 * The page may talk to this server only. `connect-src 'self'` covers same-host WebSockets in current browsers;
 * the explicit ws:/wss: origin is for those that predate that rule.
 */
function securityHeaders(host: string | undefined): Record<string, string> {
  const sockets = host !== undefined && /^[A-Za-z0-9.:[\]-]+$/.test(host)
    ? ` ws://${host} wss://${host}`
    : "";
  return {
    "content-security-policy": "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; " +
      `connect-src 'self'${sockets}; img-src 'self' data:; base-uri 'none'; form-action 'none'; ` +
      "frame-ancestors 'none'",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
  };
}

export function createApp<Raw>(options: AppOptions<Raw>): Hono {
  const { gateway } = options;
  const app = new Hono();

  const servePage = (c: Context) => c.html(page, 200, securityHeaders(c.req.header("host")));
  app.get("/", servePage);
  app.get("/room/:id", servePage);

  app.get("/healthz", (c) =>
    c.json({
      status: "ok",
      version: options.version,
      uptime_s: Math.round((options.now() - options.startedAt) / 1000),
      connections: gateway.registry.size,
      rooms: gateway.directory.size,
    }));

  // A load balancer sends `/n/{node}/…` to that node; here it is the same socket route as `/ws/:channel`.
  const socketPaths = options.cluster
    ? ["/ws/:channel", `/n/${options.cluster.nodeId}/ws/:channel`]
    : ["/ws/:channel"];
  app.on(
    "GET",
    socketPaths,
    async (c, next) => {
      if (!Gateway.isChannel(c.req.param("channel") ?? "")) {
        return c.json({ error: "Room ids are 1–32 characters of A–Z, a–z, 0–9, _ and -" }, 404);
      }
      if (c.req.header("upgrade")?.toLowerCase() !== "websocket") {
        return c.json({ error: "This endpoint speaks WebSocket" }, 426, { upgrade: "websocket" });
      }
      await next();
    },
    options.upgradeWebSocket(async (c) => {
      const channel = c.req.param("channel") ?? "lobby";
      // Browsers do not follow redirects on a WebSocket handshake: the redirect goes in-band, then the close.
      const elsewhere = channel !== "lobby" && options.cluster
        ? await options.cluster.route(channel, c.req.query("token") || undefined)
        : null;
      if (elsewhere !== null) {
        return {
          onOpen(_event, ws) {
            ws.send(encodeEvent("redirect", { room_id: channel, url: elsewhere.redirect }, {
              roomId: channel,
              timestamp: options.now(),
            }));
            ws.close(CloseCode.REDIRECT, "this room is served by another node");
          },
        };
      }
      const token = c.req.query("token") || undefined;
      const address = options.remoteAddress(c);
      let connection: Connection | null = null;
      return {
        onOpen(_event, ws) {
          connection = gateway.open(options.transportOf(ws), channel, address, { token });
        },
        onMessage(event, _ws) {
          if (connection !== null) gateway.message(connection, event.data);
        },
        onClose() {
          if (connection !== null) gateway.closed(connection);
        },
        onError() {
          if (connection !== null) gateway.closed(connection);
        },
      };
    }),
  );

  if (options.games !== undefined) mountGamesApi(app, options.games);

  app.notFound((c) => c.json({ error: "Not found" }, 404));
  app.onError((error, c) => {
    const ref = crypto.randomUUID().slice(0, 8);
    console.error(`[http] ${c.req.method} ${c.req.path} failed ref=${ref}`, error);
    return c.json({ error: "Internal server error", ref }, 500);
  });
  return app;
}
