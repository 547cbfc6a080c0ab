import type { TranslationBundle } from '@jupyterlab/translation';

import type { Runs } from '../tokens';

/**
 * Types of the store files, format version 2, and the hand-written checks
 * that read them. docs/FORMAT.md describes the same files for people;
 * docs/format/*.schema.json for other tools.
 */
export namespace StoreFormat {
  /**
   * The only format version this code reads and writes: the version of the
   * whole store, which every file repeats.
   */
  export const VERSION = 2;

  /**
   * The kinds of files in a store. Each file names its kind in `format` as
   * `jupyterlab-runs/<kind>`.
   */
  export type Kind =
    'store' | 'index' | 'index-segment' | 'pack' | 'points' | 'annotations';

  /**
   * The longest run name a user may give, in characters (code points).
   */
  export const MAX_NAME = 200;

  /**
   * The longest note a user may write, in characters (code points).
   */
  export const MAX_NOTE = 10000;

  /**
   * The most tags a user may set on one run.
   */
  export const MAX_TAGS = 100;

  /**
   * The longest tag key or value, in characters (code points).
   */
  export const MAX_TAG = 200;

  /**
   * The two fields every store file starts with.
   */
  export type Header<K extends Kind> = {
    readonly format: `jupyterlab-runs/${K}`;
    readonly version: typeof VERSION;
  };

  /**
   * `store.json`: marks a folder as a run store and names its format.
   */
  export type StoreFile = Header<'store'> & {
    /** Epoch milliseconds. */
    readonly createdAt: number;
    /**
     * A random id given when the store is created (or first written by a
     * version that gives ids): writes a browser kept for this store are
     * never sent into a store with another id.
     */
    readonly id?: string;
  };

  /**
   * One run in a notebook's index: what the run list shows, and where the
   * run's records are.
   */
  export type IndexRow = {
    readonly id: string;
    readonly name: string;
    readonly status: Runs.RunStatus;
    readonly startedAt: number;
    readonly endedAt: number | null;
    readonly params: Readonly<Record<string, Runs.Scalar>>;
    readonly metrics: Readonly<Record<string, number | null>>;
    readonly tags: Readonly<Record<string, string>>;
    /** The kernel session the run belongs to, if known. */
    readonly session: string | null;
    /** When the row last changed, epoch milliseconds: the newer row wins. */
    readonly updatedAt: number;
    /** The highest kernel event `seq` applied to the run. */
    readonly seq: number;
    /** The packs holding the run's blocks. */
    readonly packs: readonly string[];
  };

  /**
   * A sealed index segment, as listed by the index head.
   */
  export type IndexSegmentRef = {
    /** Its number `n`: the file is `index/<n>.json.gz`. */
    readonly segment: number;
    readonly count: number;
  };

  /**
   * A kernel session as the index head knows it.
   */
  export type SessionEntry = {
    readonly id: string;
    /** The highest kernel event `seq` of the session that is stored. */
    readonly seq: number;
    /** The session's environment blob, as `<pack>/<n>`, or null. */
    readonly env: string | null;
  };

  /**
   * `notebooks/<key>/index.json.gz`: the head of a notebook's run list.
   */
  export type IndexFile = Header<'index'> & {
    readonly notebookPath: string;
    readonly updatedAt: number;
    /** Older rows, moved out of the head; written once each. */
    readonly segments: readonly IndexSegmentRef[];
    /** The kernel sessions written to last, newest first. */
    readonly sessions: readonly SessionEntry[];
    /** The newest rows, newest first. */
    readonly runs: readonly IndexRow[];
  };

  /**
   * `notebooks/<key>/index/<n>.json.gz`: older rows of a notebook's run list.
   */
  export type IndexSegmentFile = Header<'index-segment'> & {
    readonly notebookPath: string;
    readonly segment: number;
    readonly runs: readonly IndexRow[];
  };

  /**
   * A reference to a blob: its number in the pack that holds the reference,
   * or `<pack>/<n>` for blob `n` of another pack of the notebook.
   */
  export type BlobRef = number | string;

  /**
   * A list of integers stored as differences: the first non-null entry is
   * the value itself (or its offset, where the field says so), every later
   * non-null entry the difference from the previous non-null value; null
   * stands for a missing value.
   */
  export type DeltaList = readonly (number | null)[];

  /**
   * A kernel session, recorded in the pack written when it started.
   */
  export type PackSession = {
    readonly id: string;
    readonly startedAt: number;
    readonly env: BlobRef | null;
    /** The `seq` of its `session` event. */
    readonly seq: number;
  };

  /**
   * A parameter of a run with where it came from.
   */
  export type Param = {
    readonly value: Runs.Scalar;
    readonly source: string;
    readonly detail: string | null;
    /** The execution (`exec`) that set it, or null. */
    readonly exec: number | null;
    /** Milliseconds after the run's start. */
    readonly time: number;
    /**
     * The parameter whose variable gave this one its value
     * (`random_state=seed`: `seed`); absent when it has none.
     */
    readonly from?: string;
  };

  /**
   * The error an execution raised.
   */
  export type ExecutionError = {
    readonly name: string;
    readonly value: string;
    readonly traceback: readonly string[];
  };

  /**
   * How an execution ended.
   */
  export type Outcome = 'ok' | 'error' | 'interrupted';

