// Parses the Prometheus text format strictly for tests: every line a HELP, a TYPE or a sample of a family
// declared before it, counters named `_total`, no sample twice, and histograms whose buckets are cumulative
// and end in `+Inf` equal to `_count`. Owns no server; answers samples by `name{labels}`.

import assert from "node:assert/strict";

export type Samples = Map<string, number>;

const SAMPLE =
  /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*",?)*\})? (-?[0-9.]+(?:e[+-]?\d+)?|NaN|[+-]Inf)$/;

export function parsePrometheus(text: string): Samples {
  assert.ok(text.endsWith("\n"), "the exposition ends with a newline");
  const types = new Map<string, string>();
  const samples: Samples = new Map();
  /** Per histogram: its bucket values in the order written, by `le`. */
  const buckets = new Map<string, [string, number][]>();
  for (const line of text.slice(0, -1).split("\n")) {
    const type = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|summary|histogram|untyped)$/.exec(line);
    if (type) {
      assert.ok(!types.has(type[1]!), `one TYPE line per family: ${type[1]}`);
      types.set(type[1]!, type[2]!);
      continue;
    }
    if (/^# HELP [a-zA-Z_:][a-zA-Z0-9_:]* .+$/.test(line)) continue;
    const sample = SAMPLE.exec(line);
    assert.ok(sample, `a valid sample line: ${JSON.stringify(line)}`);
    const name = sample[1]!;
    const family = types.has(name) ? name : name.replace(/_(sum|count|bucket)$/, "");
    assert.ok(types.has(family), `${name} is declared by a TYPE line before its samples`);
    if (types.get(family) === "counter") assert.match(name, /_total$/, "counters end in _total");
    if (types.get(family) === "histogram") {
      assert.notEqual(name, family, `a histogram has only _bucket, _sum and _count series: ${name}`);
      if (name.endsWith("_bucket")) {
        const le = /le="([^"]+)"/.exec(sample[2] ?? "")?.[1];
        assert.ok(le !== undefined, `${name} has an le label`);
        buckets.set(family, [...(buckets.get(family) ?? []), [le, Number(sample[3])]]);
      }
    }
    const key = `${name}${sample[2] ?? ""}`;
    assert.ok(!samples.has(key), `no duplicate sample ${key}`);
    samples.set(key, Number(sample[3]));
  }
  for (const [family, series] of buckets) {
    const bounds = series.map(([le]) => (le === "+Inf" ? Infinity : Number(le)));
    assert.deepEqual(bounds, [...bounds].sort((a, b) => a - b), `${family} buckets in increasing le`);
    assert.equal(bounds.at(-1), Infinity, `${family} ends with le="+Inf"`);
    const values = series.map(([, n]) => n);
    assert.deepEqual(values, [...values].sort((a, b) => a - b), `${family} buckets are cumulative`);
    assert.equal(values.at(-1), samples.get(`${family}_count`), `${family} +Inf bucket equals _count`);
    assert.ok(samples.has(`${family}_sum`), `${family} has _sum`);
  }
  return samples;
}

/** A sample's value, 0 when absent (a labelled counter not yet incremented). */
export const value = (samples: Samples, key: string): number => samples.get(key) ?? 0;

/** GETs `${baseUrl}/metrics`, checks the status and content type, and parses it strictly. */
export async function scrapeMetrics(baseUrl: string): Promise<Samples> {
  const response = await fetch(`${baseUrl}/metrics`);
  assert.equal(response.status, 200);
  assert.match(response.headers.get("content-type") ?? "", /^text\/plain; version=0\.0\.4/);
  return parsePrometheus(await response.text());
}
