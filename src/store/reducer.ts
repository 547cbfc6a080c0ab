import type { Runs } from '../tokens';
import { isValidId, StoreFormat } from './format';

/**
 * What the store knows of one run while it records it: the content of its
 * `run.json` and the metric points not written yet.
 */
export type RunState = {
  id: string;
  name: string;
  notebookPath: string;
  status: Runs.RunStatus;
  reason: string;
  startedAt: number;
  endedAt: number | null;
  updatedAt: number;
  session: string | null;
  env: string | null;
  lastSeq: number;
  params: Record<string, StoreFormat.Param>;
  tags: Record<string, string>;
  note: string | null;
  executions: StoreFormat.Execution[];
  inherited: StoreFormat.InheritedExecution[];
  outputs: Record<string, string>;
  files: StoreFormat.FileAccess[];
  metrics: Map<string, StoreFormat.MetricSummary>;
  metricSegments: number;
  snapshots: number;
  /** Points logged since the last write, by metric name and source. */
  pendingSeries: Map<string, MutableSeries>;
  pendingPoints: number;
  /** Snapshot files to write before the next `run.json`. */
  pendingSnapshots: StoreFormat.SnapshotFile[];
  /** Whether `run.json` must be written again. */
  dirty: boolean;
  /** Whether it must be written soon: the run began, ended or crashed. */
  urgent: boolean;
};

/**
 * What the store knows of one kernel process.
 */
export type SessionState = {
  id: string;
  env: string | null;
  startedAt: number;
  lastSeq: number;
  runs: string[];
  dirty: boolean;
};

/**
 * The runs and sessions of one notebook the store has loaded or created.
 */
export type NotebookState = {
  readonly path: string;
  /** The kernel session new runs belong to. */
  currentSession: string | null;
  readonly sessions: Map<string, SessionState>;
  readonly runs: Map<string, RunState>;
};

type MutableSeries = {
  name: string;
  source: string;
  points: StoreFormat.MetricPoint[];
};

/**
 * The outcome of applying one event.
 */
export type Applied =
  | { readonly kind: 'applied'; readonly urgent: boolean }
  | { readonly kind: 'duplicate' }
  | { readonly kind: 'refused'; readonly reason: string };

/**
 * A new, empty notebook state.
 */
export function createNotebookState(path: string): NotebookState {
  return {
    path,
    currentSession: null,
    sessions: new Map(),
    runs: new Map()
  };
}

/**
 * Kernel event times are epoch seconds; the store keeps epoch milliseconds.
 */
export function toMillis(seconds: number): number {
  return Math.round(seconds * 1000);
}

/**
 * The run state of a stored `run.json`.
 */
export function runStateFromFile(file: StoreFormat.RunFile): RunState {
  return {
    id: file.id,
    name: file.name,
    notebookPath: file.notebookPath,
    status: file.status,
    reason: file.reason,
    startedAt: file.startedAt,
    endedAt: file.endedAt,
    updatedAt: file.updatedAt,
    session: file.session,
    env: file.env,
    lastSeq: file.lastSeq,
    params: { ...file.params },
    tags: { ...file.tags },
    note: file.note,
    executions: [...file.executions],
    inherited: [...file.inherited],
    outputs: { ...file.outputs },
    files: [...file.files],
    metrics: new Map(Object.entries(file.metrics)),
    metricSegments: file.metricSegments,
    snapshots: file.snapshots,
    pendingSeries: new Map(),
    pendingPoints: 0,
    pendingSnapshots: [],
    dirty: false,
    urgent: false
  };
}

/**
 * The session state of a stored session file.
 */
export function sessionStateFromFile(
  file: StoreFormat.SessionFile
): SessionState {
  return {
    id: file.session,
    env: file.env,
    startedAt: file.startedAt,
    lastSeq: file.lastSeq,
    runs: [...file.runs],
    dirty: false
  };
}

/**
 * Apply one kernel event to a notebook's state.
 *
 * Idempotent: an event whose `seq` the run (or session) already holds is a
 * duplicate and changes nothing, so replays after a reconnect never
 * duplicate anything. The runs and sessions the event names must have been
 * loaded first; `blobs` gives the digest of the event's source or
 * environment, computed beforehand.
 */
