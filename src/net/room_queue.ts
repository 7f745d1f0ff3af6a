// Waiting lines for full rooms: connections beyond a room's cap wait here in arrival order.

import type { Connection } from "./connection.ts";

export class RoomQueue {
  #lines = new Map<string, Connection[]>();

  /** Puts a connection at the back of its room's line and returns its 1-based position. */
  enqueue(connection: Connection): number {
    let line = this.#lines.get(connection.channel);
    if (line === undefined) {
      line = [];
      this.#lines.set(connection.channel, line);
    }
    line.push(connection);
    return line.length;
  }

  /** Takes a connection out of its line (it left while waiting). Returns whether it was there. */
  remove(connection: Connection): boolean {
    const line = this.#lines.get(connection.channel);
    if (line === undefined) return false;
    const index = line.indexOf(connection);
    if (index < 0) return false;
    line.splice(index, 1);
    if (line.length === 0) this.#lines.delete(connection.channel);
    return true;
  }

  /** The next connection in a room's line, removed from it. */
  shift(roomId: string): Connection | undefined {
    const line = this.#lines.get(roomId);
    const next = line?.shift();
    if (line !== undefined && line.length === 0) this.#lines.delete(roomId);
    return next;
  }

  /** The connections still waiting for a room, front first. */
  waiting(roomId: string): readonly Connection[] {
    return this.#lines.get(roomId) ?? [];
  }

  get size(): number {
    let total = 0;
    for (const line of this.#lines.values()) total += line.length;
    return total;
  }
}
