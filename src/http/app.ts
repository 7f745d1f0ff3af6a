// The HTTP surface: the embedded page, health, and the WebSocket upgrade routes. No runtime globals here:
// the runtime adapter hands in its upgrade helper and how to wrap its sockets.

import { Hono } from "hono";
import type { Context } from "hono";
import type { UpgradeWebSocket, WSContext, WSEvents } from "hono/ws";
import page from "../web/index.html" with { type: "text" };
import styles from "../web/style.css" with { type: "text" };
import favicon from "../web/favicon.svg" with { type: "text" };
// Built from src/web/main.ts by `deno task build:web` (part of start, check, test and compile).
import script from "../web/dist/app.js" with { type: "text" };
import type { Gateway } from "../net/gateway.ts";
import { consoleLogger, type Logger } from "../net/logger.ts";
import type { Transport } from "../net/transport.ts";
import { ClientAddress } from "./client_address.ts";
import { OriginCheck } from "./origin_check.ts";
import { type OpsOptions, opsRoutes } from "./ops_routes.ts";
import { headerLimit, requestBodyLimit, secureResponses } from "./security.ts";
import type { GameArchive } from "../store/ports.ts";
import { mountGamesApi } from "./games_api.ts";
import { socketEvents, turnAway } from "./ws_events.ts";
import { directSocketEvents, type DirectUpgrade } from "./ws_direct.ts";
import { socketRefusal } from "./ws_request.ts";

export interface AppOptions<Raw> {
  gateway: Gateway;
  upgradeWebSocket: UpgradeWebSocket<Raw>;
  /** Wraps the runtime's socket behind the Transport the net layer speaks to. */
  transportOf(ws: WSContext<Raw>): Transport;
  remoteAddress(c: Context): string;
  version: string;
  startedAt: number;
  now(): number;
  /** Readiness, metrics and admin; without it those routes are absent (tests of the page and sockets). */
  ops?: OpsOptions;
  /** Which pages may open sockets (default: own origin and non-browser clients). */
  allowedOrigins?: readonly string[];
  /** Peers whose X-Forwarded-For / Forwarded is believed (default: none). */
  trustedProxies?: readonly string[];
  limits?: { maxBodyBytes: number; maxHeaderBytes: number };
  log?: Logger;
  /** Finished games for `/api/games`; without it those routes are not mounted. */
  games?: GameArchive;
  /**
   * Where the runtime can upgrade a bare request (Bun), plain `/ws/{channel}` upgrades are answered before
   * Hono's router (see ws_direct.ts). Not in cluster mode, whose room routing lives in the Hono route.
   */
  directUpgrade?: DirectUpgrade;
  /** Cluster mode: this node's id (it also answers on `/n/{nodeId}/ws/:channel`) and where each room lives. */
  cluster?: ClusterRouting;
}

/** How a cluster node decides, before a room socket opens, whether the room is served here. */
export interface ClusterRouting {
  nodeId: string;
  /**
   * Null: serve the room here (taken over if need be). Otherwise the owner's URL for this room's socket, or
   * why it cannot be served anywhere just now (the socket is closed with 1013, token kept, to come back).
   * `token` is the socket's `?token=`, if any.
   */
  route(roomId: string, token: string | undefined): Promise<{ redirect: string } | { retry: string } | null>;
}

export function createApp<Raw>(options: AppOptions<Raw>): Hono {
  const { gateway } = options;
  const log = options.log ?? consoleLogger;
  const origins = new OriginCheck(options.allowedOrigins ?? []);
  const clientAddress = new ClientAddress(options.trustedProxies ?? []);
  const limits = options.limits ?? { maxBodyBytes: 64 * 1024, maxHeaderBytes: 16 * 1024 };
  const app = new Hono();
  // Outermost, so the limits' own refusals (431, 413) get the security headers too.
  app.use("*", secureResponses());
  app.use("*", headerLimit(limits.maxHeaderBytes));
  app.use("*", requestBodyLimit(limits.maxBodyBytes));

  // The page's CSP and security headers come from `secureResponses`, the same as every HTML response.
  const servePage = (c: Context) => c.html(page);
  app.get("/", servePage);
  app.get("/room/:id", servePage);
  // The page's assets (nosniff from `secureResponses`); `no-cache` so a new binary's page is picked up at once.
  const asset = (body: string, type: string) => (c: Context) =>
    c.body(body, 200, { "content-type": type, "cache-control": "no-cache" });
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
  if (options.ops) app.route("/", opsRoutes(options.ops));

  // A load balancer sends `/n/{node}/…` to that node; here it is the same socket route as `/ws/:channel`.
  const socketPaths = options.cluster
    ? ["/ws/:channel", `/n/${options.cluster.nodeId}/ws/:channel`]
    : ["/ws/:channel"];
  app.on(
    "GET",
    socketPaths,
    async (c, next) => {
      const refused = socketRefusal(origins, c.req.param("channel") ?? "", c.req.raw.headers);
      if (refused !== null) {
        if (refused.reason === "origin") {
          gateway.metrics.connectionsRefused.inc(refused.reason);
          log.debug("upgrade refused: origin not allowed", { origin: c.req.header("origin") });
        }
        return c.json({ error: refused.error }, refused.status, refused.headers);
      }
      await next();
    },
    options.upgradeWebSocket(async (c) => {
      const channel = c.req.param("channel") ?? "lobby";
      const token = c.req.query("token") || undefined;
      // Browsers do not follow redirects on a WebSocket handshake: the redirect goes in-band, then the close.
      const elsewhere = channel !== "lobby" && options.cluster
        ? await options.cluster.route(channel, token)
        : null;
      if (elsewhere !== null) return turnAway(gateway, channel, elsewhere, options.now);
      const address = clientAddress.resolve(options.remoteAddress(c), c.req.raw.headers);
      return socketEvents(gateway, options.transportOf, channel, address, {
        token,
        lastSeq: c.req.query("last_seq"),
      });
    }),
  );

  if (options.games !== undefined) mountGamesApi(app, options.games);

  if (options.directUpgrade !== undefined && options.cluster === undefined) {
    const direct = options.directUpgrade;
    const sockets = {
      gateway,
      transportOf: options.transportOf,
      origins,
      clientAddress,
      maxHeaderBytes: limits.maxHeaderBytes,
    };
    const routed = app.fetch;
    app.fetch = (request, env, executionCtx) => {
      const events = directSocketEvents(sockets, request, () => direct.peer(request, env));
      // Bun's way after an upgrade: return nothing (the 101 is already on its way), so no Response is made.
      if (events !== null && direct.upgrade(request, env, events as WSEvents<unknown>)) {
        return undefined as unknown as Response;
      }
      return routed(request, env, executionCtx);
    };
  }

  app.notFound((c) => c.json({ error: "Not found" }, 404));
  app.onError((error, c) => {
    const ref = crypto.randomUUID().slice(0, 8);
    // The stack goes to the log only; the client gets a reference to quote.
    log.error("http handler failed", { method: c.req.method, path: c.req.path, ref }, error);
    return c.json({ error: "Internal server error", ref }, 500);
  });
  return app;
}
