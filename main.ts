// The composition root: reads config, builds logger and metrics, opens the store and rebuilds the rooms it
// holds, builds registry, rooms and app, starts the runtime's server, and registers what /readyz waits for.

import { readFileSync } from "node:fs";
import process from "node:process";
import { type Config, parseConfig, VERSION } from "./src/config.ts";
import { type ClusterRouting, createApp } from "./src/http/app.ts";
import { EventLoopLag } from "./src/http/event_loop_lag.ts";
import { renderMetrics } from "./src/http/prometheus.ts";
import { Readiness } from "./src/http/readiness.ts";
import { Gateway } from "./src/net/gateway.ts";
import { CloseCode } from "./src/protocol/codes.ts";
import { createLogger, type Logger } from "./src/net/logger.ts";
import { Metrics } from "./src/net/metrics.ts";
import { Operator } from "./src/net/operator.ts";
import { SessionSigner } from "./src/net/session_signer.ts";
import { realClock } from "./src/rooms/clock.ts";
import { RoomDirectory } from "./src/rooms/room_directory.ts";
import { StoreJournals } from "./src/rooms/room_journal.ts";
import { type LobbyEvents, LobbyMirror } from "./src/rooms/lobby_mirror.ts";
import type { Runtime } from "./src/runtime/runtime.ts";
import { memoryStore } from "./src/store/memory_store.ts";
import { type Store, StoreError } from "./src/store/ports.ts";
import { openSqliteStore } from "./src/store/sqlite_store.ts";
import type { RedisStore } from "./src/store/redis_store.ts";
import type { RoomOwner } from "./src/store/redis_owners.ts";
import { keptOwnership, LeaseKeeper } from "./src/store/lease_keeper.ts";
import { probeDataDir } from "./src/store/disk_probe.ts";
import { WriteHealth } from "./src/store/write_health.ts";
import { observedStore } from "./src/store/observed_store.ts";
import { currentLog, roomIdOfLog } from "./src/rooms/log_chain.ts";

async function loadRuntime(): Promise<Runtime> {
  if ("Bun" in globalThis) return (await import("./src/runtime/bun.ts")).bunRuntime();
  return (await import("./src/runtime/deno.ts")).denoRuntime();
}

function makeLogger(config: Config): Logger {
  const format = config.log.format === "auto" ? (process.stdout.isTTY ? "text" : "json") : config.log.format;
  return createLogger({
    level: config.log.level,
    format,
    // Everything goes to stdout, one line each, so a supervisor (systemd, docker) keeps one ordered stream.
    write: (line) => console.log(line),
    now: realClock.now,
  });
}

/** The configured store; throws StoreError with a one-line reason when it cannot be used. */
async function openStore(config: Config, log: Logger): Promise<Store> {
  if (config.cluster !== null) {
    // Cluster mode: the rooms' log, leases, lobby and history live in Redis, checked before anything starts.
    const { redisUrl, nodeId, publicUrl } = config.cluster;
    // Loaded only in cluster mode, so a single server never loads the Redis client library.
    const { openRedisStore } = await import("./src/store/redis_store.ts");
    const store = await openRedisStore({ url: redisUrl, nodeId });
    for (const warning of store.warnings) log.warn(`liaptui: ${warning}`);
    await store.announce(publicUrl, VERSION);
    log.info(`liaptui: cluster node ${nodeId} (${publicUrl}) on Redis, Function library ${store.library}`);
    return store;
  }
  const dataDir = config.dataDir;
  if (dataDir === ":memory:") {
    log.warn("liaptui: --data-dir :memory: keeps rooms and games in memory only; a restart loses them");
    // Nothing here ever reads a room's log back: no restart finds it, no other node shares it, a resume
    // replays from the event history and a rollback from the room's own command log. Kept whole, the logs
    // grew by every chat and move for the life of the process (20,000 entries a second in bench:transport's
    // `rooms`), and the collector's cycles with them; so they keep no entries, only what appends check.
    return memoryStore({ keptEntries: 0 });
  }
  return openSqliteStore(dataDir);
}

/** How /readyz learns that a failing store could write again: a file write in the data directory, Redis reachable. */
function writeProbe(config: Config, store: Store): (() => Promise<void>) | undefined {
  if (store.kind === "redis") {
    return () =>
      (store as RedisStore).connected()
        ? Promise.resolve()
        : Promise.reject(new Error("Redis is unreachable"));
  }
  return store.kind === "sqlite" ? () => probeDataDir(config.dataDir) : undefined;
}