export function applyEvent(
  state: NotebookState,
  event: Runs.KernelEvent,
  blobs: ReadonlyMap<Runs.KernelEvent, string>
): Applied {
  if (!Number.isInteger(event.seq) || event.seq < 1) {
    return refused('has no valid "seq"');
  }
  if (typeof event.time !== 'number' || !Number.isFinite(event.time)) {
    return refused('has no valid "time"');
  }
  if (event.kind === 'session') {
    return applySession(state, event, blobs.get(event) ?? null);
  }
  if (!isValidId(event.run)) {
    return refused(`names an invalid run id ${JSON.stringify(event.run)}`);
  }
  if (event.kind === 'run_start') {
    return applyRunStart(state, event);
  }
  const run = state.runs.get(event.run);
  if (!run) {
    return refused(`names run "${event.run}", which has not started`);
  }
  if (event.seq <= run.lastSeq) {
    return { kind: 'duplicate' };
  }
  const problem = applyToRun(run, event, blobs.get(event) ?? null);
  if (problem !== null) {
    return refused(problem);
  }
  run.lastSeq = event.seq;
  run.updatedAt = toMillis(event.time);
  run.dirty = true;
  noteSessionSeq(state, run.session, event.seq);
  return { kind: 'applied', urgent: event.kind === 'run_end' };
}

/**
 * The digest a `session` or `execution` event needs computed before it is
 * applied: the text it holds, or null.
 */
export function blobContentOf(
  event: Runs.KernelEvent
):
  | { kind: 'env'; data: Record<string, unknown> }
  | { kind: 'blob'; data: string }
  | null {
  if (
    event.kind === 'session' &&
    typeof event.env === 'object' &&
    event.env !== null &&
    !Array.isArray(event.env)
  ) {
    return { kind: 'env', data: event.env as Record<string, unknown> };
  }
  if (event.kind === 'execution' && typeof event.source === 'string') {
    return { kind: 'blob', data: event.source };
  }
  return null;
}

/**
 * Record the outputs blob of an execution.
 */
export function applyOutputs(
  run: RunState,
  exec: number,
  digest: string,
  now: number
): void {
  if (run.outputs[exec] === digest) {
    return;
  }
  run.outputs[exec] = digest;
  run.updatedAt = now;
  run.dirty = true;
}

/**
 * End a running run the kernel did not end itself. Returns whether anything
 * changed: a run that already ended keeps its status.
 */
export function applyEnd(
  run: RunState,
  status: 'finished' | 'crashed',
  now: number
): boolean {
  if (run.status !== 'running') {
    return false;
  }
  run.status = status;
  run.endedAt = now;
  run.updatedAt = now;
  run.dirty = true;
  run.urgent = true;
  return true;
}

/**
 * Queue a snapshot file to be written with the run's next write.
 */
export function applySnapshot(
  run: RunState,
  snapshot: Omit<StoreFormat.SnapshotFile, 'snapshot'>,
  now: number
): void {
  run.pendingSnapshots.push({ ...snapshot, snapshot: run.snapshots });
  run.snapshots += 1;
  run.updatedAt = now;
  run.dirty = true;
  run.urgent = true;
}

/**
 * Take the metric points logged since the last write, as one segment's
 * series, and count the segment.
 */
export function takeMetricSegment(
  run: RunState
): StoreFormat.MetricSegmentFile | null {
  if (run.pendingPoints === 0) {
    return null;
  }
  const segment: StoreFormat.MetricSegmentFile = {
    format: 'jupyterlab-runs/metrics',
    version: StoreFormat.VERSION,
    run: run.id,
    segment: run.metricSegments,
    series: [...run.pendingSeries.values()]
  };
  run.metricSegments += 1;
  run.pendingSeries = new Map();
  run.pendingPoints = 0;
  return segment;
}

/**
 * The `run.json` content of a run.
 */
