/**
 * Seeded damage to compressed store files (`x.json.gz`, kept in the slots
 * `x.a.json.gz` and `x.b.json.gz`; docs/FORMAT.md): truncated, wrong
 * types, huge numbers, NaN/Infinity, deep nesting, bad UTF-8, wrong format
 * version or kind, path-like ids, emptied slots, another file's content.
 *
 * Shared by the jest fuzz (fuzz-store.spec.ts, over a fake server's files)
 * and the fault suite (ui-tests/faults/bad-input.spec.ts, over the files of
 * a real server's root): it needs Node's zlib and nothing of the browser,
 * and both toolchains compile it (Playwright imports it from here).
 */
import { gunzipSync, gzipSync } from 'zlib';

/**
 * A small seeded PRNG (mulberry32): the same seed gives the same mutations.
 */
export function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type Json =
  null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * Every node of a JSON value below the root, with how to replace it.
 */
export function nodesOf(
  root: Json
): { value: Json; key: string; set: (value: Json) => void }[] {
  const nodes: { value: Json; key: string; set: (value: Json) => void }[] = [];
  const visit = (value: Json): void => {
    if (Array.isArray(value)) {
      value.forEach((item, index) => {
        nodes.push({
          value: item,
          key: String(index),
          set: v => (value[index] = v)
        });
        visit(item);
      });
    } else if (value !== null && typeof value === 'object') {
      for (const [key, item] of Object.entries(value)) {
        nodes.push({ value: item, key, set: v => (value[key] = v) });
        visit(item);
      }
    }
  };
  visit(root);
  return nodes;
}

/** Ids that are paths, or names no file may have. */
export const PATH_IDS = ['../x', '/etc/passwd', 'a/b', '..', 'C:\\x', 'nul'];

/** The kinds of compressed store files (`"format": "jupyterlab-runs/<kind>"`). */
export const STORE_KINDS = [
  'index',
  'index-segment',
  'annotations',
  'pack',
  'points',
  'store'
];

/** What a mutation did. */
export type Mutation = {
  kind: string;
  /** Whether the file can no longer be read at all. */
  breaks: boolean;
};

/**
 * The slot files of a store, wherever they are: a fake server's entries or
 * a folder on disk. Paths are the store's, e.g. `jupyter-runs/notebooks/
 * <key>/index.a.json.gz`.
 */
export interface IStoreSlots {
  /** The bytes of a slot, or undefined when there is no such file. */
  read(slot: string): Buffer | undefined;
  /** Replace a slot's bytes. */
  write(slot: string, bytes: Buffer): void;
}

/**
 * The two slots of a compressed store file.
 */
export function slotsOf(path: string): [string, string] {
  return [
    path.replace(/\.json\.gz$/, '.a.json.gz'),
    path.replace(/\.json\.gz$/, '.b.json.gz')
  ];
}

/**
 * The bytes of a compressed store file's first slot that is not empty, or
 * undefined.
 */
export function currentBytes(
  slots: IStoreSlots,
  path: string
): Buffer | undefined {
  return slotsOf(path)
    .map(slot => slots.read(slot))
    .find(bytes => bytes !== undefined && bytes.length > 0);
}

/**
 * Damage one compressed store file (`path`, `x.json.gz`) of `slots` in one
 * of twelve ways picked by `random`: its current slot is rewritten, or both
 * slots are emptied. `others` are the other files whose content may be
 * copied in, as `recorded` holds them (undamaged).
 */