/** A room's socket URL on the node that owns it (`/n/{node}/ws/{room}`), or null when that node is unknown. */
async function ownerSocketUrl(store: RedisStore, owner: string, roomId: string): Promise<string | null> {
  const base = await store.nodeUrl(owner);
  return base === null ? null : `${base.replace(/^http/, "ws")}/n/${owner}/ws/${roomId}`;
}

/**
 * Where a room socket goes in cluster mode: a room nobody holds is taken over here (rebuilt from its log); a
 * room another node holds is redirected to that node's own path. If Redis cannot say, the room is tried
 * here, where its actions fail loudly rather than fork.
 */
function clusterRouting(
  nodeId: string,
  store: RedisStore,
  directory: RoomDirectory,
  signer: SessionSigner,
  log: Logger,
): ClusterRouting {
  return {
    nodeId,
    async route(roomId, token) {
      // A token this cluster never issued for the room takes nothing over; the socket is told it is unknown.
      if (token !== undefined && !directory.has(roomId) && !signer.verify(roomId, token)) return null;
      try {
        const found = await directory.adopt(roomId);
        if (found.kind === "adopted") {
          log.info(`liaptui: took over room ${roomId} (${found.entries} logged actions replayed)`);
        }
        if (found.kind !== "busy" || found.owner === null) return null;
        // Held under this node's own id but not here: a previous life of this node (killed and restarted)
        // holds the lease until it lapses. Sent back here, the client retries with its backoff until then.
        const url = await ownerSocketUrl(store, found.owner, roomId);
        return url === null ? null : { redirect: url };
      } catch (error) {
        // Redis unreachable: serving the socket here would refuse its token (no room here), and the client
        // would drop its seat. It is asked to come back shortly instead, token kept.
        if (error instanceof StoreError && error.inDoubt) {
          log.warn(
            `liaptui: cannot route room ${roomId} while Redis is unreachable; the socket is asked to retry`,
          );
          return { retry: "try again later: Redis is unreachable" };
        }
        log.error(`liaptui: cannot route room ${roomId}`, {}, error);
        return null;
      }
    },
  };
}

