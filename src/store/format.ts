import type { TranslationBundle } from '@jupyterlab/translation';

import type { Runs } from '../tokens';

/**
 * Types of the store files, format version 1, and the hand-written checks
 * that read them. docs/FORMAT.md describes the same files for people;
 * docs/format/*.schema.json for other tools.
 */
export namespace StoreFormat {
  /**
   * The only format version this code reads and writes.
   */
  export const VERSION = 1;

  /**
   * The kinds of files in a store. Each file names its kind in `format` as
   * `jupyterlab-runs/<kind>`.
   */
  export type Kind =
    | 'store'
    | 'index'
    | 'index-segment'
    | 'session'
    | 'run'
    | 'metrics'
    | 'snapshot'
    | 'blob'
    | 'env';

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
  };

  /**
   * One run in a notebook's index: what the run list shows.
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
  };

  /**
   * A sealed index segment, as listed by the index head.
   */
  export type IndexSegmentRef = {
    /** Its number `n`: the file is `index/<n>.json`. */
    readonly segment: number;
    readonly count: number;
  };

  /**
   * `notebooks/<key>/index.json`: the head of a notebook's run list.
   */
  export type IndexFile = Header<'index'> & {
    readonly notebookPath: string;
    readonly updatedAt: number;
    /** Older rows, moved out of the head; written once each. */
    readonly segments: readonly IndexSegmentRef[];
    /** The newest rows, newest first. */
    readonly runs: readonly IndexRow[];
  };

  /**
   * `notebooks/<key>/index/<n>.json`: older rows of a notebook's run list.
   */
  export type IndexSegmentFile = Header<'index-segment'> & {
    readonly notebookPath: string;
    readonly segment: number;
    readonly runs: readonly IndexRow[];
  };

  /**
   * `notebooks/<key>/sessions/<session>.json`: one kernel process.
   */
  export type SessionFile = Header<'session'> & {
    readonly notebookPath: string;
    readonly session: string;
    /** The environment blob (`envs/`), or null if the kernel sent none. */
    readonly env: string | null;
    readonly startedAt: number;
    /** The highest kernel event `seq` of this session that is stored. */
    readonly lastSeq: number;
    /** The runs of the session, oldest first. */
    readonly runs: readonly string[];
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
    readonly time: number;
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
   * One cell execution of a run. Its source is a blob.
   */
  export type Execution = {
    readonly exec: number;
    readonly cellId: string | null;
    readonly executionCount: number | null;
    readonly sourceBlob: string;
    readonly startedAt: number;
    readonly endedAt: number;
    readonly outcome: 'ok' | 'error' | 'interrupted';
    readonly error: ExecutionError | null;
  };

  /**
   * Executions `from`…`to` of the kernel session, recorded in an earlier run
   * (`run`, or null when the store does not know it), that built this run's
   * state. Ranges refer to the records instead of copying them, so a long
   * session does not make every new run larger.
   */
  export type InheritedExecution = {
    readonly run: string | null;
    readonly from: number;
    readonly to: number;
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
   * A metric value: a number, or one of the three non-finite spellings.
   */
  export type MetricValue = number | 'NaN' | 'Infinity' | '-Infinity';

  /**
   * What `run.json` keeps of a metric; its points are in the segments.
   */
  export type MetricSummary = {
    readonly source: string;
    readonly count: number;
    readonly last: MetricValue;
    readonly lastStep: number | null;
    /** Over the finite values; null while there are none. */
    readonly min: number | null;
    readonly max: number | null;
  };

  /**
   * `notebooks/<key>/runs/<id>/run.json`: one run.
   */
  export type RunFile = Header<'run'> & {
    readonly id: string;
    readonly name: string;
    readonly notebookPath: string;
    readonly status: Runs.RunStatus;
    readonly reason: string;
    readonly startedAt: number;
    readonly endedAt: number | null;
    readonly updatedAt: number;
    readonly session: string | null;
    readonly env: string | null;
    /** The highest kernel event `seq` of `session` applied to this run. */
    readonly lastSeq: number;
    readonly params: Readonly<Record<string, Param>>;
    readonly tags: Readonly<Record<string, string>>;
    readonly note: string | null;
    readonly executions: readonly Execution[];
    readonly inherited: readonly InheritedExecution[];
    /** The outputs blob of each execution, by `exec`. */
    readonly outputs: Readonly<Record<string, string>>;
    readonly files: readonly FileAccess[];
    readonly metrics: Readonly<Record<string, MetricSummary>>;
    /** Segments `metrics/0.json` … `metrics/<n-1>.json` hold the points. */
    readonly metricSegments: number;
    /** Files `snapshots/0.json` … `snapshots/<n-1>.json`. */
    readonly snapshots: number;
  };

  /**
   * A metric point: value, step, time (epoch milliseconds), execution.
   */
  export type MetricPoint = readonly [
    MetricValue,
    number | null,
    number,
    number | null
  ];

  /**
   * The points of one metric in one segment.
   */
  export type MetricSeries = {
    readonly name: string;
    readonly source: string;
    readonly points: readonly MetricPoint[];
  };

  /**
   * `notebooks/<key>/runs/<id>/metrics/<n>.json`: points logged between two
   * writes of the run; written once.
   */
  export type MetricSegmentFile = Header<'metrics'> & {
    readonly run: string;
    readonly segment: number;
    readonly series: readonly MetricSeries[];
  };

  /**
   * A cell of a notebook snapshot; source and outputs are blobs.
   */
  export type SnapshotCell = {
    readonly id: string | null;
    readonly cellType: string;
    readonly metadata: Readonly<Record<string, unknown>>;
    readonly sourceBlob: string;
    readonly outputsBlob: string | null;
    readonly executionCount: number | null;
    readonly attachments: Readonly<Record<string, unknown>> | null;
  };

  /**
   * `notebooks/<key>/runs/<id>/snapshots/<n>.json`: the notebook as it stood.
   */
  export type SnapshotFile = Header<'snapshot'> & {
    readonly run: string;
    readonly snapshot: number;
    readonly time: number;
    readonly nbformat: number;
    readonly nbformatMinor: number;
    readonly metadata: Readonly<Record<string, unknown>>;
    readonly cells: readonly SnapshotCell[];
  };

  /**
   * `blobs/<aa>/<sha256>.json`: a cell source (text) or a list of outputs,
   * named by the SHA-256 of the file's own bytes.
   */
  export type BlobFile = Header<'blob'> & {
    readonly data: unknown;
  };

  /**
   * `envs/<aa>/<sha256>.json`: a kernel environment, named like a blob.
   */
  export type EnvFile = Header<'env'> & {
    readonly env: Readonly<Record<string, unknown>>;
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
 * The 64 lowercase hex digits of a SHA-256 digest, which name blobs.
 */
const DIGEST_PATTERN = /^[0-9a-f]{64}$/;

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
 * Whether a value is a SHA-256 hex digest, as blob references are.
 */
export function isDigest(value: unknown): value is string {
  return typeof value === 'string' && DIGEST_PATTERN.test(value);
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
  try {
    const value = READERS[kind](
      new FieldReader(data as Record<string, unknown>, '', trans)
    ) as ReturnType<Readers[K]>;
    return { ok: true, value };
  } catch (reason) {
    if (reason instanceof FormatProblem) {
      return { ok: false, problem: reason.message };
    }
    throw reason;
  }
}

/**
 * Check one index row on its own, so that a bad row does not hide the others.
 */
export function checkIndexRow(
  data: unknown,
  where: string,
  trans: TranslationBundle
): StoreFormat.Parsed<StoreFormat.IndexRow> {
  try {
    return {
      ok: true,
      value: readIndexRow(new FieldReader(data, where, trans))
    };
  } catch (reason) {
    if (reason instanceof FormatProblem) {
      return { ok: false, problem: reason.message };
    }
    throw reason;
  }
}

/**
 * The problem with a file's `format` and `version`, or null when they name
 * the expected kind in version 1.
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
      JSON.stringify(format) ?? trans.__('missing')
    );
  }
  if (typeof version !== 'number' || !Number.isInteger(version)) {
    return trans.__('has no valid "version" number');
  }
  if (version !== StoreFormat.VERSION) {
    return version > StoreFormat.VERSION
      ? trans.__(
          'uses format version %1, which this version of jupyterlab-runs cannot read (it reads version %2); update jupyterlab-runs to read it',
          version,
          StoreFormat.VERSION
        )
      : trans.__('uses unknown format version %1', version);
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

  digest(): string {
    if (!isDigest(this.value)) {
      this.fail(this.trans.__('a SHA-256 digest in 64 lowercase hex digits'));
    }
    return this.value as string;
  }

  metricValue(): StoreFormat.MetricValue {
    const value = this.value;
    if (
      (typeof value === 'number' && Number.isFinite(value)) ||
      value === 'NaN' ||
      value === 'Infinity' ||
      value === '-Infinity'
    ) {
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
        : (JSON.stringify(this.value)?.slice(0, 60) ?? String(this.value));
    throw new FormatProblem(
      this.where
        ? this.trans.__('"%1" must be %2; got %3', this.where, expected, got)
        : this.trans.__('must be %1; got %2', expected, got)
    );
  }
}

const STATUSES: readonly Runs.RunStatus[] = [
  'running',
  'finished',
  'failed',
  'interrupted',
  'crashed'
];

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
    updatedAt: reader.field('updatedAt').number()
  };
}

function readExecution(reader: FieldReader): StoreFormat.Execution {
  return {
    exec: reader.field('exec').count(),
    cellId: reader.field('cellId').nullable(r => r.string()),
    executionCount: reader.field('executionCount').nullable(r => r.count()),
    sourceBlob: reader.field('sourceBlob').digest(),
    startedAt: reader.field('startedAt').number(),
    endedAt: reader.field('endedAt').number(),
    outcome: reader.field('outcome').oneOf(['ok', 'error', 'interrupted']),
    error: reader.field('error').nullable(error => ({
      name: error.field('name').string(),
      value: error.field('value').string(),
      traceback: error
        .field('traceback')
        .array()
        .map(line => line.string())
    }))
  };
}

function readMetricPoint(reader: FieldReader): StoreFormat.MetricPoint {
  const fields = reader.array();
  if (fields.length !== 4) {
    reader.fail(reader.trans.__('a list [value, step, time, exec]'));
  }
  return [
    fields[0].metricValue(),
    fields[1].nullable(r => r.number()),
    fields[2].number(),
    fields[3].nullable(r => r.count())
  ];
}

/**
 * One reader per file kind; each reads a file whose header was checked.
 */
const READERS = {
  store: (file: FieldReader): StoreFormat.StoreFile => ({
    format: 'jupyterlab-runs/store',
    version: StoreFormat.VERSION,
    createdAt: file.field('createdAt').number()
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
    // Rows are checked one by one by whoever lists them.
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
  session: (file: FieldReader): StoreFormat.SessionFile => ({
    format: 'jupyterlab-runs/session',
    version: StoreFormat.VERSION,
    notebookPath: file.field('notebookPath').string(),
    session: file.field('session').id(),
    env: file.field('env').nullable(r => r.digest()),
    startedAt: file.field('startedAt').number(),
    lastSeq: file.field('lastSeq').count(),
    runs: file
      .field('runs')
      .array()
      .map(r => r.id())
  }),
  run: (file: FieldReader): StoreFormat.RunFile => ({
    format: 'jupyterlab-runs/run',
    version: StoreFormat.VERSION,
    id: file.field('id').id(),
    name: file.field('name').string(),
    notebookPath: file.field('notebookPath').string(),
    status: file.field('status').oneOf(STATUSES),
    reason: file.field('reason').string(),
    startedAt: file.field('startedAt').number(),
    endedAt: file.field('endedAt').nullable(r => r.number()),
    updatedAt: file.field('updatedAt').number(),
    session: file.field('session').nullable(r => r.id()),
    env: file.field('env').nullable(r => r.digest()),
    lastSeq: file.field('lastSeq').count(),
    params: readMap(file.field('params'), param => ({
      value: param.field('value').scalar(),
      source: param.field('source').string(),
      detail: param.field('detail').nullable(r => r.string()),
      exec: param.field('exec').nullable(r => r.count()),
      time: param.field('time').number()
    })),
    tags: readMap(file.field('tags'), r => r.string()),
    note: file.field('note').nullable(r => r.string()),
    executions: file.field('executions').array().map(readExecution),
    inherited: file
      .field('inherited')
      .array()
      .map(item => ({
        run: item.field('run').nullable(r => r.id()),
        from: item.field('from').count(),
        to: item.field('to').count()
      })),
    outputs: readMap(file.field('outputs'), r => r.digest()),
    files: file
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
      })),
    metrics: readMap(file.field('metrics'), metric => ({
      source: metric.field('source').string(),
      count: metric.field('count').count(),
      last: metric.field('last').metricValue(),
      lastStep: metric.field('lastStep').nullable(r => r.number()),
      min: metric.field('min').nullable(r => r.number()),
      max: metric.field('max').nullable(r => r.number())
    })),
    metricSegments: file.field('metricSegments').count(),
    snapshots: file.field('snapshots').count()
  }),
  metrics: (file: FieldReader): StoreFormat.MetricSegmentFile => ({
    format: 'jupyterlab-runs/metrics',
    version: StoreFormat.VERSION,
    run: file.field('run').id(),
    segment: file.field('segment').count(),
    series: file
      .field('series')
      .array()
      .map(series => ({
        name: series.field('name').string(),
        source: series.field('source').string(),
        points: series.field('points').array().map(readMetricPoint)
      }))
  }),
  snapshot: (file: FieldReader): StoreFormat.SnapshotFile => ({
    format: 'jupyterlab-runs/snapshot',
    version: StoreFormat.VERSION,
    run: file.field('run').id(),
    snapshot: file.field('snapshot').count(),
    time: file.field('time').number(),
    nbformat: file.field('nbformat').count(),
    nbformatMinor: file.field('nbformatMinor').count(),
    metadata: file.field('metadata').object(),
    cells: file
      .field('cells')
      .array()
      .map(cell => ({
        id: cell.field('id').nullable(r => r.string()),
        cellType: cell.field('cellType').string(),
        metadata: cell.field('metadata').object(),
        sourceBlob: cell.field('sourceBlob').digest(),
        outputsBlob: cell.field('outputsBlob').nullable(r => r.digest()),
        executionCount: cell.field('executionCount').nullable(r => r.count()),
        attachments: cell.field('attachments').nullable(r => r.object())
      }))
  }),
  blob: (file: FieldReader): StoreFormat.BlobFile => {
    const data = file.field('data');
    if (data.value === undefined) {
      data.fail(file.trans.__('present'));
    }
    return {
      format: 'jupyterlab-runs/blob',
      version: StoreFormat.VERSION,
      data: data.value
    };
  },
  env: (file: FieldReader): StoreFormat.EnvFile => ({
    format: 'jupyterlab-runs/env',
    version: StoreFormat.VERSION,
    env: file.field('env').object()
  })
};

/**
 * The readers by kind, for typing `parseStoreFile`.
 */
type Readers = typeof READERS;