export function mutateStoreFile(
  slots: IStoreSlots,
  path: string,
  random: () => number,
  others: { paths: readonly string[]; recorded: IStoreSlots }
): Mutation {
  const pick = <T>(items: readonly T[]): T =>
    items[Math.floor(random() * items.length)];
  const [a, b] = slotsOf(path);
  const current = [a, b].find(slot => (slots.read(slot)?.length ?? 0) > 0);
  if (current === undefined) {
    throw new Error(`${path} has no slot to damage`);
  }
  const bytes = slots.read(current)!;
  const text = gunzipSync(bytes).toString('utf-8');
  const put = (changed: Buffer): void => slots.write(current, changed);
  const putText = (changed: string): void =>
    put(gzipSync(Buffer.from(changed, 'utf-8')));
  const putJson = (data: Json): void => putText(JSON.stringify(data));
  const data = JSON.parse(text) as { [key: string]: Json };
  const nodes = nodesOf(data);
  const kind = pick([
    'truncated-gzip',
    'truncated-json',
    'wrong-type',
    'huge-number',
    'nan-text',
    'deep-nesting',
    'invalid-utf8',
    'wrong-version',
    'wrong-format',
    'path-id',
    'empty-slots',
    'other-content'
  ]);
  switch (kind) {
    case 'truncated-gzip':
      // At least a byte: an empty file is no file (see empty-slots).
      put(bytes.subarray(0, 1 + Math.floor(random() * (bytes.length - 1))));
      return { kind, breaks: true };
    case 'truncated-json':
      putText(text.slice(0, Math.floor(random() * text.length)));
      return { kind, breaks: true };
    case 'wrong-type': {
      const node = pick(nodes);
      const values: Json[] = ['x', 12345, true, null, {}, [], -1.5];
      node.set(
        pick(values.filter(value => typeof value !== typeof node.value))
      );
      putJson(data);
      return { kind, breaks: false };
    }
    case 'huge-number': {
      const numbers = nodes.filter(node => typeof node.value === 'number');
      (numbers.length > 0 ? pick(numbers) : pick(nodes)).set(
        pick([1e308, -1e308, Number.MAX_SAFE_INTEGER * 4, 5e-324])
      );
      putJson(data);
      return { kind, breaks: false };
    }
    case 'nan-text': {
      const marker = '"@@fuzz@@"';
      pick(nodes).set('@@fuzz@@');
      putText(
        JSON.stringify(data).replace(
          marker,
          pick(['NaN', 'Infinity', '-Infinity'])
        )
      );
      return { kind, breaks: true };
    }
    case 'deep-nesting':
      // As text: JSON.stringify itself runs out of stack at this depth.
      pick(nodes).set('@@fuzz@@');
      putText(
        JSON.stringify(data).replace(
          '"@@fuzz@@"',
          `${'['.repeat(10_000)}${']'.repeat(10_000)}`
        )
      );
      return { kind, breaks: false };
    case 'invalid-utf8': {
      const encoded = Buffer.from(text, 'utf-8');
      const at = Math.floor(random() * encoded.length);
      put(
        gzipSync(
          Buffer.concat([
            encoded.subarray(0, at),
            Buffer.from(pick([[0xff], [0xc3, 0x28], [0xed, 0xa0, 0x80]])),
            encoded.subarray(at)
          ])
        )
      );
      return { kind, breaks: true };
    }
    case 'wrong-version':
      data.version = pick([1, 3, '2', 2.5, null, 1e308]);
      putJson(data);
      return { kind, breaks: true };
    case 'wrong-format': {
      const own = String(data.format).replace('jupyterlab-runs/', '');
      data.format = pick([
        ...STORE_KINDS.filter(other => other !== own).map(
          other => `jupyterlab-runs/${other}`
        ),
        'something-else',
        42
      ]);
      putJson(data);
      return { kind, breaks: true };
    }
    case 'path-id': {
      const ids = nodes.filter(
        node =>
          typeof node.value === 'string' &&
          ['id', 'run', 'pack', 'session', 'notebookPath'].includes(node.key)
      );
      (ids.length > 0 ? pick(ids) : pick(nodes)).set(pick(PATH_IDS));
      putJson(data);
      return { kind, breaks: false };
    }
    case 'empty-slots':
      for (const slot of [a, b]) {
        if (slots.read(slot) !== undefined) {
          slots.write(slot, Buffer.alloc(0));
        }
      }
      return { kind, breaks: false };
    default: {
      const other = pick(others.paths.filter(p => p !== path));
      // As recorded: this round may have emptied it already.
      const source = currentBytes(others.recorded, other);
      if (source === undefined) {
        throw new Error(`no recorded content for ${other}`);
      }
      put(Buffer.from(source));
      return { kind, breaks: true };
    }
  }
}
