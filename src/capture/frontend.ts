import type { Kernel, KernelMessage } from '@jupyterlab/services';
import type { IDisposable } from '@lumino/disposable';
import type { ISignal } from '@lumino/signaling';
import { Signal } from '@lumino/signaling';

import type { IRunStore, Runs } from '../tokens';
import type { KernelAttachment } from './attachment';
import type { HelperConfig } from './bootstrap';
import type { ExecutionError, FinishedExecution } from './executions';
import { ExecutionWatcher } from './executions';
import {
  frontendRunId,
  frontendRunNumber,
  frontendSessionId,
  readableName
} from './ids';
import { capOutputs } from './outputs';
import { redactJSON, redactText } from './redact';
import type { IAwareness } from './collaboration';
import type { ILockManager, IWriterLock } from './tabLock';
import { CollaboratorsLock, TabLock } from './tabLock';

/**
 * Records a kernel that is not Python, which gets no helper: the frontend
 * itself makes the events the helper would send (docs/CAPTURE.md, "Kernels
 * that are not Python"), from what `kernel_info` says and from the kernel's
 * execution messages.
 *
 * #### Notes
 * One tab of the browser writes a kernel process's events: the one holding
 * the tab lock of its session. It records every execution of the kernel,
 * whichever tab or console asked for it. The other tabs wait in the
 * `other-tab` state and take over when the writer closes or reloads.
 */
export class FrontendRecorder implements IDisposable {
  constructor(options: FrontendRecorder.IOptions) {
    this._kernel = options.kernel;
    this._store = options.store;
    this._config = options.config;
    this._shared = options.shared;
    this._awareness = options.awareness ?? null;
    // Executions are followed from now: a cell run while the recorder finds
    // out where the session stands is recorded once it knows.
    this._watcher = new ExecutionWatcher(this._kernel, execution =>
      this._onExecution(execution)
    );
  }

  /**
   * Emitted with each batch of events, in `seq` order.
   */
  get events(): ISignal<this, readonly Runs.KernelEvent[]> {
    return this._events;
  }

  /**
   * Emitted when this recorder takes over a session whose run had started
   * before (a reload, or another tab that closed), with that run.
   */
  get resumed(): ISignal<this, KernelAttachment.WelcomeRun> {
    return this._resumed;
  }

  /**
   * Emitted when the state changes.
   */
  get stateChanged(): ISignal<this, FrontendRecorder.State> {
    return this._stateChanged;
  }

  /**
   * Whether this recorder writes the kernel's events (`recording`), waits
   * for the tab that does (`other-tab`), or is kept from recording by the
   * tracking switch (`off`).
   */
  get state(): FrontendRecorder.State {
    return this._state;
  }

  /**
   * The id of the kernel process's session, once known.
   */
  get session(): string | null {
    return this._sessionId;
  }

  /**
   * Find out which kernel process this is, then record it as soon as this
   * tab holds its lock. Resolves once the session is known; recording may
   * start later.
   */
  async start(): Promise<void> {
    const reply = await this._kernel.requestKernelInfo();
    if (this._isDisposed || !reply) {
      return;
    }
    const spec = await this._kernel.spec.catch(() => undefined);
    if (this._isDisposed) {
      return;
    }
    const session = frontendSessionId(this._kernel.id, reply.header.session);
    this._sessionId = session;
    this._env = sessionEnv(
      reply.content as Partial<KernelMessage.IInfoReply>,
      this._kernel.name,
      spec?.display_name ?? null,
      this._shared.appVersion
    );
    const name = `jupyterlab-runs:${session}`;
    // Under real-time collaboration the other users' pages see every
    // execution too: one page of them all writes.
    this._lock = this._awareness
      ? new CollaboratorsLock(name, this._shared.locks, this._awareness)
      : new TabLock(name, this._shared.locks);
    void this._lock
      .acquire(() => {
        // The tab that holds the lock records what runs meanwhile.
        this._early.length = 0;
        this._setState('other-tab');
      })
      .then(async held => {
        if (held) {
          // What runs from now on is recorded once the session is resumed.
          this._setState('starting');
          await this._record(session);
        }
      })
      .catch(reason => {
        this._early.length = 0;
        this._setState('failed');
        console.warn('jupyterlab-runs: could not record the kernel.', reason);
      });
  }