export function toRunFile(run: RunState): StoreFormat.RunFile {
  return {
    format: 'jupyterlab-runs/run',
    version: StoreFormat.VERSION,
    id: run.id,
    name: run.name,
    notebookPath: run.notebookPath,
    status: run.status,
    reason: run.reason,
    startedAt: run.startedAt,
    endedAt: run.endedAt,
    updatedAt: run.updatedAt,
    session: run.session,
    env: run.env,
    lastSeq: run.lastSeq,
    params: run.params,
    tags: run.tags,
    note: run.note,
    executions: run.executions,
    inherited: run.inherited,
    outputs: run.outputs,
    files: run.files,
    metrics: mapToObject(run.metrics),
    metricSegments: run.metricSegments,
    snapshots: run.snapshots
  };
}

/**
 * The index row of a run.
 */
export function toIndexRow(run: RunState): StoreFormat.IndexRow {
  const metrics: Record<string, number | null> = {};
  for (const [name, summary] of run.metrics) {
    metrics[name] = typeof summary.last === 'number' ? summary.last : null;
  }
  const params: Record<string, Runs.Scalar> = {};
  for (const [name, param] of Object.entries(run.params)) {
    params[name] = param.value;
  }
  return {
    id: run.id,
    name: run.name,
    status: run.status,
    startedAt: run.startedAt,
    endedAt: run.endedAt,
    params,
    metrics,
    tags: run.tags,
    session: run.session,
    updatedAt: run.updatedAt
  };
}

/**
 * The session file content of a session.
 */
export function toSessionFile(
  notebookPath: string,
  session: SessionState
): StoreFormat.SessionFile {
  return {
    format: 'jupyterlab-runs/session',
    version: StoreFormat.VERSION,
    notebookPath,
    session: session.id,
    env: session.env,
    startedAt: session.startedAt,
    lastSeq: session.lastSeq,
    runs: session.runs
  };
}

function refused(reason: string): Applied {
  return { kind: 'refused', reason };
}

function noteSessionSeq(
  state: NotebookState,
  session: string | null,
  seq: number
): void {
  const known = session === null ? undefined : state.sessions.get(session);
  if (known && seq > known.lastSeq) {
    known.lastSeq = seq;
    known.dirty = true;
  }
}

function applySession(
  state: NotebookState,
  event: Runs.KernelEvent,
  env: string | null
): Applied {
  if (!isValidId(event.session)) {
    return refused(
      `names an invalid session id ${JSON.stringify(event.session)}`
    );
  }
  state.currentSession = event.session;
  const known = state.sessions.get(event.session);
  if (known && event.seq <= known.lastSeq) {
    return { kind: 'duplicate' };
  }
  const session: SessionState = known ?? {
    id: event.session,
    env: null,
    startedAt: toMillis(event.time),
    lastSeq: 0,
    runs: [],
    dirty: true
  };
  session.env = env ?? session.env;
  session.lastSeq = event.seq;
  session.dirty = true;
  state.sessions.set(session.id, session);
  return { kind: 'applied', urgent: false };
}

function applyRunStart(state: NotebookState, event: Runs.KernelEvent): Applied {
  const id = event.run as string;
  if (state.runs.has(id)) {
    return { kind: 'duplicate' };
  }
  const time = toMillis(event.time);
  const sessionId = state.currentSession;
  const session =
    sessionId === null ? undefined : state.sessions.get(sessionId);
  const run: RunState = {
    id,
    name: typeof event.name === 'string' && event.name ? event.name : id,
    notebookPath: state.path,
    status: 'running',
    reason: typeof event.reason === 'string' ? event.reason : 'unknown',
    startedAt: time,
    endedAt: null,
    updatedAt: time,
    session: sessionId,
    env: session?.env ?? null,
    lastSeq: event.seq,
    params: {},
    tags: {},
    note: null,
    executions: [],
    inherited: [],
    outputs: {},
    files: [],
    metrics: new Map(),
    metricSegments: 0,
    snapshots: 0,
    pendingSeries: new Map(),
    pendingPoints: 0,
    pendingSnapshots: [],
    dirty: true,
    urgent: true
  };
  for (const param of Array.isArray(event.params) ? event.params : []) {
    const read = readParam(param, time);
    if (read) {
      run.params[read.name] = read.param;
    }
  }
  const inherited = Array.isArray(event.inherited) ? event.inherited : [];
  run.inherited = inheritedRanges(
    state,
    session,
    inherited.filter((exec): exec is number => Number.isInteger(exec))
  );
  state.runs.set(id, run);
  if (session && !session.runs.includes(id)) {
    session.runs.push(id);
  }
  noteSessionSeq(state, sessionId, event.seq);
  return { kind: 'applied', urgent: true };
}

