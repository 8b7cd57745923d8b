/**
 * A strict reader of the Prometheus text exposition format 0.0.4, written from its grammar and
 * independent of prom-client, so that `/metrics` is checked by something other than what wrote it.
 * It throws on the first line that breaks a rule, naming the line: a malformed name, label or
 * value; HELP or TYPE twice for a family, or TYPE after its samples; a family's samples not
 * together; the same series twice; a histogram whose buckets are not cumulative, lack `+Inf`, or
 * disagree with `_count`.
 */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Family {
  name: string;
  help?: string;
  type: 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';
  samples: Sample[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*/;
const TYPES = ['counter', 'gauge', 'histogram', 'summary', 'untyped'];

function parseValue(text: string, where: string): number {
  if (text === '+Inf' || text === 'Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  if (text === 'NaN') return NaN;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) throw new Error(`${where}: '${text}' is not a number`);
  return Number(text);
}

function unescape(text: string, where: string, quotes: boolean): string {
  return text.replace(/\\(.)/g, (_, c: string) => {
    if (c === '\\') return '\\';
    if (c === 'n') return '\n';
    if (c === '"' && quotes) return '"';
    throw new Error(`${where}: unknown escape \\${c}`);
  });
}

function parseLabels(text: string, where: string): { labels: Record<string, string>; rest: string } {
  const labels: Record<string, string> = {};
  let s = text.slice(1);
  for (;;) {
    if (s.startsWith('}')) return { labels, rest: s.slice(1) };
    const name = LABEL_NAME.exec(s)?.[0];
    if (!name) throw new Error(`${where}: bad label name at '${s}'`);
    s = s.slice(name.length);
    if (!s.startsWith('="')) throw new Error(`${where}: label ${name} has no ="value"`);
    s = s.slice(2);
    const end = /^((?:[^"\\\n]|\\.)*)"/.exec(s);
    if (!end) throw new Error(`${where}: label ${name}'s value is not closed`);
    if (name in labels) throw new Error(`${where}: label ${name} twice`);
    labels[name] = unescape(end[1], where, true);
    s = s.slice(end[0].length);
    if (s.startsWith(',')) s = s.slice(1);
    else if (!s.startsWith('}')) throw new Error(`${where}: expected , or } at '${s}'`);
  }
}

/** The family a sample belongs to: a histogram's `_bucket`, `_sum`, `_count` (a summary's `_sum`, `_count`) are its own. */
function familyOf(sample: string, families: Map<string, Family>): Family | undefined {
  for (const suffix of ['_bucket', '_sum', '_count']) {
    if (!sample.endsWith(suffix)) continue;
    const family = families.get(sample.slice(0, -suffix.length));
    if (family && (family.type === 'histogram' || (family.type === 'summary' && suffix !== '_bucket'))) return family;
  }
  return families.get(sample);
}

function checkHistogram(family: Family): void {
  const series = new Map<string, Sample[]>();
  const key = (labels: Record<string, string>) => JSON.stringify(Object.entries(labels).filter(([k]) => k !== 'le').sort());
  for (const s of family.samples) series.set(key(s.labels), [...(series.get(key(s.labels)) ?? []), s]);
  for (const [labels, samples] of series) {
    const buckets = samples.filter((s) => s.name === `${family.name}_bucket`);
    const count = samples.find((s) => s.name === `${family.name}_count`);
    if (!samples.some((s) => s.name === `${family.name}_sum`) || !count) throw new Error(`${family.name}${labels}: no _sum or _count`);
    if (buckets.some((b) => b.labels.le === undefined)) throw new Error(`${family.name}${labels}: a bucket without le`);
    const bounds = buckets.map((b) => parseValue(b.labels.le, family.name));
    if (bounds[bounds.length - 1] !== Infinity) throw new Error(`${family.name}${labels}: no +Inf bucket`);
    bounds.forEach((b, i) => {
      if (i && !(b > bounds[i - 1])) throw new Error(`${family.name}${labels}: le not increasing`);
      if (i && buckets[i].value < buckets[i - 1].value) throw new Error(`${family.name}${labels}: buckets not cumulative`);
    });
    if (buckets[buckets.length - 1].value !== count.value) throw new Error(`${family.name}${labels}: +Inf bucket ≠ _count`);
  }
}

export function parsePrometheusText(text: string): Map<string, Family> {
  if (text.length && !text.endsWith('\n')) throw new Error('the text does not end with a newline');
  const families = new Map<string, Family>();
  const seen = new Set<string>();
  let current: Family | undefined;
  const closed = new Set<Family>();
  const declare = (name: string, where: string): Family => {
    let family = families.get(name);
    if (!family) families.set(name, (family = { name, type: 'untyped', samples: [] }));
    if (family.samples.length) throw new Error(`${where}: HELP or TYPE after ${name}'s samples`);
    return family;
  };
  text.split('\n').slice(0, -1).forEach((line, i) => {
    const where = `line ${i + 1} '${line}'`;
    if (line.trim() === '') return;
    if (line.startsWith('#')) {
      const meta = /^#\s+(HELP|TYPE)\s+(\S+)(?:\s(.*))?$/.exec(line);
      if (!meta) return; // any other comment
      const [, kind, name, rest = ''] = meta;
      if (METRIC_NAME.exec(name)?.[0] !== name) throw new Error(`${where}: bad metric name`);
      const family = declare(name, where);
      if (kind === 'HELP') {
        if (family.help !== undefined) throw new Error(`${where}: second HELP`);
        family.help = unescape(rest, where, false);
      } else {
        if (!TYPES.includes(rest)) throw new Error(`${where}: unknown type '${rest}'`);
        if ((family as { typed?: boolean }).typed) throw new Error(`${where}: second TYPE`);
        Object.assign(family, { type: rest, typed: true });
      }
      return;
    }
    const name = METRIC_NAME.exec(line)?.[0];
    if (!name) throw new Error(`${where}: bad metric name`);
    let rest = line.slice(name.length);
    let labels: Record<string, string> = {};
    if (rest.startsWith('{')) ({ labels, rest } = parseLabels(rest, where));
    const parts = rest.trim().split(/\s+/);
    if (!rest.startsWith(' ') || parts.length < 1 || parts.length > 2) throw new Error(`${where}: expected ' value [timestamp]'`);
    const value = parseValue(parts[0], where);
    if (parts[1] !== undefined && !/^-?\d+$/.test(parts[1])) throw new Error(`${where}: bad timestamp`);
    let family = familyOf(name, families);
    if (!family) families.set(name, (family = { name, type: 'untyped', samples: [] }));
    if (family !== current) {
      if (closed.has(family)) throw new Error(`${where}: ${family.name}'s samples are not together`);
      if (current) closed.add(current);
      current = family;
    }
    const series = `${name}${JSON.stringify(Object.entries(labels).sort())}`;
    if (seen.has(series)) throw new Error(`${where}: the same series twice`);
    seen.add(series);
    family.samples.push({ name, labels, value });
  });
  for (const family of families.values()) {
    delete (family as { typed?: boolean }).typed;
    if (family.type === 'histogram') checkHistogram(family);
  }
  return families;
}