  /**
   * End the active run and start a new one now.
   */
  startRun(name: string | null = null): void {
    const session = this._recording();
    if (!session) {
      return;
    }
    const events = this._endRun(session);
    session.run = newRun('user', name);
    events.push(this._announce(session, session.run, session.lastExec));
    this._emit(events);
  }

  /**
   * End the active run; the next execution starts another.
   */
  endRun(): void {
    const session = this._recording();
    if (session) {
      this._emit(this._endRun(session));
    }
  }

  /**
   * Follow a change of the tracking switches (the notebook path and the other
   * settings are read when needed).
   */
  configChanged(): void {
    if (this._state === 'recording' || this._state === 'off') {
      this._follow();
    }
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /**
   * Stop recording and let another tab take over.
   */
  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    this._watcher.dispose();
    this._early.length = 0;
    this._lock?.dispose();
    Signal.clearData(this);
  }

  /**
   * This tab holds the session's lock: take the session up where this page,
   * or the store, left it, then record what ran meanwhile.
   */
  private async _record(id: string): Promise<void> {
    const path = this._config().notebook_path;
    // Also tells the store that the events that follow are this session's.
    const stored = await this._store.lastStoredSeq(path, id);
    if (this._isDisposed) {
      return;
    }
    let session = this._shared.sessions.get(id);
    if (!session) {
      session = await this._resume(id, path, stored);
      if (this._isDisposed) {
        return;
      }
      this._shared.sessions.set(id, session);
    }
    if (session.run?.announced) {
      const { id: runId, name } = session.run;
      this._resumed.emit({ id: runId, name, params: {}, announced: true });
    }
    this._follow();
    for (const execution of this._early.splice(0)) {
      this._onExecution(execution);
    }
  }

  /**
   * Record, or not, as the tracking switches say. The session begins the
   * first time the notebook is tracked while this tab writes.
   */
  private _follow(): void {
    const config = this._config();
    const session = this._sessionId
      ? this._shared.sessions.get(this._sessionId)
      : undefined;
    if (!session) {
      return;
    }
    if (config.tracking && session.seq === 0) {
      const env = { ...this._env, notebook_path: config.notebook_path };
      this._emit([
        this._event(session, 'session', {
          session: session.id,
          env: redactJSON(env)
        })
      ]);
    }
    this._setState(config.tracking ? 'recording' : 'off');
  }

  /**
   * A session this page has not recorded: new, or written by a page that
   * closed (`seq` events stored). Its runs are found in the run list by their
   * ids.
   */
  private async _resume(
    id: string,
    path: string,
    seq: number
  ): Promise<SessionState> {
    const session: SessionState = {
      id,
      seq,
      runCount: 0,
      run: null,
      lastExec: 0
    };
    if (seq === 0) {
      session.run = newRun('kernel-start');
      return session;
    }
    let runs: readonly Runs.RunSummary[];
    try {
      ({ runs } = await this._store.listRuns(path));
    } catch {
      // The server answered with an error: the runs this browser read last.
      runs = (await this._store.cachedRuns(path))?.runs ?? [];
    }
    let newest: Runs.RunSummary | null = null;
    for (const run of runs) {
      const number = frontendRunNumber(id, run.id);
      if (number > session.runCount) {
        session.runCount = number;
        newest = run;
      }
    }
    session.run =
      newest?.status === 'running'
        ? {
            id: newest.id,
            name: newest.name,
            started: newest.startedAt,
            reason: 'kernel-start',
            announced: true,
            outcome: null
          }
        : newRun(session.runCount ? 'helper' : 'kernel-start');
    return session;
  }