/**
 * The inherited executions as ranges of consecutive executions recorded in
 * the same earlier run of the session.
 */
function inheritedRanges(
  state: NotebookState,
  session: SessionState | undefined,
  execs: readonly number[]
): StoreFormat.InheritedExecution[] {
  const recordedIn = new Map<number, string>();
  for (const runId of session?.runs ?? []) {
    for (const execution of state.runs.get(runId)?.executions ?? []) {
      recordedIn.set(execution.exec, runId);
    }
  }
  const ranges: { run: string | null; from: number; to: number }[] = [];
  for (const exec of execs) {
    const run = recordedIn.get(exec) ?? null;
    const last = ranges[ranges.length - 1];
    if (last && last.run === run && last.to + 1 === exec) {
      last.to = exec;
    } else {
      ranges.push({ run, from: exec, to: exec });
    }
  }
  return ranges;
}

/**
 * Apply a run event other than `run_start`; returns the problem with the
 * event, or null.
 */
function applyToRun(
  run: RunState,
  event: Runs.KernelEvent,
  blob: string | null
): string | null {
  const time = toMillis(event.time);
  switch (event.kind) {
    case 'execution':
      return applyExecution(run, event, blob);
    case 'param': {
      const read = readParam(event, time);
      if (!read) {
        return 'is a "param" event without a valid name and value';
      }
      run.params[read.name] = read.param;
      return null;
    }
    case 'metric':
      return applyMetric(run, event);
    case 'tag':
      if (typeof event.key !== 'string' || typeof event.value !== 'string') {
        return 'is a "tag" event without a text key and value';
      }
      run.tags[event.key] = event.value;
      return null;
    case 'note':
      if (typeof event.text !== 'string') {
        return 'is a "note" event without text';
      }
      run.note = event.text;
      return null;
    case 'file':
      return applyFile(run, event);
    case 'run_end': {
      const status = event.status;
      if (
        status !== 'finished' &&
        status !== 'failed' &&
        status !== 'interrupted'
      ) {
        return `ends with an unknown status ${JSON.stringify(status)}`;
      }
      run.status = status;
      run.endedAt = time;
      run.urgent = true;
      return null;
    }
    default:
      // A kind added to the contract later: keep the seq, store nothing.
      return null;
  }
}

function applyExecution(
  run: RunState,
  event: Runs.KernelEvent,
  blob: string | null
): string | null {
  const { exec, outcome } = event;
  if (!Number.isInteger(exec) || blob === null) {
    return 'is an "execution" event without "exec" or "source"';
  }
  if (outcome !== 'ok' && outcome !== 'error' && outcome !== 'interrupted') {
    return `has an unknown outcome ${JSON.stringify(outcome)}`;
  }
  if (run.executions.some(item => item.exec === exec)) {
    return null;
  }
  run.executions.push({
    exec: exec as number,
    cellId: typeof event.cell_id === 'string' ? event.cell_id : null,
    executionCount: Number.isInteger(event.execution_count)
      ? (event.execution_count as number)
      : null,
    sourceBlob: blob,
    startedAt: toMillis(numberOr(event.started, event.time)),
    endedAt: toMillis(numberOr(event.ended, event.time)),
    outcome,
    error: readError(event.error)
  });
  return null;
}

