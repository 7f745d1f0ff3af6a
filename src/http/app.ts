// The HTTP surface: the embedded page, health, and the WebSocket upgrade routes. No runtime globals here:
// the runtime adapter hands in its upgrade helper and how to wrap its sockets.

import { Hono } from "hono";
import type { Context } from "hono";
import type { UpgradeWebSocket, WSContext } from "hono/ws";
import page from "../web/index.html" with { type: "text" };
import styles from "../web/style.css" with { type: "text" };
import favicon from "../web/favicon.svg" with { type: "text" };
// Built from src/web/main.ts by `deno task build:web` (part of start, check, test and compile).
import script from "../web/dist/app.js" with { type: "text" };
import type { Connection } from "../net/connection.ts";
import { Gateway } from "../net/gateway.ts";
import type { Transport } from "../net/transport.ts";

export interface AppOptions<Raw> {
  gateway: Gateway;
  upgradeWebSocket: UpgradeWebSocket<Raw>;
  /** Wraps the runtime's socket behind the Transport the net layer speaks to. */
  transportOf(ws: WSContext<Raw>): Transport;
  remoteAddress(c: Context): string;
  version: string;
  startedAt: number;
  now(): number;
}

/**
 * The page may load its own script, style and icon and talk to this server only: no inline script or style, no
 * other origin. `connect-src 'self'` covers same-host WebSockets in current browsers; the explicit ws:/wss:
 * origin is for those that predate that rule.
 */
function securityHeaders(host: string | undefined): Record<string, string> {
  const sockets = host !== undefined && /^[A-Za-z0-9.:[\]-]+$/.test(host)
    ? ` ws://${host} wss://${host}`
    : "";
  return {
    "content-security-policy": "default-src 'none'; script-src 'self'; style-src 'self'; " +
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
  // The page's assets: served with the same policy; `no-cache` so a new binary's page is picked up at once.
  const asset = (body: string, type: string) => (c: Context) =>
    c.body(body, 200, {
      ...securityHeaders(c.req.header("host")),
      "content-type": type,
      "cache-control": "no-cache",
    });
  app.get("/app.js", asset(script, "text/javascript; charset=utf-8"));
  app.get("/app.css", asset(styles, "text/css; charset=utf-8"));
  app.get("/favicon.svg", asset(favicon, "image/svg+xml"));

  app.get("/healthz", (c) =>
    c.json({
      status: "ok",
      version: options.version,
      uptime_s: Math.round((options.now() - options.startedAt) / 1000),
      connections: gateway.registry.size,
      rooms: gateway.directory.size,
    }));

  app.get(
    "/ws/:channel",
    async (c, next) => {
      if (!Gateway.isChannel(c.req.param("channel"))) {
        return c.json({ error: "Room ids are 1–32 characters of A–Z, a–z, 0–9, _ and -" }, 404);
      }
      if (c.req.header("upgrade")?.toLowerCase() !== "websocket") {
        return c.json({ error: "This endpoint speaks WebSocket" }, 426, { upgrade: "websocket" });
      }
      await next();
    },
    options.upgradeWebSocket((c) => {
      const channel = c.req.param("channel") ?? "lobby";
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

  app.notFound((c) => c.json({ error: "Not found" }, 404));
  app.onError((error, c) => {
    const ref = crypto.randomUUID().slice(0, 8);
    console.error(`[http] ${c.req.method} ${c.req.path} failed ref=${ref}`, error);
    return c.json({ error: "Internal server error", ref }, 500);
  });
  return app;
}
