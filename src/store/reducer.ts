import type { Runs } from '../tokens';
import type { BlobAddress } from './codec';
import type { StoreFormat } from './format';
import { isValidId } from './format';
import type { BlockState, PackBuilder } from './pack';
import { summaryOfRow } from './rows';

/**
 * What the store knows of one run while it records it: its index row, and
 * what it needs to add to the run's block in the open pack.
 */
export type RunState = {
  id: string;
  name: string;
  notebookPath: string;
  status: Runs.RunStatus;
  startedAt: number;
  endedAt: number | null;
  updatedAt: number;
  session: string | null;
  seq: number;
  /** The value in force of each parameter. */
  params: Record<string, Runs.Scalar>;
  /** The last value of each metric, null when it is not finite. */
  metrics: Record<string, number | null>;
  tags: Record<string, string>;
  /** The packs holding blocks of the run. */
  packs: Set<string>;
  /** The execution count of each execution this page recorded. */
  counts: Map<number, number | null>;
  /** Points added since the last write. */
  pendingPoints: number;
  /** Whether the run's block and row must be written again. */
  dirty: boolean;
  /** Whether it must be written soon: the run began, ended or crashed. */
  urgent: boolean;
};

/**
 * What the store knows of one kernel process.
 */
export type SessionState = {
  id: string;
  /** The highest kernel event `seq` of the session applied. */
  seq: number;
  env: BlobAddress | null;
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

/**
 * The outcome of applying one event.
 */
export type Applied =
  | {
      readonly kind: 'applied';
      readonly urgent: boolean;
      /** What of the event was left out, when some of it was. */
      readonly warning?: string;
    }
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
 * The run state of a stored index row.
 */
export function runStateFromRow(
  row: StoreFormat.IndexRow,
  notebookPath: string
): RunState {
  const { id, name, status, startedAt, endedAt } = summaryOfRow(
    row,
    notebookPath
  );
  return {
    id,
    name,
    notebookPath,
    status,
    startedAt,
    endedAt,
    updatedAt: row.updatedAt,
    session: row.session,
    seq: row.seq,
    // Copies: the state changes with each event; the row stays as read.
    params: { ...row.params },
    metrics: { ...row.metrics },
    tags: { ...row.tags },
    packs: new Set(row.packs),
    counts: new Map(),
    pendingPoints: 0,
    dirty: false,
    urgent: false
  };
}

/**
 * The session state of a stored session entry.
 */
export function sessionStateFromEntry(
  entry: StoreFormat.SessionEntry,
  resolve: (ref: string) => BlobAddress
): SessionState {
  return {
    id: entry.id,
    seq: entry.seq,
    env: entry.env === null ? null : resolve(entry.env),
    dirty: false
  };
}

/**
 * The blob addresses an event needs, stored before it is applied.
 */
export type EventBlobs = {
  /** The environment of a `session` event. */
  readonly env?: BlobAddress | null;
  /** The source of an `execution` event. */
  readonly source?: BlobAddress;
};

/**
 * Apply one kernel event to a notebook's state, recording what it adds in
 * the open pack.
 *
 * Idempotent: an event whose `seq` the run (or session) already holds is a
 * duplicate and changes nothing, so replays after a reconnect never
 * duplicate anything. The runs and sessions the event names must have been
 * loaded first.
 */
export function applyEvent(
  state: NotebookState,
  pack: PackBuilder,
  event: Runs.KernelEvent,
  blobs: EventBlobs
): Applied {
  if (!Number.isInteger(event.seq) || event.seq < 1) {
    return refused('has no valid "seq"');
  }
  if (
    typeof event.time !== 'number' ||
    !Number.isFinite(toMillis(event.time))
  ) {
    return refused('has no valid "time"');
  }
  if (event.kind === 'session') {
    return applySession(state, pack, event, blobs.env ?? null);
  }
  if (!isValidId(event.run)) {
    return refused(`names an invalid run id ${JSON.stringify(event.run)}`);
  }
  if (event.kind === 'run_start') {
    return applyRunStart(state, pack, event);
  }
  const run = state.runs.get(event.run);
  if (!run) {
    return refused(`names run "${event.run}", which has not started`);
  }
  if (event.seq <= run.seq) {
    return { kind: 'duplicate' };
  }
  let warning: string | undefined;
  const problem = applyToRun(run, pack, event, blobs.source ?? null, left => {
    warning = left;
  });
  if (problem !== null) {
    return refused(problem);
  }
  run.seq = event.seq;
  run.updatedAt = toMillis(event.time);
  run.dirty = true;
  noteSessionSeq(state, run.session, event.seq);
  return {
    kind: 'applied',
    urgent: event.kind === 'run_end',
    ...(warning === undefined ? {} : { warning })
  };
}

/**
 * What a `session` or `execution` event holds that is stored as a blob
 * before the event is applied, or null.
 */
export function blobContentOf(
  event: Runs.KernelEvent
):
  | { kind: 'env'; data: Record<string, unknown> }
  | { kind: 'source'; data: string }
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
    return { kind: 'source', data: event.source };
  }
  return null;
}