function applyMetric(run: RunState, event: Runs.KernelEvent): string | null {
  const { name, points } = event;
  if (typeof name !== 'string' || !Array.isArray(points)) {
    return 'is a "metric" event without a name and points';
  }
  const source = typeof event.source === 'string' ? event.source : 'explicit';
  const key = `${source}\n${name}`;
  let series = run.pendingSeries.get(key);
  if (!series) {
    series = { name, source, points: [] };
    run.pendingSeries.set(key, series);
  }
  let summary = run.metrics.get(name);
  for (const raw of points) {
    const point = readPoint(raw);
    if (!point) {
      continue;
    }
    series.points.push(point);
    run.pendingPoints += 1;
    summary = summarize(summary, source, point);
  }
  if (summary) {
    run.metrics.set(name, summary);
  }
  return null;
}

function applyFile(run: RunState, event: Runs.KernelEvent): string | null {
  const { path, mode, size, mtime, sha256 } = event;
  if (
    typeof path !== 'string' ||
    (mode !== 'read' && mode !== 'write') ||
    !Number.isInteger(size)
  ) {
    return 'is a "file" event without path, mode and size';
  }
  run.files.push({
    path,
    mode,
    size: size as number,
    mtime: toMillis(numberOr(mtime, 0)),
    sha256:
      typeof sha256 === 'string' && /^[0-9a-f]{64}$/.test(sha256)
        ? sha256
        : null,
    exec: Number.isInteger(event.exec) ? (event.exec as number) : null,
    artifact: event.artifact === true
  });
  return null;
}

function readParam(
  raw: unknown,
  time: number
): { name: string; param: StoreFormat.Param } | null {
  if (typeof raw !== 'object' || raw === null) {
    return null;
  }
  const { name, value, source, detail, exec } = raw as Record<string, unknown>;
  const scalar =
    value === null ||
    typeof value === 'string' ||
    typeof value === 'boolean' ||
    (typeof value === 'number' && Number.isFinite(value));
  if (typeof name !== 'string' || !scalar) {
    return null;
  }
  return {
    name,
    param: {
      value: value as Runs.Scalar,
      source: typeof source === 'string' ? source : 'explicit',
      detail: typeof detail === 'string' ? detail : null,
      exec: Number.isInteger(exec) ? (exec as number) : null,
      time
    }
  };
}

function readError(raw: unknown): StoreFormat.ExecutionError | null {
  if (typeof raw !== 'object' || raw === null) {
    return null;
  }
  const { name, value, traceback } = raw as Record<string, unknown>;
  return {
    name: typeof name === 'string' ? name : '',
    value: typeof value === 'string' ? value : '',
    traceback: Array.isArray(traceback)
      ? traceback.filter((line): line is string => typeof line === 'string')
      : []
  };
}

function readPoint(raw: unknown): StoreFormat.MetricPoint | null {
  if (!Array.isArray(raw)) {
    return null;
  }
  const [value, step, time, exec] = raw;
  const valid =
    (typeof value === 'number' && Number.isFinite(value)) ||
    value === 'NaN' ||
    value === 'Infinity' ||
    value === '-Infinity';
  if (!valid || typeof time !== 'number' || !Number.isFinite(time)) {
    return null;
  }
  return [
    value,
    typeof step === 'number' && Number.isFinite(step) ? step : null,
    toMillis(time),
    Number.isInteger(exec) ? exec : null
  ];
}

function summarize(
  summary: StoreFormat.MetricSummary | undefined,
  source: string,
  [value, step]: StoreFormat.MetricPoint
): StoreFormat.MetricSummary {
  const finite = typeof value === 'number' ? value : null;
  const min = summary?.min ?? null;
  const max = summary?.max ?? null;
  return {
    source: summary?.source ?? source,
    count: (summary?.count ?? 0) + 1,
    last: value,
    lastStep: step,
    min: finite === null ? min : min === null ? finite : Math.min(min, finite),
    max: finite === null ? max : max === null ? finite : Math.max(max, finite)
  };
}

function mapToObject<T>(map: ReadonlyMap<string, T>): Record<string, T> {
  const object: Record<string, T> = {};
  map.forEach((value, key) => (object[key] = value));
  return object;
}

function numberOr(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}
