// Every open room by id: creates rooms, closes empty ones, rebuilds them from the store on start, and tells
// the lobby what it may list.

import type { Clock } from "./clock.ts";
import { currentLog, openCurrentLog } from "./log_chain.ts";
import { Room } from "./room.ts";
import type { RoomCommand, TimedCommand } from "./room_command.ts";
import type { RoomOpening, StoreJournals } from "./room_journal.ts";
import type { LobbyMirror } from "./lobby_mirror.ts";
import type { Grant, RoomRecord } from "../store/ports.ts";
import type { RoomOutput } from "./room_output.ts";
import type { RoomSummary } from "./room_views.ts";
import { newRoomId } from "./session_token.ts";
import type { RoomSettings } from "./settings.ts";
import type { GameRules } from "./table_game.ts";

/** Where lobby broadcasts go (the `/ws/lobby` channel). */
export interface LobbyOutput {
  lobbyEvent(event: "room_created" | "room_updated" | "room_removed", data: unknown): void;
  /**
   * Whether a lobby event would reach anyone now (absent: always). Rooms change on every join and leave,
   * and with nobody on the lobby a room's summary would be built only to be dropped.
   */
  readonly listening?: boolean;
  /** A room is gone: its channel's bookkeeping can go too. */
  roomClosed(roomId: string): void;
}

export interface RoomDirectoryOptions {
  clock: Clock;
  output: RoomOutput;
  lobby: LobbyOutput;
  /** Default settings for new rooms (configured delays and limits). */
  defaults?: Partial<RoomSettings>;
  seed?: () => number;
  /** Session tokens for a room's members (cluster mode: signed with the shared secret). */
  tokens?: (roomId: string) => string;
  /** Upper bound on open rooms, so a script cannot fill the server's memory with empty tables. */
  maxRooms?: number;
  /** Where rooms store what they accept; without it rooms live in memory only (unit tests). */
  journals?: StoreJournals;
  /** The engine calls rooms make (a test seam). */
  rules?: GameRules;
  /**
   * Cluster mode: a room found its log ahead of it (see RoomHooks.diverged). It is evicted here, and this is
   * called with its log id (the lease is the log's) to let its lease and sockets go, so it is taken over
   * again from the log on the next connection.
   * Without it, such a room rolls back and retries like after any refusal.
   */
  onDiverged?: (roomId: string, logId: string) => void;
}

/** What a restart found and did. */
export interface RestoreReport {
  rooms: number;
  entries: number;
  /** Rooms whose log could not be replayed: closed, with the reason logged. */
  failed: string[];
}

/** What `adopt` found: the room already here, taken over, owned by another node, or no such room. */
export type AdoptResult =
  | { kind: "here"; room: Room }
  | { kind: "adopted"; room: Room; entries: number }
  | { kind: "busy"; owner: string | null }
  | { kind: "not_found" };

/**
 * What `claim` found for a join on a room this node does not have: the room to join here (opened, or taken
 * over), or another node that holds it (the join is redirected there).
 */
export type ClaimResult = { kind: "here"; room: Room } | { kind: "busy"; owner: string | null };

/** Entries read per page while rebuilding a room. */
const READ_PAGE = 1_000;

export class RoomDirectory {
  #rooms = new Map<string, Room>();
  #listed = new Set<string>();
  #adopting = new Map<string, Promise<AdoptResult>>();
  #claiming = new Map<string, Promise<ClaimResult>>();
  /**
   * Rooms closed here whose logs are not finished yet (the close waits for their last append). A room opened
   * under the same id meanwhile waits for it: it would otherwise open that log again, behind its entries.
   */
  #finishing = new Map<string, Promise<void>>();
  #mirror: LobbyMirror | null = null;
  #options: RoomDirectoryOptions;

  constructor(options: RoomDirectoryOptions) {
    this.#options = options;
  }

  get size(): number {
    return this.#rooms.size;
  }

  get(id: string): Room | undefined {
    return this.#rooms.get(id);
  }

  /** Every open room, oldest first. */
  all(): IterableIterator<Room> {
    return this.#rooms.values();
  }

  get full(): boolean {
    return this.#rooms.size >= (this.#options.maxRooms ?? Infinity);
  }