  /**
   * A run's executions, one column per field, one row per execution in the
   * order the kernel ran them.
   */
  export type ExecutionColumns = {
    /** The execution's number in the kernel session. */
    readonly exec: DeltaList;
    readonly cell: readonly (string | null)[];
    /** The execution count the notebook showed, or null. */
    readonly count: DeltaList;
    /** The source as run. */
    readonly source: readonly BlobRef[];
    /**
     * start₀, end₀, start₁, end₁, …: the first as milliseconds after the
     * run's start, then each after the one before.
     */
    readonly time: DeltaList;
    readonly outcome: readonly Outcome[];
    readonly error: readonly (ExecutionError | null)[];
  };

  /**
   * The displayed outputs of executions: a blob holding a list of nbformat
   * outputs per execution.
   */
  export type OutputColumns = {
    readonly exec: DeltaList;
    readonly blob: readonly BlobRef[];
  };

  /**
   * A metric value: a number, or one of the three non-finite spellings.
   */
  export type MetricValue = number | 'NaN' | 'Infinity' | '-Infinity';

  /**
   * A metric point decoded from a `MetricSeries`, or before it is encoded
   * into one: value, step, time (epoch milliseconds), execution.
   */
  export type MetricPoint = readonly [
    MetricValue,
    number | null,
    number,
    number | null
  ];

  /**
   * Points of one metric, one column per field, in logging order.
   */
  export type MetricColumns = {
    readonly value: readonly MetricValue[];
    readonly step: DeltaList;
    /** Milliseconds after the run's start, as a delta list. */
    readonly time: DeltaList;
    readonly exec: DeltaList;
  };

  /**
   * A metric's points in one block. With `whole`, the columns are an
   * overview (the extremes, the first and the last point) and every point
   * is in the pack's points file.
   */
  export type MetricSeries = MetricColumns & {
    readonly name: string;
    readonly source: string;
    readonly whole?: WholeSeries;
  };

  /**
   * What an overview stands for: how many points, and the lowest and
   * highest finite value among them (null when there is none).
   */
  export type WholeSeries = {
    readonly count: number;
    readonly min: number | null;
    readonly max: number | null;
  };

  /**
   * Every point of one block's series that the pack holds as an overview.
   */
  export type PointSeries = MetricColumns & {
    readonly run: string;
    readonly name: string;
    readonly source: string;
  };

  /**
   * `notebooks/<key>/points/<pack>.json.gz`: the long metric series of a
   * pack, written before the pack each time they grew.
   */
  export type PointsFile = Header<'points'> & {
    readonly notebookPath: string;
    readonly pack: string;
    readonly series: readonly PointSeries[];
  };

  /**
   * A file the kernel read or wrote.
   */
  export type FileAccess = {
    readonly path: string;
    readonly mode: 'read' | 'write';
    readonly size: number;
    readonly mtime: number;
    readonly sha256: string | null;
    readonly exec: number | null;
    /** Logged with `runs.log_artifact`: an output of the run. */
    readonly artifact: boolean;
  };

  /**
   * What one pack holds of one run: everything recorded for it while the
   * pack was written. A run has one block per pack it was recorded in.
   */
  export type RunBlock = {
    readonly run: string;
    /** Epoch milliseconds; the times of the block are counted from it. */
    readonly startedAt: number;
    /** The block where the run started has `name` … `env`. */
    readonly name?: string;
    readonly reason?: string;
    readonly session?: string | null;
    readonly env?: BlobRef | null;
    readonly status: Runs.RunStatus;
    /** Milliseconds after the start, or null while running. */
    readonly endedAt: number | null;
    /** Milliseconds after the start. */
    readonly updatedAt: number;
    /** The highest kernel event `seq` applied to the run. */
    readonly seq: number;
    /** Parameters set or changed in this block. */
    readonly params: Readonly<Record<string, Param>>;
    readonly tags: Readonly<Record<string, string>>;
    readonly note: string | null;
    /** Executions of the session that built the run's state, as ranges. */
    readonly inherited: readonly (readonly [number, number])[];
    readonly executions: ExecutionColumns;
    readonly outputs: OutputColumns;
    readonly metrics: readonly MetricSeries[];
    readonly files: readonly FileAccess[];
  };

  /**
   * A cell of a snapshot. Without `from`, a whole cell; with `from`, cell
   * `from` of the base snapshot with the fields given replaced (`shift`
   * adds to its execution count).
   */
  export type SnapshotCell = {
    readonly from?: number;
    readonly id?: string | null;
    readonly type?: string;
    readonly source?: BlobRef;
    readonly outputs?: BlobRef | null;
    readonly count?: number | null;
    readonly shift?: number;
    readonly metadata?: Readonly<Record<string, unknown>>;
    readonly attachments?: Readonly<Record<string, unknown>> | null;
  };

  /**
   * Cells `first`…`last` of the base snapshot, unchanged, or with `shift`
   * added to their execution counts.
   */
  export type CellCopy =
    readonly [number, number] | readonly [number, number, number];

  /**
   * A notebook snapshot: whole (a keyframe, without `base`) or as changes to
   * snapshot `base` of the same pack.
   */
  export type Snapshot = {
    readonly run: string;
    readonly time: number;
    readonly base?: number;
    readonly nbformat?: number;
    readonly nbformatMinor?: number;
    readonly metadata?: Readonly<Record<string, unknown>>;
    readonly cells: readonly (CellCopy | SnapshotCell)[];
  };

  /**
   * `notebooks/<key>/packs/<pack>.json.gz`: what one page recorded for a
   * notebook, rewritten as it grows until it is full.
   */
  export type PackFile = Header<'pack'> & {
    readonly notebookPath: string;
    readonly pack: string;
    readonly updatedAt: number;
    readonly blobs: readonly unknown[];
    readonly sessions: readonly PackSession[];
    readonly runs: readonly RunBlock[];
    readonly snapshots: readonly Snapshot[];
  };

