import type { TranslationBundle } from '@jupyterlab/translation';

import type { Runs } from '../tokens';
import type { StoredRun } from './reader';
import { codePoints, recordOf, StoreFormat } from './format';

/**
 * The user's changes to a notebook's runs, by run id: what
 * `annotations.json.gz` holds (docs/FORMAT.md).
 */
export type Annotations = Map<string, StoreFormat.RunAnnotation>;

/**
 * A user's change to a run, checked: the same fields, each of the right type
 * and size.
 *
 * @throws An `Error` saying what is wrong, for a change that is not an
 * object, has an unknown field, or a field of the wrong type or too long.
 */
export function checkRunChange(
  change: unknown,
  trans: TranslationBundle
): Runs.RunChange {
  if (typeof change !== 'object' || change === null || Array.isArray(change)) {
    throw new Error(trans.__('A run change must be an object.'));
  }
  const fields = change as Record<string, unknown>;
  for (const key of Object.keys(fields)) {
    if (!CHANGE_FIELDS.includes(key)) {
      throw new Error(
        trans.__(
          'A run change has no field "%1": use name, note, tags, pinned or archived.',
          key.slice(0, 40)
        )
      );
    }
  }
  const { name, note, tags, pinned, archived } = fields;
  if (name !== undefined) {
    if (typeof name !== 'string') {
      throw new Error(trans.__('The run name must be text.'));
    }
    if (name.trim() === '') {
      throw new Error(trans.__('The run name must not be empty.'));
    }
    checkLength(trans.__('The run name'), name, StoreFormat.MAX_NAME, trans);
  }
  if (note !== undefined && note !== null) {
    if (typeof note !== 'string') {
      throw new Error(trans.__('The note must be text, or null to clear it.'));
    }
    checkLength(trans.__('The note'), note, StoreFormat.MAX_NOTE, trans);
  }
  if (tags !== undefined) {
    checkTags(tags, trans);
  }
  for (const [key, value] of [
    ['pinned', pinned],
    ['archived', archived]
  ] as const) {
    if (value !== undefined && typeof value !== 'boolean') {
      throw new Error(trans.__('"%1" must be true or false.', key));
    }
  }
  return fields as Runs.RunChange;
}

/**
 * A run's annotation with a change applied, each changed field stamped with
 * `now`, or later than the fields it replaces (so that a change always wins
 * over the one before it, even within one millisecond); null when the change
 * changes nothing.
 *
 * @throws An `Error` when the run would have more than `MAX_TAGS` tags set by
 * the user.
 */
export function applyChange(
  entry: StoreFormat.RunAnnotation | undefined,
  change: Runs.RunChange,
  now: number,
  trans: TranslationBundle
): StoreFormat.RunAnnotation | null {
  const at = Math.max(now, latestStamp(entry) + 1);
  const next: Mutable<StoreFormat.RunAnnotation> = { ...entry };
  let changed = false;
  const set = <K extends 'name' | 'note' | 'pinned' | 'archived'>(
    field: K,
    value: NonNullable<StoreFormat.RunAnnotation[K]>['value'] | undefined
  ): void => {
    if (value !== undefined && next[field]?.value !== value) {
      next[field] = { value, at } as StoreFormat.RunAnnotation[K];
      changed = true;
    }
  };
  set('name', change.name);
  set('note', change.note);
  set('pinned', change.pinned);
  set('archived', change.archived);
  if (change.tags) {
    const tags = new Map(Object.entries(entry?.tags ?? {}));
    for (const [key, value] of Object.entries(change.tags)) {
      if (tags.get(key)?.value !== value) {
        tags.set(key, { value, at });
        changed = true;
      }
    }
    const count = [...tags.values()].filter(tag => tag.value !== null).length;
    if (count > StoreFormat.MAX_TAGS) {
      throw new Error(
        trans.__(
          'A run can have at most %1 tags set by the user; this change would give it %2.',
          StoreFormat.MAX_TAGS,
          count
        )
      );
    }
    next.tags = recordOf(tags);
  }
  return changed ? next : null;
}

/**
 * Merge the annotations of two pages by run id: a deleted run stays deleted;
 * otherwise, field by field (tag by tag), the value set last wins. Equal
 * times are settled by the values, so every page merges to the same result
 * whatever the order.
 */
export function mergeAnnotations(
  base: Annotations,
  updates: Annotations
): Annotations {
  const merged = new Map(base);
  for (const [id, entry] of updates) {
    const known = merged.get(id);
    merged.set(id, known ? mergeAnnotation(known, entry) : entry);
  }
  return merged;
}

/**
 * Merge two annotations of one run; see `mergeAnnotations`.
 */