/**
 * The block of a run in the open pack, which now holds the run.
 */
export function blockOf(run: RunState, pack: PackBuilder): BlockState {
  run.packs.add(pack.name);
  return pack.block(run.id);
}

/**
 * Record the outputs blob of an execution.
 */
export function applyOutputs(
  run: RunState,
  pack: PackBuilder,
  exec: number,
  blob: BlobAddress,
  now: number
): void {
  const block = blockOf(run, pack);
  block.outputs.push({ exec, blob });
  run.updatedAt = now;
  run.dirty = true;
}

/**
 * End a running run the kernel did not end itself. Returns whether anything
 * changed: a run that already ended keeps its status.
 */
export function applyEnd(
  run: RunState,
  pack: PackBuilder,
  status: 'finished' | 'crashed',
  now: number
): boolean {
  if (run.status !== 'running') {
    return false;
  }
  blockOf(run, pack);
  run.status = status;
  run.endedAt = now;
  run.updatedAt = now;
  run.dirty = true;
  run.urgent = true;
  return true;
}

/**
 * Note that a snapshot of a run was added to the open pack.
 */
export function applySnapshot(
  run: RunState,
  pack: PackBuilder,
  now: number
): void {
  blockOf(run, pack);
  run.updatedAt = now;
  run.dirty = true;
  run.urgent = true;
}

/**
 * The index row of a run.
 */