  /**
   * A value the user set, and when (epoch milliseconds): of two values of
   * one field, the later one wins.
   */
  export type Stamped<T> = {
    readonly value: T;
    readonly at: number;
  };

  /**
   * What the user changed of one run. Every field is optional; a deleted run
   * keeps only `deleted`, and stays deleted.
   */
  export type RunAnnotation = {
    /** When the run was deleted, epoch milliseconds. */
    readonly deleted?: number;
    readonly name?: Stamped<string>;
    /** A null value clears the run's note. */
    readonly note?: Stamped<string | null>;
    /** By tag key; a null value removes the tag. */
    readonly tags?: Readonly<Record<string, Stamped<string | null>>>;
    readonly pinned?: Stamped<boolean>;
    readonly archived?: Stamped<boolean>;
  };

  /**
   * `notebooks/<key>/annotations.json.gz`: the user's changes to a
   * notebook's runs (names, notes, tags, pins, archiving, deletion), merged
   * over the index rows when listing.
   */
  export type AnnotationsFile = Header<'annotations'> & {
    readonly notebookPath: string;
    readonly updatedAt: number;
    /** By run id. */
    readonly runs: Readonly<Record<string, RunAnnotation>>;
  };

  /**
   * A file read from the store: its value, or why it cannot be used.
   */
  export type Parsed<T> =
    | { readonly ok: true; readonly value: T }
    | { readonly ok: false; readonly problem: string };
}

/**
 * The grammar of run and session ids, which name folders and files: ASCII
 * letters, digits, `_` and `-`, starting with a letter or digit, at most 80
 * characters.
 */
const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,79}$/;

/**
 * Names Windows gives to devices; a file named so cannot be created there.
 */
const RESERVED_NAME = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])$/i;

/**
 * The 64 lowercase hex digits of a SHA-256 digest.
 */
const DIGEST_PATTERN = /^[0-9a-f]{64}$/;

/**
 * A pack name: its writer's id (6 to 16 lowercase letters and digits), `-`,
 * and its number among the writer's packs.
 */
const PACK_PATTERN = /^[a-z0-9]{6,16}-(0|[1-9][0-9]{0,8})$/;

/**
 * A blob reference into another pack: `<pack>/<n>`.
 */
const FOREIGN_REF_PATTERN =
  /^([a-z0-9]{6,16}-(?:0|[1-9][0-9]{0,8}))\/(0|[1-9][0-9]{0,8})$/;

/**
 * Whether a value is a run or session id that is safe as a folder name.
 */
export function isValidId(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    ID_PATTERN.test(value) &&
    !RESERVED_NAME.test(value)
  );
}

/**
 * Whether a value is a SHA-256 hex digest.
 */
export function isDigest(value: unknown): value is string {
  return typeof value === 'string' && DIGEST_PATTERN.test(value);
}

/**
 * Whether a value is a pack name.
 */
export function isPackName(value: unknown): value is string {
  return typeof value === 'string' && PACK_PATTERN.test(value);
}

/**
 * The pack and number a blob reference points to, seen from the pack
 * `within`; null when it is not a reference.
 */
export function resolveBlobRef(
  ref: unknown,
  within: string
): { pack: string; index: number } | null {
  if (typeof ref === 'number') {
    return Number.isSafeInteger(ref) && ref >= 0
      ? { pack: within, index: ref }
      : null;
  }
  const match = typeof ref === 'string' ? FOREIGN_REF_PATTERN.exec(ref) : null;
  return match ? { pack: match[1], index: Number(match[2]) } : null;
}

/**
 * Parse the text of a store file of the given kind and check it completely.
 *
 * Never throws: invalid JSON, a file of another kind, a version this code
 * does not know (refused, never misread) and every wrong field come back as
 * one problem sentence.
 */
export function parseStoreFile<K extends keyof Readers>(
  kind: K,
  text: string,
  trans: TranslationBundle
): StoreFormat.Parsed<ReturnType<Readers[K]>> {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (reason) {
    return {
      ok: false,
      problem: trans.__('is not valid JSON (%1)', String(reason))
    };
  }
  return checkStoreFile(kind, data, trans);
}

/**
 * Check parsed JSON as a store file of the given kind; see `parseStoreFile`.
 */
export function checkStoreFile<K extends keyof Readers>(
  kind: K,
  data: unknown,
  trans: TranslationBundle
): StoreFormat.Parsed<ReturnType<Readers[K]>> {
  const header = checkHeader(kind, data, trans);
  if (header !== null) {
    return { ok: false, problem: header };
  }
  return attempt(
    () =>
      READERS[kind](
        new FieldReader(data as Record<string, unknown>, '', trans)
      ) as ReturnType<Readers[K]>
  );
}

/**
 * Check one index row on its own, so that a bad row does not hide the others.
 */
export function checkIndexRow(
  data: unknown,
  where: string,
  trans: TranslationBundle
): StoreFormat.Parsed<StoreFormat.IndexRow> {
  return attempt(() => readIndexRow(new FieldReader(data, where, trans)));
}

/**
 * Check the annotation of one run on its own (`id` is its key in the
 * file), so that a bad one does not hide the others.
 */