async function run(runtime: Runtime, config: Config): Promise<void> {
  const startedAt = realClock.now();
  const log = makeLogger(config);
  const metrics = new Metrics();
  const readiness = new Readiness();
  const lag = new EventLoopLag(realClock.now);
  const store = await openStore(config, log);
  let storeOpen = true;
  // Cluster mode: every lease a room takes is renewed, and a room whose lease is lost stops here at once.
  let lost: (roomId: string, reason: string, logId?: string) => void = () => {};
  let diverged: (roomId: string, logId: string) => void = () => {};
  const monotonic = { ...realClock, now: () => performance.now() };
  const keeper = store.kind === "redis"
    ? new LeaseKeeper({
      ownership: store.ownership,
      leaseMs: (store as RedisStore).ownership.leaseMs,
      timing: monotonic,
      // A lease is on a log; a reopened id's log (`id~2`) belongs to the room the players know as `id`.
      onLost: (grant, reason) => lost(roomIdOfLog(grant.roomId), reason, grant.roomId),
    })
    : null;
  const keptStore = keeper === null ? store : {
    ...store,
    ownership: keptOwnership(store.ownership, keeper, monotonic),
  };
  // /metrics sees every append and grant the rooms make, at the port boundary, whichever store is behind it.
  const roomStore = observedStore(keptStore, {
    appended: (outcome, seconds) => metrics.appended(outcome, seconds),
    tookOver: () => metrics.takeovers += 1,
  }, monotonic.now);
  // /readyz's store check: a failed write (a full or read-only disk, Redis gone) shows there until the store
  // writes again or the probe says it could.
  const writes = new WriteHealth({
    probe: writeProbe(config, store),
    changed: (failure) =>
      failure === null
        ? log.info("liaptui: the store writes again; /readyz reports ready")
        : log.error(`liaptui: the store cannot write (${failure}); /readyz reports not ready`),
  });
  const journals = new StoreJournals(writes.watch(roomStore), config.cluster?.nodeId);
  let lobbyEvents: LobbyEvents | null = null;
  const signer = config.cluster === null ? null : new SessionSigner(config.cluster.secret);
  const gateway = new Gateway({
    clock: realClock,
    limits: config.limits,
    pubsub: runtime.pubsub,
    metrics,
    log,
    // Sockets that connect together (a server's start, a reconnect storm) are pinged apart, not in one sweep.
    pingPhase: Math.random,
    ...(config.cluster !== null && store.kind === "redis"
      ? { ownerUrl: (owner: string, roomId: string) => ownerSocketUrl(store as RedisStore, owner, roomId) }
      : {}),
    directory: (delivery) => {
      lobbyEvents = delivery;
      return new RoomDirectory({
        clock: realClock,
        output: delivery,
        lobby: delivery,
        maxRooms: config.maxRooms,
        journals,
        ...(signer !== null ? { tokens: (roomId: string) => signer.issue(roomId) } : {}),
        ...(keeper !== null
          ? { onDiverged: (roomId: string, logId: string) => diverged(roomId, logId) }
          : {}),
      });
    },
  });
  // Cluster mode: every node's lobby lists every node's public rooms, through the shared Redis listing.
  const mirror = store.kind === "redis" && lobbyEvents !== null
    ? new LobbyMirror({
      lobby: (store as RedisStore).lobby,
      clock: realClock,
      output: lobbyEvents,
      isLocal: (id) => gateway.directory.has(id),
      localSummaries: () => gateway.directory.localSummaries(),
    })
    : null;
  if (mirror !== null) {
    gateway.directory.shareLobby(mirror);
    await mirror.start();
  }
  // A cluster node does not rebuild every unfinished room at start: those are other nodes' rooms, taken over
  // on the next connection for them once their lease lapses (see clusterRouting).
  const stop = (roomId: string, reason: string) => {
    log.warn(`liaptui: room ${roomId} lost its lease (${reason}); it stops on this node`);
    gateway.directory.evict(roomId);
    // Its sockets are told to come back: left open on a room that is gone here they would hear only pings,
    // and nobody would take the room over. Coming back, they are routed to the new owner, or take it here.
    for (const connection of [...gateway.registry.all()]) {
      if (connection.channel === roomId) {
        gateway.drop(connection, CloseCode.TRY_AGAIN_LATER, "try again later: this room moved");
      }
    }
  };
  // Counted by the keeper's reason (taken, unreachable) only: a diverged room gives its lease up, it loses none.
  lost = (roomId, reason, logId) => {
    // A lease on an earlier, finished generation of the id (the keeper still holds it) is not the room here.
    const here = gateway.directory.get(roomId)?.journal?.logId;
    if (logId !== undefined && here !== undefined && here !== "" && here !== logId) return;
    metrics.leasesLost.inc(reason);
    stop(roomId, reason);
  };
  // A room whose log moved on without it is already evicted: its lease goes at once (so the next connection
  // takes it over from the log, here or elsewhere, without waiting for the TTL) and its sockets come back.
  diverged = (roomId, logId) => {
    stop(roomId, "its log holds entries it never applied");
    keeper?.release(logId).catch((error) => log.error(`liaptui: releasing room ${roomId} failed`, {}, error));
  };
  const restored = config.cluster === null
    ? await gateway.directory.restore()
    : { rooms: 0, entries: 0, failed: [] };
  if (restored.rooms > 0 || restored.failed.length > 0) {
    log.info(
      `liaptui: rebuilt ${restored.rooms} room(s) from ${restored.entries} stored action(s)` +
        (restored.failed.length > 0
          ? `; ${restored.failed.length} could not be rebuilt and were closed`
          : ""),
    );
  }
  let listening = false;
  // /readyz: every check must pass. The store is ready once its rooms are rebuilt, until shutdown closes it.
  readiness.add("accepting", () => listening && gateway.accepting);
  readiness.add("store", async () => storeOpen && await writes.writable());
  // Cluster mode: a node that cannot reach Redis can neither take rooms over nor store their actions.
  if (store.kind === "redis") readiness.add("redis", () => (store as RedisStore).connected());
  const app = createApp({
    gateway,
    upgradeWebSocket: runtime.upgradeWebSocket,
    transportOf: runtime.transportOf,
    remoteAddress: runtime.remoteAddress,
    ...(runtime.directUpgrade !== undefined ? { directUpgrade: runtime.directUpgrade } : {}),
    version: VERSION,
    startedAt,
    now: realClock.now,
    allowedOrigins: config.allowedOrigins,
    trustedProxies: config.trustedProxies,
    limits: config.http,
    log,
    games: store.archive,
    ...(config.cluster !== null && store.kind === "redis"
      ? {
        cluster: clusterRouting(config.cluster.nodeId, store as RedisStore, gateway.directory, signer!, log),
      }
      : {}),
    ops: {
      readiness,
      operator: new Operator(
        gateway,
        realClock,
        log,
        config.cluster !== null && store.kind === "redis"
          ? { nodeId: config.cluster.nodeId, owners: (ids) => currentOwners(store as RedisStore, ids) }
          : null,
      ),
      adminToken: config.adminToken,
      collectGarbage: runtime.collectGarbage,
      metricsText: () =>
        renderMetrics({
          gateway,
          lag,
          version: VERSION,
          runtime: runtime.name,
          uptimeSeconds: () => (realClock.now() - startedAt) / 1000,
          ...(keeper !== null ? { cluster: { leasesHeld: () => keeper.size } } : {}),
        }),
    },
  });
  const tls = config.tls === null
    ? undefined
    : { cert: readFileSync(config.tls.certFile, "utf8"), key: readFileSync(config.tls.keyFile, "utf8") };
  const server = runtime.serve(app.fetch, {
    host: config.host,
    port: config.port,
    limits: config.limits,
    tls,
    maxBodyBytes: config.http.maxBodyBytes,
  });
  gateway.start();
  lag.start();
  // Listening for signals before saying "listening": a supervisor may stop the server the moment it is up.
  let stopping = false;
  runtime.onShutdownSignal((signal) => {
    if (stopping) return;
    stopping = true;
    log.info(`liaptui: ${signal} received, closing connections`);
    gateway.shutdown();
    lag.stop();
    // Exit even if the listener takes its time to drain.
    const deadline = setTimeout(() => runtime.exit(0), 3_000);
    server.stop().finally(async () => {
      clearTimeout(deadline);
      // Hands the rooms' leases back so other nodes can take them at once (cluster mode).
      mirror?.stop();
      await keeper?.releaseAll();
      keeper?.stop();
      // Commits what is still queued and releases the database's lock; rooms stay open in it for the next start.
      storeOpen = false;
      await store.close().catch((error) => log.error("liaptui: closing the store failed", {}, error));
      log.info("liaptui: stopped");
      runtime.exit(0);
    });
  });
  listening = true;
  const shown = server.hostname.includes(":") ? `[${server.hostname}]` : server.hostname;
  const scheme = tls === undefined ? "http" : "https";
  log.info(
    store.kind === "sqlite"
      ? `liaptui: games are stored in ${config.dataDir}`
      : store.kind === "redis"
      ? `liaptui: games are stored in Redis (cluster node ${config.cluster?.nodeId})`
      : `liaptui: games are kept in ${store.kind} only`,
  );
  log.info(`liaptui ${VERSION} listening on ${scheme}://${shown}:${server.port} (${runtime.name})`, {
    data_dir: config.cluster === null ? config.dataDir : null,
    node: config.cluster?.nodeId ?? null,
    admin: config.adminToken !== null,
  });
}

