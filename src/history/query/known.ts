/**
 * What the runs at hand record, for the sidebar's filter: a name no run has
 * is a typing mistake to point out (`params.sed`), and a bare name that only
 * one namespace holds (`seed = 69`) is read as that field.
 */
import type { NamedField } from './syntax';

/**
 * The names of the parameters, metrics and tags of the runs at hand.
 */
export type KnownFields = Readonly<
  Record<NamedField['kind'], ReadonlySet<string>>
>;

/**
 * The names recorded by `runs`.
 */
export function knownFields(
  runs: Iterable<{
    readonly params: Readonly<Record<string, unknown>>;
    readonly metrics: Readonly<Record<string, unknown>>;
    readonly tags: Readonly<Record<string, unknown>>;
  }>
): KnownFields {
  const param = new Set<string>();
  const metric = new Set<string>();
  const tag = new Set<string>();
  for (const run of runs) {
    Object.keys(run.params).forEach(name => param.add(name));
    Object.keys(run.metrics).forEach(name => metric.add(name));
    Object.keys(run.tags).forEach(name => tag.add(name));
  }
  return { param, metric, tag };
}

/**
 * The query prefix of each namespace.
 */
export const PREFIXES: Readonly<Record<NamedField['kind'], string>> = {
  param: 'params',
  metric: 'metrics',
  tag: 'tags'
};

/**
 * The namespaces that hold `name`.
 */
export function kindsOf(
  known: KnownFields,
  name: string
): NamedField['kind'][] {
  return (['param', 'metric', 'tag'] as const).filter(kind =>
    known[kind].has(name)
  );
}

/**
 * The recorded field closest to `name` (at most two typing mistakes away,
 * or differing only in case), written as a query field, or `null`. Names of
 * `preferred` come first.
 */
export function closestField(
  known: KnownFields,
  name: string,
  preferred?: NamedField['kind']
): string | null {
  const kinds = (['param', 'metric', 'tag'] as const)
    .slice()
    .sort((a, b) => Number(b === preferred) - Number(a === preferred));
  const lower = name.toLowerCase();
  let best: string | null = null;
  let bestDistance = Math.min(3, Math.max(1, name.length - 1));
  for (const kind of kinds) {
    for (const candidate of known[kind]) {
      // Long names cost nothing to skip: they cannot be two edits away.
      if (Math.abs(candidate.length - name.length) >= bestDistance) {
        continue;
      }
      const distance =
        candidate.toLowerCase() === lower
          ? 0
          : editDistance(lower, candidate.toLowerCase());
      if (distance < bestDistance) {
        best = `${PREFIXES[kind]}.${fieldName(candidate)}`;
        bestDistance = distance;
      }
    }
  }
  return best;
}

/**
 * A few of the names of one namespace, for a message.
 */
export function someNames(
  known: KnownFields,
  kind: NamedField['kind'],
  count = 6
): string {
  const names = [...known[kind]].slice(0, count).map(fieldName);
  return known[kind].size > count ? `${names.join(', ')}, …` : names.join(', ');
}

/**
 * A name as the query language writes it: bare when it can be, else in
 * backquotes or brackets (docs/QUERY.md, "Names with other characters").
 */
export function fieldName(name: string): string {
  if (/^[A-Za-z0-9_]+(?:[.-][A-Za-z0-9_]+)*$/.test(name)) {
    return name;
  }
  return name.includes('`') ? `[${JSON.stringify(name)}]` : `\`${name}\``;
}

/**
 * The Levenshtein distance between two short words.
 */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j] + 1, current[j - 1] + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length];
}