export function checkRunAnnotation(
  id: string,
  data: unknown,
  where: string,
  trans: TranslationBundle
): StoreFormat.Parsed<StoreFormat.RunAnnotation> {
  if (!isValidId(id as unknown)) {
    return {
      ok: false,
      problem: trans.__(
        '"%1" is not a run id: it must be an id',
        id.slice(0, 80)
      )
    };
  }
  return attempt(() => readRunAnnotation(new FieldReader(data, where, trans)));
}

/**
 * Check one run block of a pack on its own, so that a bad block does not
 * hide the other runs of the pack.
 */
export function checkRunBlock(
  data: unknown,
  where: string,
  blobCount: number,
  trans: TranslationBundle
): StoreFormat.Parsed<StoreFormat.RunBlock> {
  return attempt(() =>
    readRunBlock(new FieldReader(data, where, trans), blobCount)
  );
}

/**
 * Check one snapshot of a pack on its own.
 */
export function checkSnapshot(
  data: unknown,
  where: string,
  blobCount: number,
  trans: TranslationBundle
): StoreFormat.Parsed<StoreFormat.Snapshot> {
  return attempt(() =>
    readSnapshot(new FieldReader(data, where, trans), blobCount)
  );
}

function attempt<T>(read: () => T): StoreFormat.Parsed<T> {
  try {
    return { ok: true, value: read() };
  } catch (reason) {
    if (reason instanceof FormatProblem) {
      return { ok: false, problem: reason.message };
    }
    throw reason;
  }
}

/**
 * The problem with a file's `format` and `version`, or null when they name
 * the expected kind in this version.
 */
function checkHeader(
  kind: StoreFormat.Kind,
  data: unknown,
  trans: TranslationBundle
): string | null {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    return trans.__('is not a JSON object');
  }
  const { format, version } = data as Record<string, unknown>;
  const expected = `jupyterlab-runs/${kind}`;
  if (format !== expected) {
    return trans.__(
      'is not a "%1" file: its "format" is %2',
      expected,
      format === undefined ? trans.__('missing') : preview(format, 60)
    );
  }
  if (typeof version !== 'number' || !Number.isInteger(version)) {
    return trans.__('has no valid "version" number');
  }
  if (version > StoreFormat.VERSION) {
    return trans.__(
      'uses format version %1, which this version of jupyterlab-runs cannot read (it reads version %2); update jupyterlab-runs to read it',
      version,
      StoreFormat.VERSION
    );
  }
  if (version === 1) {
    return trans.__(
      'uses format version 1, written by an unreleased development version of jupyterlab-runs, which this version cannot read (it reads version %1)',
      StoreFormat.VERSION
    );
  }
  if (version !== StoreFormat.VERSION) {
    return trans.__('uses unknown format version %1', version);
  }
  return null;
}

/**
 * A problem found while reading a file; caught at the top of a check.
 */
class FormatProblem extends Error {}

/**
 * Reads typed fields out of parsed JSON, throwing a `FormatProblem` that
 * names the field at the first one that does not fit.
 */
class FieldReader {
  constructor(
    readonly value: unknown,
    readonly where: string,
    readonly trans: TranslationBundle
  ) {}

  /**
   * The reader of a field of this object.
   */
  field(name: string): FieldReader {
    const object = this.object();
    const where = this.where ? `${this.where}.${name}` : name;
    return new FieldReader(object[name], where, this.trans);
  }

  /**
   * Whether this object has a field (present, even if null).
   */
  has(name: string): boolean {
    return this.object()[name] !== undefined;
  }

  /**
   * A field read by `read`, or undefined when the field is absent.
   */
  optional<T>(name: string, read: (reader: FieldReader) => T): T | undefined {
    return this.has(name) ? read(this.field(name)) : undefined;
  }

  object(): Record<string, unknown> {
    if (
      typeof this.value !== 'object' ||
      this.value === null ||
      Array.isArray(this.value)
    ) {
      this.fail(this.trans.__('an object'));
    }
    return this.value as Record<string, unknown>;
  }

  array(): FieldReader[] {
    if (!Array.isArray(this.value)) {
      this.fail(this.trans.__('a list'));
    }
    return (this.value as unknown[]).map(
      (item, index) =>
        new FieldReader(item, `${this.where}[${index}]`, this.trans)
    );
  }

  /**
   * The readers of every value of a JSON object used as a map.
   */
  entries(): [string, FieldReader][] {
    return Object.entries(this.object()).map(([key, item]) => [
      key,
      new FieldReader(item, `${this.where}[${JSON.stringify(key)}]`, this.trans)
    ]);
  }

  string(): string {
    if (typeof this.value !== 'string') {
      this.fail(this.trans.__('a string'));
    }
    return this.value as string;
  }

  /**
   * A string of at most `max` characters (code points).
   */
  text(max: number): string {
    const value = this.string();
    if (codePoints(value) > max) {
      this.fail(this.trans.__('a text of at most %1 characters', max));
    }
    return value;
  }

  boolean(): boolean {
    if (typeof this.value !== 'boolean') {
      this.fail(this.trans.__('true or false'));
    }
    return this.value as boolean;
  }

  number(): number {
    if (typeof this.value !== 'number' || !Number.isFinite(this.value)) {
      this.fail(this.trans.__('a number'));
    }
    return this.value as number;
  }

  /**
   * A whole number, possibly negative, that JSON readers keep exactly.
   */
  integer(): number {
    if (!Number.isSafeInteger(this.value)) {
      this.fail(this.trans.__('a whole number'));
    }
    return this.value as number;
  }