  private _onExecution(execution: FinishedExecution): void {
    if (this._state === 'starting') {
      this._early.push(execution);
      if (this._early.length > MAX_EARLY_EXECUTIONS) {
        this._early.shift();
      }
      return;
    }
    const session = this._recording();
    if (!session) {
      return;
    }
    const exec = nextExec(session.lastExec, execution.executionCount);
    const events: Runs.KernelEvent[] = [];
    const run = session.run ?? newRun('helper');
    session.run = run;
    if (!run.announced) {
      // Announced lazily: a run in which nothing ran is never recorded.
      events.push(this._announce(session, run, exec - 1));
    }
    const error = execution.error ? this._redactError(execution.error) : null;
    const outcome =
      error === null
        ? 'ok'
        : error.name === 'KeyboardInterrupt'
          ? 'interrupted'
          : 'error';
    events.push(
      this._event(session, 'execution', {
        run: run.id,
        exec,
        cell_id: execution.cellId,
        execution_count: execution.executionCount,
        source: redactText(execution.source),
        started: execution.started / 1000,
        ended: execution.ended / 1000,
        outcome,
        error
      })
    );
    session.lastExec = exec;
    run.outcome = outcome;
    this._emit(events);
  }

  /**
   * Number a new run and make its `run_start`, with every earlier execution
   * of the kernel process (`1 … lastExec`) as inherited.
   */
  private _announce(
    session: SessionState,
    run: SessionRun,
    lastExec: number
  ): Runs.KernelEvent {
    session.runCount += 1;
    run.id = frontendRunId(session.id, session.runCount);
    run.name ||= readableName(session.runCount);
    run.announced = true;
    return this._event(
      session,
      'run_start',
      {
        run: run.id,
        name: run.name,
        reason: run.reason,
        params: [],
        inherited: Array.from(
          { length: Math.max(lastExec, 0) },
          (_, i) => i + 1
        )
      },
      run.started
    );
  }

  /**
   * End the active run, if it was announced: with the outcome of its last
   * execution, as the helper does.
   */
  private _endRun(session: SessionState): Runs.KernelEvent[] {
    const run = session.run;
    session.run = null;
    if (!run?.announced) {
      return [];
    }
    const status =
      run.outcome === 'error'
        ? 'failed'
        : run.outcome === 'interrupted'
          ? 'interrupted'
          : 'finished';
    return [this._event(session, 'run_end', { run: run.id, status })];
  }

  /**
   * The session this recorder writes, when it writes: it holds the lock and
   * the notebook is tracked.
   */
  private _recording(): SessionState | null {
    if (this._isDisposed || this._state !== 'recording') {
      return null;
    }
    const session = this._sessionId
      ? this._shared.sessions.get(this._sessionId)
      : undefined;
    return session && this._config().tracking ? session : null;
  }

  private _redactError(error: ExecutionError): ExecutionError {
    // Tracebacks are cut like the helper's: to the output cap, at most 64 KiB,
    // and redacted once cut.
    const [capped] = capOutputs(
      [{ output_type: 'error', traceback: error.traceback }],
      Math.min(this._config().output_cap_bytes, MAX_TRACEBACK_BYTES),
      true
    );
    return {
      name: redactText(error.name),
      value: redactText(error.value),
      traceback: capped.traceback as string[]
    };
  }

  private _event(
    session: SessionState,
    kind: string,
    fields: Record<string, unknown>,
    time = Date.now()
  ): Runs.KernelEvent {
    session.seq += 1;
    return { seq: session.seq, time: time / 1000, kind, ...fields };
  }

  private _emit(events: readonly Runs.KernelEvent[]): void {
    if (events.length > 0) {
      this._events.emit(events);
    }
  }

  private _setState(state: FrontendRecorder.State): void {
    if (state !== this._state) {
      this._state = state;
      this._stateChanged.emit(state);
    }
  }

  private readonly _config: () => HelperConfig;
  /** Executions that finished while the recorder was starting. */
  private readonly _early: FinishedExecution[] = [];
  private _env: Record<string, unknown> = {};
  private readonly _events = new Signal<this, readonly Runs.KernelEvent[]>(
    this
  );
  private _isDisposed = false;
  private readonly _kernel: Kernel.IKernelConnection;
  private readonly _awareness: IAwareness | null;
  private _lock: IWriterLock | null = null;
  private readonly _resumed = new Signal<this, KernelAttachment.WelcomeRun>(
    this
  );
  private _sessionId: string | null = null;
  private readonly _shared: FrontendRecorder.IShared;
  private _state: FrontendRecorder.State = 'starting';
  private readonly _stateChanged = new Signal<this, FrontendRecorder.State>(
    this
  );
  private readonly _store: IRunStore;
  private readonly _watcher: ExecutionWatcher;
}

