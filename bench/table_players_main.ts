// One process of the tables benchmark's players, started by bench/tables.ts: sets its tables up, says READY,
// starts playing when the runner writes a line to its stdin, and prints one RESULT line of JSON.

import { Players, type PlayOptions } from "./table_players.ts";

const options = JSON.parse(Deno.args[0] ?? "") as PlayOptions;
const players = new Players(options);
try {
  await players.prepare();
} catch (error) {
  console.log(`FAILED ${error instanceof Error ? error.message : String(error)}`);
  await players.close();
  Deno.exit(1);
}
console.log("READY");
// Every process starts at the runner's signal, so the tables of all processes play over the same period.
const reader = Deno.stdin.readable.getReader();
await reader.read();
reader.releaseLock();
const result = await players.play();
console.log(`RESULT ${JSON.stringify(result)}`);
await players.close();
Deno.exit(0);