export function mergeAnnotation(
  a: StoreFormat.RunAnnotation,
  b: StoreFormat.RunAnnotation
): StoreFormat.RunAnnotation {
  if (a.deleted !== undefined || b.deleted !== undefined) {
    return {
      deleted: Math.min(
        a.deleted ?? Number.POSITIVE_INFINITY,
        b.deleted ?? Number.POSITIVE_INFINITY
      )
    };
  }
  const merged: Mutable<StoreFormat.RunAnnotation> = {};
  for (const field of ['name', 'note', 'pinned', 'archived'] as const) {
    const value = later<unknown>(a[field], b[field]);
    if (value) {
      (merged as Record<string, unknown>)[field] = value;
    }
  }
  if (a.tags || b.tags) {
    const tags = new Map(Object.entries(a.tags ?? {}));
    for (const [key, tag] of Object.entries(b.tags ?? {})) {
      tags.set(key, later(tags.get(key), tag)!);
    }
    merged.tags = recordOf(tags);
  }
  return merged;
}

/**
 * A run's line in the list with the user's changes over it, or null for a
 * deleted run.
 */
export function annotateSummary(
  summary: Runs.RunSummary,
  entry: StoreFormat.RunAnnotation | undefined
): Runs.RunSummary | null {
  if (!entry) {
    return summary;
  }
  if (entry.deleted !== undefined) {
    return null;
  }
  return {
    ...summary,
    name: entry.name?.value ?? summary.name,
    note: entry.note ? entry.note.value : summary.note,
    tags: annotatedTags(summary.tags, entry),
    pinned: entry.pinned?.value ?? summary.pinned,
    archived: entry.archived?.value ?? summary.archived
  };
}

/**
 * A whole run as the user sees it: renamed, noted and tagged by its
 * annotation (a user's note takes the place of the one the kernel wrote);
 * null when the user deleted it.
 */
export function annotateRun(
  run: StoredRun.Run,
  entry: StoreFormat.RunAnnotation | undefined
): StoredRun.Run | null {
  if (!entry) {
    return run;
  }
  if (entry.deleted !== undefined) {
    return null;
  }
  return {
    ...run,
    name: entry.name?.value ?? run.name,
    note: entry.note ? entry.note.value : run.note,
    tags: annotatedTags(run.tags, entry)
  };
}

/**
 * Tags with the user's changes laid over: set, changed or removed (null).
 */
function annotatedTags(
  tags: Readonly<Record<string, string>>,
  entry: StoreFormat.RunAnnotation
): Readonly<Record<string, string>> {
  if (!entry.tags) {
    return tags;
  }
  const merged = new Map(Object.entries(tags));
  for (const [key, tag] of Object.entries(entry.tags)) {
    if (tag.value === null) {
      merged.delete(key);
    } else {
      merged.set(key, tag.value);
    }
  }
  return recordOf(merged);
}

/**
 * The fields a `Runs.RunChange` may have.
 */
const CHANGE_FIELDS = ['name', 'note', 'tags', 'pinned', 'archived'];

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function checkLength(
  what: string,
  text: string,
  max: number,
  trans: TranslationBundle
): void {
  const length = codePoints(text);
  if (length > max) {
    throw new Error(
      trans.__('%1 is %2 characters long; the most is %3.', what, length, max)
    );
  }
}

function checkTags(tags: unknown, trans: TranslationBundle): void {
  if (typeof tags !== 'object' || tags === null || Array.isArray(tags)) {
    throw new Error(
      trans.__(
        'The tags must be an object of tag keys to text, or to null to remove a tag.'
      )
    );
  }
  const entries = Object.entries(tags);
  if (entries.length > StoreFormat.MAX_TAGS) {
    throw new Error(
      trans.__(
        'A change can set at most %1 tags; this one has %2.',
        StoreFormat.MAX_TAGS,
        entries.length
      )
    );
  }
  for (const [key, value] of entries) {
    if (key === '') {
      throw new Error(trans.__('A tag key must not be empty.'));
    }
    const shown = [...key].slice(0, 40).join('');
    checkLength(
      trans.__('The tag key "%1"', shown),
      key,
      StoreFormat.MAX_TAG,
      trans
    );
    if (value !== null && typeof value !== 'string') {
      throw new Error(
        trans.__('The tag "%1" must be text, or null to remove it.', shown)
      );
    }
    if (value !== null) {
      checkLength(
        trans.__('The value of the tag "%1"', shown),
        value,
        StoreFormat.MAX_TAG,
        trans
      );
    }
  }
}

/**
 * The latest time any field of an annotation was set, or 0.
 */
function latestStamp(entry: StoreFormat.RunAnnotation | undefined): number {
  if (!entry) {
    return 0;
  }
  const stamps = [entry.name, entry.note, entry.pinned, entry.archived]
    .concat(Object.values(entry.tags ?? {}))
    .map(stamped => stamped?.at ?? 0);
  return Math.max(0, ...stamps);
}

/**
 * Of two values of one field, the one set last; equal times are settled by
 * comparing the values' JSON.
 */
function later<T>(
  a: StoreFormat.Stamped<T> | undefined,
  b: StoreFormat.Stamped<T> | undefined
): StoreFormat.Stamped<T> | undefined {
  if (!a || !b) {
    return a ?? b;
  }
  if (a.at !== b.at) {
    return a.at > b.at ? a : b;
  }
  return JSON.stringify(a.value) >= JSON.stringify(b.value) ? a : b;
}