  /** Opens a room under `id`, or under a fresh short id when none is given. */
  create(name: string, settings: Partial<RoomSettings> = {}, id?: string): Room {
    let roomId = id ?? newRoomId();
    while (id === undefined && this.#rooms.has(roomId)) roomId = newRoomId();
    const existing = this.#rooms.get(roomId);
    if (existing !== undefined) return existing;
    const merged = { ...this.#options.defaults, ...settings };
    const createdAt = this.#options.clock.now();
    const room = this.#build(
      roomId,
      name,
      merged,
      createdAt,
      (opening) =>
        this.#options.journals?.forNew(roomId, createdAt, opening, this.#finishing.get(roomId)) ?? null,
    );
    this.#rooms.set(roomId, room);
    return room;
  }

  /**
   * Rebuilds every unfinished room from the store: replays its log (timers resume for what they had left),
   * then marks each human who was connected as disconnected, so their grace starts now and they can come
   * back with their token. Call once, before accepting connections.
   */
  async restore(): Promise<RestoreReport> {
    const journals = this.#options.journals;
    const report: RestoreReport = { rooms: 0, entries: 0, failed: [] };
    if (journals === undefined) return report;
    for (const record of await journals.store.log.unfinished()) {
      const grant = await journals.acquire(record.meta.roomId);
      const rebuilt = await this.#rebuild(journals, record, grant);
      if (rebuilt === null) {
        report.failed.push(record.meta.roomId);
        continue;
      }
      report.rooms += 1;
      report.entries += rebuilt.entries;
    }
    return report;
  }

  /**
   * Cluster takeover: a room this node does not have is taken over if its lease is free (its owner died,
   * stalled or let go) and rebuilt from its log like a restart's, continuing the same `seq` under a higher
   * epoch, so its old owner's late appends are fenced. Busy: another node owns it (redirect there).
   */
  adopt(roomId: string): Promise<AdoptResult> {
    const here = this.#rooms.get(roomId);
    if (here !== undefined) return Promise.resolve({ kind: "here", room: here });
    // Two connections for one room at once take it over once.
    let pending = this.#adopting.get(roomId);
    if (pending === undefined) {
      pending = this.#adopt(roomId).finally(() => this.#adopting.delete(roomId));
      this.#adopting.set(roomId, pending);
    }
    return pending;
  }

  async #adopt(roomId: string): Promise<AdoptResult> {
    const journals = this.#options.journals;
    if (journals === undefined) return { kind: "not_found" };
    // The id's current log: a reopened id's room lives in a later generation (`id~2`, …), found the same way
    // by every node.
    const { logId, record } = await currentLog(journals.store.log, roomId);
    // An empty log is a room another node is opening right now (or one nobody joined): taking it over here
    // would only close it again. A join claims it instead (see `claim`).
    if (record === null || record.finished || record.head === 0) return { kind: "not_found" };
    const acquired = await journals.store.ownership.acquire(logId, journals.node);
    if (acquired.kind === "busy") return { kind: "busy", owner: acquired.owner };
    if (acquired.kind === "not_found") return { kind: "not_found" };
    // The record read before the grant may be behind: the old owner could append until its lease lapsed.
    const current = await journals.store.log.room(logId);
    if (current === null || current.finished) {
      await journals.store.ownership.release(acquired.grant);
      return { kind: "not_found" };
    }
    const rebuilt = await this.#rebuild(journals, current, acquired.grant);
    if (rebuilt === null) return { kind: "not_found" };
    return { kind: "adopted", room: rebuilt.room, entries: rebuilt.entries };
  }

  /**
   * Cluster mode: a join for a room this node does not have. The room is opened in the store (if no node did
   * yet) and its lease taken; whichever node's acquire lands first owns it, whoever opened it, and rebuilds it
   * from the log (empty, or with the other node's first entries). A node that loses the race gets `busy` and
   * keeps nothing: no room here, no log of its own. Two joins here at once make one claim.
   */
  claim(roomId: string): Promise<ClaimResult> {
    const here = this.#rooms.get(roomId);
    if (here !== undefined) return Promise.resolve({ kind: "here", room: here });
    let pending = this.#claiming.get(roomId);
    if (pending === undefined) {
      pending = this.#claim(roomId).finally(() => this.#claiming.delete(roomId));
      this.#claiming.set(roomId, pending);
    }
    return pending;
  }