  /**
   * An integer that is zero or more.
   */
  count(): number {
    const value = this.number();
    if (!Number.isInteger(value) || value < 0) {
      this.fail(this.trans.__('a whole number, 0 or more'));
    }
    return value;
  }

  scalar(): Runs.Scalar {
    const value = this.value;
    if (
      value === null ||
      typeof value === 'string' ||
      typeof value === 'boolean' ||
      (typeof value === 'number' && Number.isFinite(value))
    ) {
      return value;
    }
    return this.fail(this.trans.__('a string, number, boolean or null'));
  }

  id(): string {
    if (!isValidId(this.value)) {
      this.fail(
        this.trans.__(
          'an id of up to 80 ASCII letters, digits, "_" and "-" that starts with a letter or digit'
        )
      );
    }
    return this.value as string;
  }

  pack(): string {
    if (!isPackName(this.value)) {
      this.fail(this.trans.__('a pack name such as "k3x9qa-0"'));
    }
    return this.value as string;
  }

  digest(): string {
    if (!isDigest(this.value)) {
      this.fail(this.trans.__('a SHA-256 digest in 64 lowercase hex digits'));
    }
    return this.value as string;
  }

  /**
   * A blob reference; a number must be below `blobCount`, the blobs of the
   * pack being read.
   */
  blobRef(blobCount: number): StoreFormat.BlobRef {
    const value = this.value;
    if (typeof value === 'number') {
      if (Number.isInteger(value) && value >= 0 && value < blobCount) {
        return value;
      }
    } else if (resolveBlobRef(value, '') !== null) {
      return value as string;
    }
    return this.fail(
      this.trans.__(
        'a blob of this pack (0 to %1) or "<pack>/<n>"',
        blobCount - 1
      )
    );
  }

  /**
   * A blob reference in the form `<pack>/<n>`.
   */
  foreignRef(): string {
    if (
      typeof this.value !== 'string' ||
      resolveBlobRef(this.value, '') === null
    ) {
      this.fail(this.trans.__('a blob reference "<pack>/<n>"'));
    }
    return this.value as string;
  }

  /**
   * A delta list: whole numbers or null.
   */
  deltaList(): StoreFormat.DeltaList {
    return this.column(
      item => item === null || Number.isSafeInteger(item),
      item => item.nullable(r => r.integer())
    );
  }

  /**
   * A column of metric values.
   */
  metricValues(): StoreFormat.MetricValue[] {
    return this.column(isMetricValue, item => item.metricValue());
  }

  /**
   * A list whose every item passes `fits`: the columns of a pack hold
   * hundreds of thousands of items, so they are checked in one loop, and
   * `read` runs on the first misfit only, to name it.
   */
  private column<T>(
    fits: (item: unknown) => boolean,
    read: (item: FieldReader) => T
  ): T[] {
    if (!Array.isArray(this.value)) {
      this.fail(this.trans.__('a list'));
    }
    const items = this.value as unknown[];
    for (let index = 0; index < items.length; index++) {
      if (!fits(items[index])) {
        read(
          new FieldReader(items[index], `${this.where}[${index}]`, this.trans)
        );
      }
    }
    return items as T[];
  }

  metricValue(): StoreFormat.MetricValue {
    const value = this.value;
    if (isMetricValue(value)) {
      return value;
    }
    return this.fail(
      this.trans.__('a number, "NaN", "Infinity" or "-Infinity"')
    );
  }

  oneOf<T extends string>(choices: readonly T[]): T {
    if (!choices.includes(this.value as T)) {
      this.fail(this.trans.__('one of %1', choices.join(', ')));
    }
    return this.value as T;
  }

  /**
   * This value read by `read`, or null when it is null.
   */
  nullable<T>(read: (reader: FieldReader) => T): T | null {
    return this.value === null ? null : read(this);
  }

  fail(expected: string): never {
    const got =
      this.value === undefined
        ? this.trans.__('missing')
        : preview(this.value, 60);
    throw new FormatProblem(
      this.where
        ? this.trans.__('"%1" must be %2; got %3', this.where, expected, got)
        : this.trans.__('must be %1; got %2', expected, got)
    );
  }
}

/**
 * The start of a value's JSON, at most `room` characters, built without
 * stringifying the whole value: a value read from a file may be huge or
 * nested deeper than the stack (10,000 arrays in arrays).
 */
function preview(value: unknown, room: number): string {
  if (value === null || typeof value !== 'object') {
    return (JSON.stringify(value) ?? String(value)).slice(0, room);
  }
  const array = Array.isArray(value);
  let text = array ? '[' : '{';
  let first = true;
  for (const key in value) {
    if (text.length >= room) {
      break;
    }
    text += first ? '' : ',';
    text += array ? '' : `${JSON.stringify(key)}:`;
    text += preview(
      (value as Record<string, unknown>)[key],
      room - text.length
    );
    first = false;
  }
  return `${text}${array ? ']' : '}'}`.slice(0, room);
}

const STATUSES: readonly Runs.RunStatus[] = [
  'running',
  'finished',
  'failed',
  'interrupted',
  'crashed'
];

const OUTCOMES: readonly StoreFormat.Outcome[] = ['ok', 'error', 'interrupted'];

function isMetricValue(value: unknown): value is StoreFormat.MetricValue {
  return (
    (typeof value === 'number' && Number.isFinite(value)) ||
    value === 'NaN' ||
    value === 'Infinity' ||
    value === '-Infinity'
  );
}

function readMap<T>(
  reader: FieldReader,
  read: (item: FieldReader) => T
): Record<string, T> {
  const map: Record<string, T> = {};
  for (const [key, item] of reader.entries()) {
    map[key] = read(item);
  }
  return map;
}

