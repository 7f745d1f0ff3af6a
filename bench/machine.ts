// What the cluster benchmarks say about the machine beside their figures: the load average (a shared machine's
// other work), and the CPU seconds a process used (from /proc), to show where the cores went. Linux only.

import process from "node:process";

/** `load average 1, 5 and 15 min (cores)`, as `uptime` would say it, for the line next to a figure. */
export function loadLine(): string {
  const [one, five, fifteen] = Deno.loadavg();
  return `load average ${one!.toFixed(2)}, ${five!.toFixed(2)}, ${
    fifteen!.toFixed(2)
  } (${navigator.hardwareConcurrency} cores)`;
}

/** Linux's USER_HZ: /proc counts CPU time in ticks of 1/100 s on every mainstream kernel. */
const TICKS = 100;

/** User + system CPU seconds of `pid` so far (0 once it is gone: its share is then not counted). */
export function cpuOf(pid: number): number {
  try {
    const text = Deno.readTextFileSync(`/proc/${pid}/stat`);
    // Fields after the command name, which may hold spaces: utime and stime are the 12th and 13th of them.
    const after = text.slice(text.lastIndexOf(")") + 2).split(" ");
    return (Number(after[11]) + Number(after[12])) / TICKS;
  } catch {
    return 0;
  }
}

/** This process's own CPU seconds (the bench's clients). */
export function ownCpu(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}