  async #claim(roomId: string): Promise<ClaimResult> {
    const journals = this.#options.journals;
    // A takeover of this id under way here settles first; it may already have the room.
    await this.#adopting.get(roomId)?.catch(() => {});
    const already = this.#rooms.get(roomId);
    if (journals === undefined || already !== undefined) {
      return { kind: "here", room: already ?? this.create(roomId, {}, roomId) };
    }
    await this.#finishing.get(roomId);
    const settings = { ...this.#options.defaults } as unknown as RoomOpening["settings"];
    const createdAt = this.#options.clock.now();
    // The id's current generation is opened if no node did yet; a finished one moves the opening to the
    // next (`id~2`, …). Nodes racing here open the same log, and its lease decides.
    const { logId } = await openCurrentLog(journals.store.log, roomId, createdAt, {
      roomId,
      name: roomId,
      settings,
    });
    const acquired = await journals.store.ownership.acquire(logId, journals.node);
    if (acquired.kind === "busy") return { kind: "busy", owner: acquired.owner };
    if (acquired.kind === "not_found") return { kind: "here", room: this.create(roomId, {}, roomId) };
    const current = await journals.store.log.room(logId);
    const rebuilt = current === null || current.finished
      ? null
      : await this.#rebuild(journals, current, acquired.grant, { keepEmpty: true });
    if (rebuilt === null) {
      await journals.store.ownership.release(acquired.grant);
      throw new Error(`room ${roomId} could not be opened from the store`);
    }
    return { kind: "here", room: rebuilt.room };
  }