/**
 * Columns of one table: every column must have as many rows as the first.
 */
function sameLength(
  reader: FieldReader,
  columns: Record<string, readonly unknown[]>
): void {
  const lengths = Object.values(columns).map(column => column.length);
  if (lengths.some(length => length !== lengths[0])) {
    reader.fail(
      reader.trans.__(
        'columns of equal length (%1)',
        Object.entries(columns)
          .map(([name, column]) => `${name}: ${column.length}`)
          .join(', ')
      )
    );
  }
}

function readIndexRow(reader: FieldReader): StoreFormat.IndexRow {
  reader.object();
  return {
    id: reader.field('id').id(),
    name: reader.field('name').string(),
    status: reader.field('status').oneOf(STATUSES),
    startedAt: reader.field('startedAt').number(),
    endedAt: reader.field('endedAt').nullable(r => r.number()),
    params: readMap(reader.field('params'), r => r.scalar()),
    metrics: readMap(reader.field('metrics'), r => r.nullable(n => n.number())),
    tags: readMap(reader.field('tags'), r => r.string()),
    session: reader.field('session').nullable(r => r.id()),
    updatedAt: reader.field('updatedAt').number(),
    seq: reader.field('seq').count(),
    packs: reader
      .field('packs')
      .array()
      .map(r => r.pack())
  };
}

/**
 * A value with the time it was set.
 */
function readStamped<T>(
  reader: FieldReader,
  read: (value: FieldReader) => T
): StoreFormat.Stamped<T> {
  reader.object();
  return {
    value: read(reader.field('value')),
    at: reader.field('at').number()
  };
}

function readRunAnnotation(reader: FieldReader): StoreFormat.RunAnnotation {
  reader.object();
  const { MAX_NAME, MAX_NOTE, MAX_TAG } = StoreFormat;
  const annotation: StoreFormat.RunAnnotation = {
    deleted: reader.optional('deleted', r => r.number()),
    name: reader.optional('name', r => readStamped(r, v => v.text(MAX_NAME))),
    note: reader.optional('note', r =>
      readStamped(r, v => v.nullable(n => n.text(MAX_NOTE)))
    ),
    tags: reader.optional('tags', r =>
      recordOf(
        r.entries().map(([key, item]) => {
          if (key === '' || codePoints(key) > MAX_TAG) {
            item.fail(
              item.trans.__('under a tag key of 1 to %1 characters', MAX_TAG)
            );
          }
          return [
            key,
            readStamped(item, v => v.nullable(t => t.text(MAX_TAG)))
          ];
        })
      )
    ),
    pinned: reader.optional('pinned', r => readStamped(r, v => v.boolean())),
    archived: reader.optional('archived', r => readStamped(r, v => v.boolean()))
  };
  // Absent fields stay absent, so that the annotation writes back the same.
  return recordOf(
    Object.entries(annotation).filter(([, value]) => value !== undefined)
  ) as StoreFormat.RunAnnotation;
}

/**
 * A record of the given entries, each an own property: unlike assigning to
 * `{}`, a key such as `__proto__` stays a key.
 */
export function recordOf<T>(
  entries: Iterable<readonly [string, T]>
): Record<string, T> {
  const record: Record<string, T> = {};
  for (const [key, value] of entries) {
    Object.defineProperty(record, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true
    });
  }
  return record;
}

/**
 * How many characters (code points, as JSON Schema counts) a text has.
 */
export function codePoints(text: string): number {
  // Surrogate pairs are one character; lone surrogates count as one each.
  return (
    text.length - (text.match(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g) ?? []).length
  );
}

function readError(reader: FieldReader): StoreFormat.ExecutionError {
  return {
    name: reader.field('name').string(),
    value: reader.field('value').string(),
    traceback: reader
      .field('traceback')
      .array()
      .map(line => line.string())
  };
}

function readExecutions(
  reader: FieldReader,
  blobs: number
): StoreFormat.ExecutionColumns {
  const columns: StoreFormat.ExecutionColumns = {
    exec: reader.field('exec').deltaList(),
    cell: reader
      .field('cell')
      .array()
      .map(r => r.nullable(s => s.string())),
    count: reader.field('count').deltaList(),
    source: reader
      .field('source')
      .array()
      .map(r => r.blobRef(blobs)),
    time: reader.field('time').deltaList(),
    outcome: reader
      .field('outcome')
      .array()
      .map(r => r.oneOf(OUTCOMES)),
    error: reader
      .field('error')
      .array()
      .map(r => r.nullable(readError))
  };
  const { time, ...rows } = columns;
  sameLength(reader, rows);
  if (time.length !== 2 * columns.exec.length) {
    reader
      .field('time')
      .fail(
        reader.trans.__(
          'a start and an end per execution (%1 numbers)',
          2 * columns.exec.length
        )
      );
  }
  return columns;
}

/**
 * `from` only where a param has one: an absent field stays absent, so a
 * block reads back as it was written.
 */
function optionalFrom(from: string | undefined): { from?: string } {
  return from === undefined ? {} : { from };
}