/**
 * Types of the frontend recorder.
 */
export namespace FrontendRecorder {
  export interface IOptions {
    /**
     * The kernel recorded, connected and answering.
     */
    kernel: Kernel.IKernelConnection;

    /**
     * Where sessions are resumed from.
     */
    store: IRunStore;

    /**
     * The configuration as it stands now (the notebook path, the output cap
     * and whether the notebook is tracked).
     */
    config: () => HelperConfig;

    /**
     * What every recorder of the page shares.
     */
    shared: IShared;

    /**
     * The awareness of the notebook's shared document under real-time
     * collaboration, through which one page of all the users' pages is
     * chosen to write; null otherwise.
     */
    awareness?: IAwareness | null;
  }

  /**
   * What every recorder of a page shares.
   */
  export interface IShared {
    /**
     * The JupyterLab version, for the session environments.
     */
    readonly appVersion: string;

    /**
     * The Web Locks API, or null where the browser lacks it.
     */
    readonly locks: ILockManager | null;

    /**
     * Where this page stands in each session it recorded, by session id: a
     * recorder that takes over in the same page (after the websocket
     * reconnected, or from another panel of the notebook) goes on from there
     * rather than from what the store has written so far.
     */
    readonly sessions: Map<string, SessionState>;
  }

  /**
   * `starting` until the recorder knows the kernel process and holds its
   * lock; then `recording`, or `off` while the notebook is not tracked;
   * `other-tab` while another tab holds the lock; `failed` when the store
   * could not say where the session stands.
   */
  export type State = 'starting' | 'other-tab' | 'recording' | 'off' | 'failed';
}

/**
 * Where the recording of one kernel process stands.
 */
export type SessionState = {
  readonly id: string;
  /** The last `seq` handed out. */
  seq: number;
  /** How many runs were announced; the last one's number. */
  runCount: number;
  /** The active run, or null after `endRun`. */
  run: SessionRun | null;
  /** The highest `exec` so far. */
  lastExec: number;
};

/**
 * The active run of a session.
 */
type SessionRun = {
  /** Empty until the run is announced. */
  id: string;
  name: string;
  /** Epoch milliseconds. */
  readonly started: number;
  readonly reason: 'kernel-start' | 'helper' | 'user';
  /** Whether its `run_start` was sent. */
  announced: boolean;
  /** The outcome of its last execution. */
  outcome: 'ok' | 'error' | 'interrupted' | null;
};

/**
 * A run that begins now. It gets its id when announced: at once when the user
 * asks for it, with its first execution otherwise.
 */
function newRun(
  reason: SessionRun['reason'],
  name: string | null = null
): SessionRun {
  return {
    id: '',
    name: name ?? '',
    started: Date.now(),
    reason,
    announced: false,
    outcome: null
  };
}

/**
 * The environment of a session: what `kernel_info` says, and what the
 * frontend knows of the kernel.
 */
function sessionEnv(
  info: Partial<KernelMessage.IInfoReply>,
  kernelName: string,
  displayName: string | null,
  appVersion: string
): Record<string, unknown> {
  return {
    recorded_by: 'frontend',
    kernel: {
      name: kernelName,
      display_name: displayName,
      implementation: info.implementation ?? null,
      implementation_version: info.implementation_version ?? null,
      protocol_version: info.protocol_version ?? null,
      banner: info.banner ?? null
    },
    language: {
      name: info.language_info?.name ?? null,
      version: info.language_info?.version ?? null
    },
    language_info: info.language_info ?? null,
    jupyter: { jupyterlab: appVersion || null }
  };
}

/**
 * How many executions that finished while the recorder was starting are
 * kept at most.
 */
const MAX_EARLY_EXECUTIONS = 1000;

/**
 * The largest traceback kept, in bytes, as in the helper.
 */
const MAX_TRACEBACK_BYTES = 64 * 1024;

/**
 * An execution's number in its kernel process: the kernel's execution count,
 * unless it does not go up (a kernel that does not count, or an execution
 * that did not store history), then one more than the last.
 */
function nextExec(lastExec: number, executionCount: number | null): number {
  return executionCount !== null && executionCount > lastExec
    ? executionCount
    : lastExec + 1;
}