  /**
   * Replays a room's log under `grant` (timers resume for what they had left), then marks each human who was
   * connected as disconnected, so their grace starts now and they can come back with their token. Null when
   * the log cannot be replayed: the room is then closed for good.
   */
  async #rebuild(
    journals: StoreJournals,
    record: RoomRecord,
    grant: Grant,
    options: { keepEmpty?: boolean } = {},
  ): Promise<{ room: Room; entries: number } | null> {
    // A reopened id's log lives under a later generation (`id~2`); the room keeps the id players know.
    const logId = record.meta.roomId;
    const opening = record.meta.data as unknown as RoomOpening;
    const roomId = opening.roomId ?? logId;
    const entries: TimedCommand[] = [];
    for (let after = 0;;) {
      const page = await journals.store.log.read(logId, after, READ_PAGE);
      for (const entry of page) {
        entries.push({ at: entry.at, command: entry.data as unknown as RoomCommand });
      }
      if (page.length < READ_PAGE) break;
      after = page.at(-1)!.seq;
    }
    const room = this.#build(
      roomId,
      opening.name,
      opening.settings as unknown as Partial<RoomSettings>,
      record.meta.createdAt,
      () => journals.forRestored(grant),
    );
    try {
      room.restore(entries);
    } catch (error) {
      console.error(`[rooms] room ${roomId} cannot be rebuilt from its log; it is closed`, error);
      room.dispose();
      await journals.store.log.finish(grant);
      return null;
    }
    // Two open logs for one id (a crash between closing a room and opening it again): the newer one wins.
    if (this.#rooms.has(roomId)) this.close(roomId);
    this.#rooms.set(roomId, room);
    for (const name of room.connectedHumans) room.disconnected(name);
    // A room claimed for a join stays open for it even with nobody in it yet.
    if (room.humansPresent === 0 && options.keepEmpty !== true) this.close(roomId);
    else this.#publish(room);
    return { room, entries: entries.length };
  }

  /** Cluster mode: public rooms are shared with every node's lobby, and theirs listed here. */
  shareLobby(mirror: LobbyMirror): void {
    this.#mirror = mirror;
  }

  /** Whether the room is served on this node. */
  has(id: string): boolean {
    return this.#rooms.has(id);
  }

  /** Public rooms as the lobby lists them: this node's, oldest first, then other nodes' (cluster mode). */
  publicSummaries(): RoomSummary[] {
    if (this.#mirror !== null) return [...this.localSummaries(), ...this.#mirror.remoteSummaries()];
    return this.localSummaries();
  }

  /** This node's public rooms, oldest first. */
  localSummaries(): RoomSummary[] {
    return [...this.#rooms.values()].filter((r) => r.settings.is_public).map((r) => r.summary());
  }

  /** Closes a room for good: timers cleared, lobby told, and in the store it is finished (not rebuilt). */
  close(id: string): void {
    if (this.#listed.has(id)) this.#mirror?.remove(id);
    const room = this.#forget(id);
    const finishing = room?.journal?.finish().catch((error) => {
      console.error(`[rooms] room ${id}: marking it closed in the store failed`, error);
    });
    if (finishing === undefined) return;
    this.#finishing.set(id, finishing);
    finishing.then(() => {
      if (this.#finishing.get(id) === finishing) this.#finishing.delete(id);
    });
  }

  /**
   * The room is no longer this node's (cluster: its lease was lost): it stops here, timers cleared and
   * sockets let go, but stays open in the store for the node that takes it over.
   */
  evict(id: string): void {
    this.#forget(id);
  }

  /**
   * Stops every room and clears its timers (shutdown, tests). Rooms stay open in the store, so a server
   * started again on the same data rebuilds them.
   */
  dispose(): void {
    for (const id of [...this.#rooms.keys()]) this.#forget(id);
  }

  #forget(id: string): Room | undefined {
    const room = this.#rooms.get(id);
    if (room === undefined) return undefined;
    this.#rooms.delete(id);
    room.dispose();
    if (this.#listed.delete(id)) this.#options.lobby.lobbyEvent("room_removed", { room_id: id });
    this.#options.lobby.roomClosed(id);
    return room;
  }

  #build(
    id: string,
    name: string,
    settings: Partial<RoomSettings>,
    createdAt: number,
    journal: (opening: RoomOpening) => Room["journal"],
  ): Room {
    const opening: RoomOpening = { name, settings: settings as unknown as RoomOpening["settings"] };
    const output = this.#options.output;
    // A room that closed while its last action waited for the store delivers that action late, to the sockets
    // left in its channel. Once a new room holds the id, that channel and the names bound in it are the new
    // room's: the old one's broadcasts, private messages and unseatings must not reach them.
    const mayDeliver = (): boolean => {
      const holder = this.#rooms.get(id);
      return holder === undefined || holder === room;
    };
    const room: Room = new Room({
      id,
      name,
      settings,
      createdAt,
      clock: this.#options.clock,
      output: {
        broadcast: (roomId, events, options) => {
          if (mayDeliver()) output.broadcast(roomId, events, options);
        },
        toMember: (roomId, memberName, events) => {
          if (mayDeliver()) output.toMember(roomId, memberName, events);
        },
        memberRemoved: (roomId, memberName) => {
          if (mayDeliver()) output.memberRemoved(roomId, memberName);
        },
        ...(output.broadcastChat !== undefined
          ? {
            broadcastChat: (roomId, seq, playerName, message, options) => {
              if (mayDeliver()) output.broadcastChat!(roomId, seq, playerName, message, options);
            },
          }
          : {}),
        ...(output.replayed !== undefined ? { replayed: output.replayed.bind(output) } : {}),
      },
      seed: this.#options.seed ?? randomSeed,
      ...(this.#options.tokens ? { newToken: () => this.#options.tokens!(id) } : {}),
      journal: journal(opening),
      rules: this.#options.rules,
      hooks: {
        changed: (r) => this.#publish(r),
        empty: (r) => this.close(r.id),
        broken: (r) => this.close(r.id),
        diverged: (r) => {
          const onDiverged = this.#options.onDiverged;
          if (onDiverged === undefined || this.#rooms.get(r.id) !== r) return false;
          this.evict(r.id);
          onDiverged(r.id, r.journal?.logId || r.id);
          return true;
        },
      },
    });
    return room;
  }

  #publish(room: Room): void {
    if (!this.#rooms.has(room.id)) return;
    const listed = this.#listed.has(room.id);
    if (room.settings.is_public) {
      this.#listed.add(room.id);
      // Listed either way: a lobby visitor arriving later gets it in its `room_list`, then `room_updated`s.
      const lobby = this.#options.lobby;
      if (this.#mirror === null && lobby.listening === false) return;
      const summary = room.summary();
      lobby.lobbyEvent(listed ? "room_updated" : "room_created", summary);
      this.#mirror?.put(summary);
    } else if (listed) {
      this.#listed.delete(room.id);
      this.#options.lobby.lobbyEvent("room_removed", { room_id: room.id });
      this.#mirror?.remove(room.id);
    }
  }
}

function randomSeed(): number {
  return crypto.getRandomValues(new Uint32Array(1))[0]!;
}