export function toIndexRow(run: RunState): StoreFormat.IndexRow {
  return {
    id: run.id,
    name: run.name,
    status: run.status,
    startedAt: run.startedAt,
    endedAt: run.endedAt,
    params: { ...run.params },
    metrics: { ...run.metrics },
    tags: { ...run.tags },
    session: run.session,
    updatedAt: run.updatedAt,
    seq: run.seq,
    packs: [...run.packs]
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
  if (known && seq > known.seq) {
    known.seq = seq;
    known.dirty = true;
  }
}

function applySession(
  state: NotebookState,
  pack: PackBuilder,
  event: Runs.KernelEvent,
  env: BlobAddress | null
): Applied {
  if (!isValidId(event.session)) {
    return refused(
      `names an invalid session id ${JSON.stringify(event.session)}`
    );
  }
  state.currentSession = event.session;
  const known = state.sessions.get(event.session);
  if (known && event.seq <= known.seq) {
    return { kind: 'duplicate' };
  }
  const session: SessionState = known ?? {
    id: event.session,
    seq: 0,
    env: null,
    dirty: true
  };
  session.env = env ?? session.env;
  session.seq = event.seq;
  session.dirty = true;
  state.sessions.set(session.id, session);
  pack.addSession({
    id: session.id,
    startedAt: toMillis(event.time),
    env: session.env,
    seq: event.seq
  });
  return { kind: 'applied', urgent: false };
}

function applyRunStart(
  state: NotebookState,
  pack: PackBuilder,
  event: Runs.KernelEvent
): Applied {
  const id = event.run as string;
  if (state.runs.has(id)) {
    return { kind: 'duplicate' };
  }
  const time = toMillis(event.time);
  // The frontend names the session of each run it hands over: two kernels
  // may record the same notebook at once (a re-run beside the notebook's
  // own), so the last session seen is only a fallback.
  const sessionId = isValidId(event.session)
    ? event.session
    : state.currentSession;
  const session =
    sessionId === null ? undefined : state.sessions.get(sessionId);
  const run: RunState = {
    id,
    name: typeof event.name === 'string' && event.name ? event.name : id,
    notebookPath: state.path,
    status: 'running',
    startedAt: time,
    endedAt: null,
    updatedAt: time,
    session: sessionId,
    seq: event.seq,
    params: {},
    metrics: {},
    tags: {},
    packs: new Set(),
    counts: new Map(),
    pendingPoints: 0,
    dirty: true,
    urgent: true
  };
  const block = blockOf(run, pack);
  block.start = {
    name: run.name,
    reason: typeof event.reason === 'string' ? event.reason : 'unknown',
    session: sessionId,
    env: session?.env ?? null
  };
  for (const param of Array.isArray(event.params) ? event.params : []) {
    const read = readParam(param, time);
    if (read) {
      block.params[read.name] = read.param;
      run.params[read.name] = read.param.value;
    }
  }
  const inherited = Array.isArray(event.inherited) ? event.inherited : [];
  block.inherited.push(
    ...ranges(
      inherited.filter((exec): exec is number => Number.isInteger(exec))
    )
  );
  state.runs.set(id, run);
  noteSessionSeq(state, sessionId, event.seq);
  return { kind: 'applied', urgent: true };
}

/**
 * Execution numbers as ranges of consecutive numbers.
 */
function ranges(execs: readonly number[]): [number, number][] {
  const found: [number, number][] = [];
  for (const exec of execs) {
    const last = found[found.length - 1];
    if (last && last[1] + 1 === exec) {
      last[1] = exec;
    } else {
      found.push([exec, exec]);
    }
  }
  return found;
}

/**
 * Apply a run event other than `run_start`; returns the problem with the
 * event, or null.
 */
function applyToRun(
  run: RunState,
  pack: PackBuilder,
  event: Runs.KernelEvent,
  source: BlobAddress | null,
  leftOut: (warning: string) => void
): string | null {
  const time = toMillis(event.time);
  switch (event.kind) {
    case 'execution':
      return applyExecution(run, pack, event, source);
    case 'param': {
      const read = readParam(event, time);
      if (!read) {
        return 'is a "param" event without a valid name and value';
      }
      blockOf(run, pack).params[read.name] = read.param;
      run.params[read.name] = read.param.value;
      return null;
    }
    case 'metric':
      return applyMetric(run, pack, event, leftOut);
    case 'tag':
      if (typeof event.key !== 'string' || typeof event.value !== 'string') {
        return 'is a "tag" event without a text key and value';
      }
      blockOf(run, pack).tags[event.key] = event.value;
      run.tags[event.key] = event.value;
      return null;
    case 'note':
      if (typeof event.text !== 'string') {
        return 'is a "note" event without text';
      }
      blockOf(run, pack).note = event.text;
      return null;
    case 'file':
      return applyFile(run, pack, event);
    case 'run_end': {
      const status = event.status;
      if (
        status !== 'finished' &&
        status !== 'failed' &&
        status !== 'interrupted'
      ) {
        return `ends with an unknown status ${JSON.stringify(status)}`;
      }
      blockOf(run, pack);
      run.status = status;
      run.endedAt = time;
      run.urgent = true;
      return null;
    }
    default:
      // A kind added to the contract later: keep the seq, store nothing.
      blockOf(run, pack);
      return null;
  }
}

function applyExecution(
  run: RunState,
  pack: PackBuilder,
  event: Runs.KernelEvent,
  source: BlobAddress | null
): string | null {
  const { exec, outcome } = event;
  if (!Number.isSafeInteger(exec) || source === null) {
    return 'is an "execution" event without "exec" or "source"';
  }
  if (outcome !== 'ok' && outcome !== 'error' && outcome !== 'interrupted') {
    return `has an unknown outcome ${JSON.stringify(outcome)}`;
  }
  const block = blockOf(run, pack);
  if (block.executions.some(item => item.exec === exec)) {
    return null;
  }
  const count = Number.isSafeInteger(event.execution_count)
    ? (event.execution_count as number)
    : null;
  block.executions.push({
    exec: exec as number,
    cell: typeof event.cell_id === 'string' ? event.cell_id : null,
    count,
    source,
    startedAt: toMillis(numberOr(event.started, event.time)),
    endedAt: toMillis(numberOr(event.ended, event.time)),
    outcome,
    error: readError(event.error)
  });
  run.counts.set(exec as number, count);
  return null;
}

function applyMetric(
  run: RunState,
  pack: PackBuilder,
  event: Runs.KernelEvent,
  leftOut: (warning: string) => void
): string | null {
  const { name, points } = event;
  if (typeof name !== 'string' || !Array.isArray(points)) {
    return 'is a "metric" event without a name and points';
  }
  const source = typeof event.source === 'string' ? event.source : 'explicit';
  const block = blockOf(run, pack);
  const key = `${source}\n${name}`;
  let skipped = 0;
  for (const raw of points) {
    const point = readPoint(raw);
    if (!point) {
      skipped += 1;
      continue;
    }
    let series = block.metrics.get(key);
    if (!series) {
      series = { name, source, points: [] };
      block.metrics.set(key, series);
    }
    series.points.push(point);
    run.pendingPoints += 1;
    run.metrics[name] = typeof point[0] === 'number' ? point[0] : null;
  }
  if (skipped > 0) {
    leftOut(
      `holds ${skipped} metric point(s) of "${name}" without a value (a number, "NaN", "Infinity" or "-Infinity") and a time, which were not stored`
    );
  }
  return null;
}

function applyFile(
  run: RunState,
  pack: PackBuilder,
  event: Runs.KernelEvent
): string | null {
  const { path, mode, size, mtime, sha256 } = event;
  if (
    typeof path !== 'string' ||
    (mode !== 'read' && mode !== 'write') ||
    !Number.isInteger(size)
  ) {
    return 'is a "file" event without path, mode and size';
  }
  blockOf(run, pack).files.push({
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
): {
  name: string;
  param: Omit<StoreFormat.Param, 'time'> & { time: number };
} | null {
  if (typeof raw !== 'object' || raw === null) {
    return null;
  }
  const { name, value, source, detail, exec, from } = raw as Record<
    string,
    unknown
  >;
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
      time,
      ...(typeof from === 'string' && from !== name ? { from } : {})
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

/**
 * A point as the kernel sends it, checked; steps and executions are whole
 * numbers (the helper sends no other), times become epoch milliseconds.
 */
function readPoint(raw: unknown): StoreFormat.MetricPoint | null {
  if (!Array.isArray(raw)) {
    return null;
  }
  const [logged, step, time, exec] = raw;
  // A kernel's JSON has no NaN or Infinity, but a caller's objects may:
  // store them as the format spells them.
  const value =
    typeof logged === 'number' && !Number.isFinite(logged)
      ? (String(logged) as StoreFormat.MetricValue)
      : logged;
  const valid =
    typeof value === 'number' ||
    value === 'NaN' ||
    value === 'Infinity' ||
    value === '-Infinity';
  if (!valid || typeof time !== 'number' || !Number.isFinite(toMillis(time))) {
    return null;
  }
  return [
    value,
    Number.isSafeInteger(step) ? step : null,
    toMillis(time),
    Number.isSafeInteger(exec) ? exec : null
  ];
}

function numberOr(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}