function readRunBlock(
  reader: FieldReader,
  blobs: number
): StoreFormat.RunBlock {
  reader.object();
  const outputs = reader.field('outputs');
  const block: StoreFormat.RunBlock = {
    run: reader.field('run').id(),
    startedAt: reader.field('startedAt').number(),
    name: reader.optional('name', r => r.string()),
    reason: reader.optional('reason', r => r.string()),
    session: reader.optional('session', r => r.nullable(s => s.id())),
    env: reader.optional('env', r => r.nullable(e => e.blobRef(blobs))),
    status: reader.field('status').oneOf(STATUSES),
    endedAt: reader.field('endedAt').nullable(r => r.integer()),
    updatedAt: reader.field('updatedAt').integer(),
    seq: reader.field('seq').count(),
    params: readMap(reader.field('params'), param => ({
      value: param.field('value').scalar(),
      source: param.field('source').string(),
      detail: param.field('detail').nullable(r => r.string()),
      exec: param.field('exec').nullable(r => r.count()),
      time: param.field('time').integer(),
      ...optionalFrom(param.optional('from', r => r.string()))
    })),
    tags: readMap(reader.field('tags'), r => r.string()),
    note: reader.field('note').nullable(r => r.string()),
    inherited: reader
      .field('inherited')
      .array()
      .map(range => {
        const ends = range.array();
        if (ends.length !== 2) {
          range.fail(range.trans.__('a range [from, to]'));
        }
        return [ends[0].count(), ends[1].count()] as const;
      }),
    executions: readExecutions(reader.field('executions'), blobs),
    outputs: {
      exec: outputs.field('exec').deltaList(),
      blob: outputs
        .field('blob')
        .array()
        .map(r => r.blobRef(blobs))
    },
    metrics: reader
      .field('metrics')
      .array()
      .map(series => {
        const whole = series.optional('whole', readWhole);
        const read: StoreFormat.MetricSeries = {
          name: series.field('name').string(),
          source: series.field('source').string(),
          ...readMetricColumns(series),
          ...(whole ? { whole } : {})
        };
        if (whole && whole.count < read.value.length) {
          series
            .field('whole')
            .field('count')
            .fail(series.trans.__('at least as many as the overview holds'));
        }
        return read;
      }),
    files: reader
      .field('files')
      .array()
      .map(item => ({
        path: item.field('path').string(),
        mode: item.field('mode').oneOf(['read', 'write']),
        size: item.field('size').count(),
        mtime: item.field('mtime').number(),
        sha256: item.field('sha256').nullable(r => r.digest()),
        exec: item.field('exec').nullable(r => r.count()),
        artifact: item.field('artifact').boolean()
      }))
  };
  sameLength(outputs, block.outputs);
  const started = ['name', 'reason', 'session', 'env'].filter(name =>
    reader.has(name)
  );
  if (started.length !== 0 && started.length !== 4) {
    reader.fail(
      reader.trans.__('a block with all or none of name, reason, session, env')
    );
  }
  return block;
}

function readMetricColumns(reader: FieldReader): StoreFormat.MetricColumns {
  const columns = {
    value: reader.field('value').metricValues(),
    step: reader.field('step').deltaList(),
    time: reader.field('time').deltaList(),
    exec: reader.field('exec').deltaList()
  };
  sameLength(reader, columns);
  return columns;
}

function readWhole(reader: FieldReader): StoreFormat.WholeSeries {
  reader.object();
  return {
    count: reader.field('count').count(),
    min: reader.field('min').nullable(r => r.number()),
    max: reader.field('max').nullable(r => r.number())
  };
}

function readSnapshotCell(
  reader: FieldReader,
  blobs: number
): StoreFormat.SnapshotCell | StoreFormat.CellCopy {
  if (Array.isArray(reader.value)) {
    const ends = reader.array();
    if (ends.length !== 2 && ends.length !== 3) {
      reader.fail(reader.trans.__('[first, last] or [first, last, shift]'));
    }
    const first = ends[0].count();
    const last = ends[1].count();
    if (last < first) {
      reader.fail(
        reader.trans.__('a range whose last cell is not before its first')
      );
    }
    return ends.length === 3 ? [first, last, ends[2].integer()] : [first, last];
  }
  reader.object();
  const cell: StoreFormat.SnapshotCell = {
    from: reader.optional('from', r => r.count()),
    id: reader.optional('id', r => r.nullable(s => s.string())),
    type: reader.optional('type', r => r.string()),
    source: reader.optional('source', r => r.blobRef(blobs)),
    outputs: reader.optional('outputs', r => r.nullable(o => o.blobRef(blobs))),
    count: reader.optional('count', r => r.nullable(c => c.integer())),
    shift: reader.optional('shift', r => r.integer()),
    metadata: reader.optional('metadata', r => r.object()),
    attachments: reader.optional('attachments', r =>
      r.nullable(a => a.object())
    )
  };
  if (cell.from === undefined && cell.source === undefined) {
    reader.field('source').fail(reader.trans.__('a blob reference'));
  }
  if (
    cell.shift !== undefined &&
    (cell.from === undefined || cell.count !== undefined)
  ) {
    reader
      .field('shift')
      .fail(reader.trans.__('given only with "from" and without "count"'));
  }
  return cell;
}

function readSnapshot(
  reader: FieldReader,
  blobs: number
): StoreFormat.Snapshot {
  reader.object();
  const snapshot: StoreFormat.Snapshot = {
    run: reader.field('run').id(),
    time: reader.field('time').number(),
    base: reader.optional('base', r => r.count()),
    nbformat: reader.optional('nbformat', r => r.count()),
    nbformatMinor: reader.optional('nbformatMinor', r => r.count()),
    metadata: reader.optional('metadata', r => r.object()),
    cells: reader
      .field('cells')
      .array()
      .map(cell => readSnapshotCell(cell, blobs))
  };
  if (snapshot.base === undefined) {
    reader.field('nbformat').count();
    reader.field('nbformatMinor').count();
    reader.field('metadata').object();
    snapshot.cells.forEach((cell, index) => {
      if (
        Array.isArray(cell) ||
        (cell as StoreFormat.SnapshotCell).from !== undefined
      ) {
        reader
          .field('cells')
          .array()
          [index].fail(
            reader.trans.__('a whole cell: this snapshot has no base')
          );
      }
    });
  }
  return snapshot;
}

