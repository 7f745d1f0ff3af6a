// A cheap write probe for a data directory: can a file of a few WAL pages be written, synced and removed there
// right now? What WriteHealth asks while the SQLite store's writes fail; it never touches the database.

import { open, rm } from "node:fs/promises";

/** Large enough that a disk with this much room takes SQLite's next commits (a few WAL pages each). */
const PROBE_BYTES = 64 * 1024;

/** Resolves once `PROBE_BYTES` were written and synced in `dataDir`; rejects with the I/O error otherwise. */
export async function probeDataDir(dataDir: string): Promise<void> {
  const path = `${dataDir.replace(/\/+$/, "")}/.write-probe`;
  try {
    const file = await open(path, "w");
    try {
      await file.write(new Uint8Array(PROBE_BYTES));
      await file.sync();
    } finally {
      await file.close();
    }
  } finally {
    // Whatever happened, the probe leaves nothing behind; a removal that fails has nothing to remove.
    await rm(path, { force: true }).catch(() => {});
  }
}
