// Who opened which room: a per-address cap on open rooms, so one client cannot fill `--max-rooms` for
// everyone. Entries go when their room closes.

import { ErrorCode } from "../protocol/codes.ts";
import type { RoomDirectory } from "../rooms/room_directory.ts";
import type { Failure } from "./router.ts";

export class RoomQuota {
  #perAddress = new Map<string, number>();
  #openedBy = new Map<string, string>();
  #limit: number;

  constructor(limit: number) {
    this.#limit = limit;
  }

  /** Why `address` may not open another room in `directory` now, or undefined if it may. */
  refusal(directory: RoomDirectory, address: string): Failure | undefined {
    if (directory.full) {
      return { code: ErrorCode.ROOM_FULL, message: "The server has no room for more tables" };
    }
    if ((this.#perAddress.get(address) ?? 0) >= this.#limit) {
      return {
        code: ErrorCode.ROOM_FULL,
        message: `Your address already has ${this.#limit} open tables; close one first`,
        details: { limit: this.#limit },
      };
    }
    return undefined;
  }

  opened(roomId: string, address: string): void {
    if (this.#openedBy.has(roomId)) return;
    this.#openedBy.set(roomId, address);
    this.#perAddress.set(address, (this.#perAddress.get(address) ?? 0) + 1);
  }

  closed(roomId: string): void {
    const address = this.#openedBy.get(roomId);
    if (address === undefined) return;
    this.#openedBy.delete(roomId);
    const left = (this.#perAddress.get(address) ?? 1) - 1;
    if (left > 0) this.#perAddress.set(address, left);
    else this.#perAddress.delete(address);
  }

  /** Open rooms tracked here (for tests and the leak check). */
  get size(): number {
    return this.#openedBy.size;
  }
}