/**
 * One reader per file kind; each reads a file whose header was checked.
 * Index rows, run blocks and snapshots are checked one by one by whoever
 * uses them, so that one bad item does not hide the others.
 */
const READERS = {
  store: (file: FieldReader): StoreFormat.StoreFile => ({
    format: 'jupyterlab-runs/store',
    version: StoreFormat.VERSION,
    createdAt: file.field('createdAt').number(),
    ...optionalField(
      'id',
      file.optional('id', r => r.id())
    )
  }),
  index: (file: FieldReader): StoreFormat.IndexFile => ({
    format: 'jupyterlab-runs/index',
    version: StoreFormat.VERSION,
    notebookPath: file.field('notebookPath').string(),
    updatedAt: file.field('updatedAt').number(),
    segments: file
      .field('segments')
      .array()
      .map(segment => ({
        segment: segment.field('segment').count(),
        count: segment.field('count').count()
      })),
    sessions: file
      .field('sessions')
      .array()
      .map(session => ({
        id: session.field('id').id(),
        seq: session.field('seq').count(),
        env: session.field('env').nullable(r => r.foreignRef())
      })),
    runs: file
      .field('runs')
      .array()
      .map(row => row.value as StoreFormat.IndexRow)
  }),
  'index-segment': (file: FieldReader): StoreFormat.IndexSegmentFile => ({
    format: 'jupyterlab-runs/index-segment',
    version: StoreFormat.VERSION,
    notebookPath: file.field('notebookPath').string(),
    segment: file.field('segment').count(),
    runs: file
      .field('runs')
      .array()
      .map(row => row.value as StoreFormat.IndexRow)
  }),
  points: (file: FieldReader): StoreFormat.PointsFile => ({
    format: 'jupyterlab-runs/points',
    version: StoreFormat.VERSION,
    notebookPath: file.field('notebookPath').string(),
    pack: file.field('pack').pack(),
    series: file
      .field('series')
      .array()
      .map(series => ({
        run: series.field('run').id(),
        name: series.field('name').string(),
        source: series.field('source').string(),
        ...readMetricColumns(series)
      }))
  }),
  annotations: (file: FieldReader): StoreFormat.AnnotationsFile => ({
    format: 'jupyterlab-runs/annotations',
    version: StoreFormat.VERSION,
    notebookPath: file.field('notebookPath').string(),
    updatedAt: file.field('updatedAt').number(),
    runs: file.field('runs').object() as Record<
      string,
      StoreFormat.RunAnnotation
    >
  }),
  pack: (file: FieldReader): StoreFormat.PackFile => {
    const blobs = file.field('blobs').array();
    const count = blobs.length;
    return {
      format: 'jupyterlab-runs/pack',
      version: StoreFormat.VERSION,
      notebookPath: file.field('notebookPath').string(),
      pack: file.field('pack').pack(),
      updatedAt: file.field('updatedAt').number(),
      blobs: blobs.map(blob => {
        if (blob.value === null) {
          blob.fail(
            blob.trans.__('a source, a list of outputs or an environment')
          );
        }
        return blob.value;
      }),
      sessions: file
        .field('sessions')
        .array()
        .map(session => ({
          id: session.field('id').id(),
          startedAt: session.field('startedAt').number(),
          env: session.field('env').nullable(r => r.blobRef(count)),
          seq: session.field('seq').count()
        })),
      runs: file
        .field('runs')
        .array()
        .map(block => block.value as StoreFormat.RunBlock),
      snapshots: file
        .field('snapshots')
        .array()
        .map(snapshot => snapshot.value as StoreFormat.Snapshot)
    };
  }
};

/**
 * `{ name: value }`, or nothing when the value is absent: a file read back
 * has exactly the fields it was written with.
 */
function optionalField<K extends string, T>(
  name: K,
  value: T | undefined
): Partial<Record<K, T>> {
  return value === undefined ? {} : ({ [name]: value } as Record<K, T>);
}

/**
 * The readers by kind, for typing `parseStoreFile`.
 */
type Readers = typeof READERS;

/**
 * Thrown when a compressed store file cannot be decompressed: a write cut
 * short, or a file changed by something else. Unlike a failed request, it
 * is not worth retrying.
 */
export class DamagedFileError extends Error {}

/**
 * Read and check a store file. Null when it does not exist; a problem when
 * it is damaged or not a valid file of the kind.
 *
 * @throws When the server cannot be reached.
 */
export async function readStoreFile<K extends keyof Readers>(
  kind: K,
  path: string,
  read: (path: string) => Promise<string | null>,
  trans: TranslationBundle
): Promise<StoreFormat.Parsed<ReturnType<Readers[K]>> | null> {
  let text: string | null;
  try {
    text = await read(path);
  } catch (reason) {
    if (reason instanceof DamagedFileError) {
      return {
        ok: false,
        problem: trans.__('is damaged and cannot be read (%1)', reason.message)
      };
    }
    throw reason;
  }
  return text === null ? null : parseStoreFile(kind, text, trans);
}
