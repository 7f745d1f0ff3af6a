// Writes the Prometheus text exposition format (version 0.0.4): one HELP and TYPE line per family, then its
// samples. Knows the format and a catalogue of families, not where the values come from.

import type { Histogram, LabeledCounter } from "../net/metrics.ts";

export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

export type MetricType = "counter" | "gauge" | "summary" | "histogram";

/** Every family a scrape may hold: its type and help text, by name. */
export type Catalogue = Readonly<Record<string, readonly [MetricType, string]>>;

type Labels = Record<string, string>;

function escapeLabel(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

/** Bucket bounds and values as Prometheus writes Go floats: `+Inf`, and plain decimals otherwise. */
function number(value: number): string {
  return value === Infinity ? "+Inf" : String(value);
}

/** The samples of one declared family. */
export class Family {
  readonly #name: string;
  readonly #lines: string[];

  constructor(name: string, lines: string[]) {
    this.#name = name;
    this.#lines = lines;
  }

  /** A sample of the family itself, or of one of its series (`_sum`, `_count`, `_bucket`) with `suffix`. */
  sample(value: number, labels: Labels = {}, suffix = ""): this {
    const pairs = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`);
    this.#lines.push(`${this.#name}${suffix}${pairs.length ? `{${pairs.join(",")}}` : ""} ${number(value)}`);
    return this;
  }

  /** One sample per label value of `counter`. */
  labeled(label: string, counter: LabeledCounter): this {
    for (const [value, n] of counter.entries()) this.sample(n, { [label]: value });
    return this;
  }

  /** A histogram's cumulative buckets (the last `+Inf`), `_sum` and `_count`. */
  histogram(histogram: Histogram): this {
    const cumulative = histogram.cumulative();
    histogram.bounds.forEach((bound, i) => this.sample(cumulative[i]!, { le: number(bound) }, "_bucket"));
    return this.sample(histogram.count, { le: "+Inf" }, "_bucket")
      .sample(histogram.sum, {}, "_sum")
      .sample(histogram.count, {}, "_count");
  }
}

export class Exposition {
  readonly #catalogue: Catalogue;
  readonly #lines: string[] = [];

  constructor(catalogue: Catalogue) {
    this.#catalogue = catalogue;
  }

  /** Declares the catalogued family `name`; its samples follow through the returned Family. */
  family(name: string): Family {
    const entry = this.#catalogue[name];
    if (entry === undefined) throw new Error(`metric ${name} is not in the catalogue`);
    this.#lines.push(`# HELP ${name} ${entry[1]}`, `# TYPE ${name} ${entry[0]}`);
    return new Family(name, this.#lines);
  }

  /** A family of one unlabelled sample. */
  value(name: string, value: number): void {
    this.family(name).sample(value);
  }

  /** A family of one sample per label value of `counter`. */
  labeled(name: string, label: string, counter: LabeledCounter): void {
    this.family(name).labeled(label, counter);
  }

  text(): string {
    return `${this.#lines.join("\n")}\n`;
  }
}