const runtime = await loadRuntime();
const parsed = parseConfig(runtime.args, runtime.env, (path) => readFileSync(path, "utf8"));
switch (parsed.kind) {
  case "help":
  case "version":
  case "print":
    console.log(parsed.text);
    runtime.exit(0);
    break;
  case "error":
    console.error(`liaptui: ${parsed.message}`);
    runtime.exit(2);
    break;
  case "run":
    try {
      await run(runtime, parsed.config);
    } catch (error) {
      console.error(`liaptui: cannot start: ${error instanceof Error ? error.message : String(error)}`);
      runtime.exit(1);
    }
}

/**
 * Owners for /api/stats, keyed as asked. A plain room id is looked up under its current log: a reopened id's
 * room (and lease) lives in `id~2`, `id~3`, … while `id` itself is a finished game's.
 */
async function currentOwners(store: RedisStore, ids: readonly string[]) {
  const logIds = await Promise.all(
    ids.map(async (id) => id === roomIdOfLog(id) ? (await currentLog(store.log, id)).logId : id),
  );
  const found = await store.owners(logIds);
  const owners = new Map<string, RoomOwner>();
  ids.forEach((id, i) => {
    const owner = found.get(logIds[i]!);
    if (owner !== undefined) owners.set(id, owner);
  });
  return owners;
}
