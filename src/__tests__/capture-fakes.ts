import type { ISessionContext } from '@jupyterlab/apputils';
import type { Kernel, KernelMessage } from '@jupyterlab/services';
import type { PromiseDelegate } from '@lumino/coreutils';
import { Signal } from '@lumino/signaling';
import type { Awareness } from 'y-protocols/awareness';
import {
  applyAwarenessUpdate,
  encodeAwarenessUpdate
} from 'y-protocols/awareness';

import type { StoredRun } from '../store/reader';
import type { IRunStore, Runs } from '../tokens';

/**
 * The run store's transport kept in memory: what was added, and the runs a
 * test wants listed.
 */
export class FakeRunStore implements IRunStore {
  readonly runsChanged: Signal<IRunStore, string> = new Signal(this);
  readonly healthChanged: Signal<IRunStore, Runs.StoreHealth> = new Signal(
    this
  );
  health: Runs.StoreHealth = {
    writes: 'saving',
    reason: null,
    path: null,
    since: null,
    localProblem: null
  };
  /** How many times `retryNow()` was called. */
  retries = 0;

  retryNow(): void {
    this.retries += 1;
  }

  /** The notebook paths `changedElsewhere()` was called with, in order. */
  readonly changesElsewhere: string[] = [];

  changedElsewhere(notebookPath: string): void {
    this.changesElsewhere.push(notebookPath);
    this.runsChanged.emit(notebookPath);
  }

  readonly events: { path: string; events: Runs.KernelEvent[] }[] = [];
  readonly outputs: { path: string; outputs: Runs.ExecutionOutputs }[] = [];
  readonly snapshots: { path: string; snapshot: Runs.NotebookSnapshot }[] = [];
  readonly ended: { path: string; run: string; status: string }[] = [];

  /** The runs `listRuns()` answers with, per notebook path. */
  readonly lists = new Map<string, Runs.RunList>();
  /** How many times `listRuns()` was called, per notebook path. */
  readonly listCalls = new Map<string, number>();
  /** `lastStoredSeq()` answers, per `path/session`. */
  readonly lastSeqs = new Map<string, number>();
  /** When set, `listRuns()` rejects with it. */
  listError: Error | null = null;
  /** When set, `listNotebooks()` rejects with it. */
  listNotebooksError: Error | null = null;
  /** `listRuns()` of these paths answers once the promise resolves. */
  readonly listGates = new Map<string, PromiseDelegate<void>>();
  /** When set, `flush()` waits for it. */
  pendingFlush: PromiseDelegate<void> | null = null;

  addEvents(notebookPath: string, events: readonly Runs.KernelEvent[]): void {
    this.events.push({ path: notebookPath, events: [...events] });
  }

  addOutputs(notebookPath: string, outputs: Runs.ExecutionOutputs): void {
    this.outputs.push({ path: notebookPath, outputs });
  }

  saveSnapshot(notebookPath: string, snapshot: Runs.NotebookSnapshot): void {
    this.snapshots.push({ path: notebookPath, snapshot });
  }

  endRun(notebookPath: string, runId: string, status: string): void {
    this.ended.push({ path: notebookPath, run: runId, status });
  }

  async lastStoredSeq(notebookPath: string, session: string): Promise<number> {
    return this.lastSeqs.get(`${notebookPath}/${session}`) ?? 0;
  }

  async flush(): Promise<void> {
    await this.pendingFlush?.promise;
  }

  /** The runs `readRun()` answers with, per `path/run id`. */
  readonly stored = new Map<string, StoredRun.Run>();
  /** How many times `readRun()` was called. */
  readCalls = 0;

  async readRun(
    notebookPath: string,
    runId: string
  ): Promise<StoredRun.Result<StoredRun.Run | null>> {
    this.readCalls += 1;
    return {
      value: this.stored.get(`${notebookPath}/${runId}`) ?? null,
      problems: []
    };
  }

  /** The snapshots `readSnapshots()` answers with, per `path/run id`. */
  readonly storedSnapshots = new Map<string, StoredRun.Snapshot[]>();
  /** The problems every `readSnapshots()` answers with. */
  snapshotProblems: string[] = [];
  /** How many times `readSnapshots()` was called. */
  snapshotReads = 0;

  async readSnapshots(
    notebookPath: string,
    runId: string
  ): Promise<StoredRun.Result<StoredRun.Snapshot[]>> {
    this.snapshotReads += 1;
    return {
      value: this.storedSnapshots.get(`${notebookPath}/${runId}`) ?? [],
      problems: this.snapshotProblems
    };
  }

  async readSnapshot(
    notebookPath: string,
    runId: string
  ): Promise<StoredRun.Result<StoredRun.Snapshot | null>> {
    const { value, problems } = await this.readSnapshots(notebookPath, runId);
    return { value: value[value.length - 1] ?? null, problems };
  }

  async listRuns(notebookPath: string): Promise<Runs.RunList> {
    this.listCalls.set(
      notebookPath,
      (this.listCalls.get(notebookPath) ?? 0) + 1
    );
    await this.listGates.get(notebookPath)?.promise;
    if (this.listError) {
      throw this.listError;
    }
    return this.lists.get(notebookPath) ?? { runs: [], problems: [] };
  }

  /** `updateRun()` calls, in order. */
  readonly updates: { path: string; run: string; change: Runs.RunChange }[] =
    [];
  /** `deleteRun()` calls, in order. */
  readonly deletes: { path: string; run: string }[] = [];

  async updateRun(
    notebookPath: string,
    runId: string,
    change: Runs.RunChange
  ): Promise<void> {
    this.updates.push({ path: notebookPath, run: runId, change });
    this._editRuns(notebookPath, runId, run => {
      const tags: Record<string, string> = { ...run.tags };
      for (const [key, value] of Object.entries(change.tags ?? {})) {
        if (value === null) {
          delete tags[key];
        } else {
          tags[key] = value;
        }
      }
      return [
        {
          ...run,
          name: change.name ?? run.name,
          note: change.note !== undefined ? change.note : run.note,
          tags,
          pinned: change.pinned ?? run.pinned,
          archived: change.archived ?? run.archived
        }
      ];
    });
  }

  async deleteRun(notebookPath: string, runId: string): Promise<void> {
    this.deletes.push({ path: notebookPath, run: runId });
    this._editRuns(notebookPath, runId, () => []);
  }

  /** What `cachedRuns()` answers, per notebook path. */
  readonly cached = new Map<string, Runs.RunList>();

  async cachedRuns(notebookPath: string): Promise<Runs.RunList | null> {
    return this.cached.get(notebookPath) ?? null;
  }

  /** The paths `listRuns()` has answers for, sorted. */
  async listNotebooks(): Promise<string[]> {
    if (this.listNotebooksError) {
      throw this.listNotebooksError;
    }
    return [...this.lists.keys()].sort();
  }

  /**
   * Replace a notebook's runs and say so, as the store does after a write.
   */
  setRuns(notebookPath: string, list: Runs.RunList): void {
    this.lists.set(notebookPath, list);
    this.runsChanged.emit(notebookPath);
  }

  /**
   * Replace one run of a notebook by what `edit` gives; rejects for a run
   * the notebook does not have, as the store does.
   */
  private _editRuns(
    notebookPath: string,
    runId: string,
    edit: (run: Runs.RunSummary) => Runs.RunSummary[]
  ): void {
    const list = this.lists.get(notebookPath);
    const index = list?.runs.findIndex(run => run.id === runId) ?? -1;
    if (!list || index < 0) {
      throw new Error(`The notebook "${notebookPath}" has no run "${runId}".`);
    }
    const runs = [...list.runs];
    runs.splice(index, 1, ...edit(runs[index]));
    this.setRuns(notebookPath, { ...list, runs });
  }
}

/**
 * What `FakeRunStore.outputs` holds for one execution whose only output was
 * `text` on stdout.
 */
export function storedStream(
  path: string,
  run: string,
  exec: number,
  text: string
): FakeRunStore['outputs'][number] {
  return {
    path,
    outputs: {
      run,
      exec,
      outputs: [{ output_type: 'stream', name: 'stdout', text }]
    }
  };
}

/**
 * A run summary with defaults for what a test does not care about.
 */
export function runSummary(
  fields: Partial<Runs.RunSummary> & { id: string }
): Runs.RunSummary {
  return {
    name: fields.id,
    notebookPath: 'train.ipynb',
    status: 'finished',
    startedAt: Date.UTC(2024, 0, 2, 3, 4, 5),
    endedAt: null,
    params: {},
    metrics: {},
    tags: {},
    note: null,
    pinned: false,
    archived: false,
    ...fields
  };
}

/**
 * The comm a fake kernel opens: records what the frontend sends.
 */
export class FakeComm {
  /**
   * @param welcome - What the helper answers when the comm opens.
   */
  constructor(
    readonly targetName: string,
    private readonly _welcome: Record<string, unknown>
  ) {}

  readonly commId = `comm-${Math.random()}`;
  readonly opened: unknown[] = [];
  readonly sent: Record<string, unknown>[] = [];
  closed = false;
  isDisposed = false;
  onMsg: (msg: KernelMessage.ICommMsgMsg) => void = () => undefined;
  onClose: (msg: KernelMessage.ICommCloseMsg) => void = () => undefined;

  open(data: unknown): void {
    this.opened.push(data);
    // The welcome travels back over the network: it comes later.
    void Promise.resolve().then(() => this.receive(this._welcome));
  }

  send(data: Record<string, unknown>): void {
    this.sent.push(data);
    if (data.type === 'hello' && this.answersHello) {
      // The helper makes the tab that said hello last its writer.
      void Promise.resolve().then(() =>
        this.receive({ type: 'writer', writer: true })
      );
    }
  }

  /**
   * Whether the fake helper tells the frontend it writes, as the helper does
   * after each hello; off to play a tab another one displaced.
   */
  answersHello = true;

  close(): void {
    this.closed = true;
  }

  dispose(): void {
    this.isDisposed = true;
  }

  /**
   * Deliver a message from the kernel side.
   */
  receive(data: Record<string, unknown>): void {
    this.onMsg({ content: { comm_id: this.commId, data } } as never);
  }
}

/**
 * A kernel connection's transport: records executions and comms, answers
 * `kernel_info` with its language, and plays the messages of executions.
 */
export class FakeKernel {
  constructor(language = 'python') {
    this.info = Promise.resolve({
      status: 'ok',
      protocol_version: '5.3',
      implementation: `${language}-kernel`,
      implementation_version: '1.0',
      language_info: {
        name: language,
        version: '2.0',
        mimetype: 'text/plain',
        file_extension: '.txt'
      },
      banner: `The ${language} kernel`,
      help_links: []
    } as KernelMessage.IInfoReply);
  }

  id = 'kernel-1';
  name = 'echo';
  spec: Promise<{ display_name: string } | undefined> = Promise.resolve({
    display_name: 'Echo'
  });
  /** The session of the kernel process's message headers. */
  kernelSession = 'process-1';
  readonly anyMessage = new Signal<this, Kernel.IAnyMessageArgs>(this);

  status: Kernel.Status = 'idle';
  connectionStatus: Kernel.ConnectionStatus = 'connected';
  info: Promise<KernelMessage.IInfoReply>;
  readonly executed: KernelMessage.IExecuteRequestMsg['content'][] = [];
  readonly comms: FakeComm[] = [];
  /** The helper's session id, sent in its welcome. */
  session: string | null = 'session-1';
  /** The run the helper reports active in its welcome. */
  activeRun: Record<string, unknown> | null = null;
  /** What the next bootstrap execution replies. */
  reply: Record<string, unknown> = { status: 'ok' };

  requestExecute(content: KernelMessage.IExecuteRequestMsg['content']): {
    done: Promise<{ content: unknown }>;
  } {
    this.executed.push(content);
    return { done: Promise.resolve({ content: { ...this.reply } }) };
  }

  createComm(targetName: string): FakeComm {
    const comm = new FakeComm(targetName, {
      type: 'welcome',
      session: this.session,
      seq: 0,
      run: this.activeRun,
      helper_version: '0.1.0'
    });
    this.comms.push(comm);
    return comm;
  }

  get lastComm(): FakeComm | undefined {
    return this.comms[this.comms.length - 1];
  }

  /** When set, `kernel_info` is answered once it resolves. */
  infoGate: Promise<void> | null = null;

  async requestKernelInfo(): Promise<KernelMessage.IInfoReplyMsg> {
    await this.infoGate;
    return {
      header: { session: this.kernelSession, msg_type: 'kernel_info_reply' },
      content: await this.info
    } as unknown as KernelMessage.IInfoReplyMsg;
  }

  /**
   * Play the messages of one execution as a connection sees them: this
   * tab's request (unless another tab sent it), the kernel's broadcasts, and
   * the reply (to this tab's requests only).
   */
  execute(options: FakeKernel.IExecution): void {
    const msgId = `request-${++this._requests}`;
    const { code, count = null, error = null } = options;
    const own = options.own ?? true;
    const replyStatus =
      options.replyStatus ?? (error === null ? 'ok' : 'error');
    if (own) {
      this._play('send', 'shell', 'execute_request', null, {
        content: { code, silent: options.silent ?? false },
        metadata: options.cellId ? { cellId: options.cellId } : {}
      });
    }
    if (options.silent || replyStatus === 'aborted') {
      if (own) {
        this._play('recv', 'shell', 'execute_reply', msgId, {
          content: { status: replyStatus, execution_count: count }
        });
      }
      return;
    }
    const iopub = (msgType: string, content: Record<string, unknown>) =>
      this._play('recv', 'iopub', msgType, msgId, { content });
    iopub('status', { execution_state: 'busy' });
    iopub('execute_input', { code, execution_count: count });
    if (error && options.errorOutput !== false) {
      iopub('error', error);
    }
    if (own) {
      this._play('recv', 'shell', 'execute_reply', msgId, {
        content: { status: replyStatus, execution_count: count, ...error }
      });
    }
    iopub('status', { execution_state: 'idle' });
  }

  private _play(
    direction: 'send' | 'recv',
    channel: string,
    msgType: string,
    parent: string | null,
    fields: Record<string, unknown>
  ): void {
    const msgId =
      direction === 'send'
        ? `request-${this._requests}`
        : `reply-${++this._replies}`;
    const msg = {
      channel,
      header: { msg_id: msgId, msg_type: msgType, session: this.kernelSession },
      parent_header: parent ? { msg_id: parent } : {},
      metadata: {},
      ...fields
    };
    this.anyMessage.emit({
      msg: msg as unknown as KernelMessage.IMessage,
      direction
    });
  }

  private _replies = 0;
  private _requests = 0;
}

/**
 * Types of the fake kernel.
 */
export namespace FakeKernel {
  export interface IExecution {
    code: string;
    /** The execution count the kernel gives. */
    count?: number | null;
    cellId?: string;
    /** The error raised, as the `error` output and reply have it. */
    error?: { ename: string; evalue: string; traceback: string[] } | null;
    /** Whether the error is published as an output; true by default. */
    errorOutput?: boolean;
    /** Whether this tab sent the request; true by default. */
    own?: boolean;
    silent?: boolean;
    replyStatus?: 'ok' | 'error' | 'aborted';
  }
}

/**
 * The Web Locks API of one browser, shared by the tabs of a test.
 */
export class FakeLocks {
  request(
    name: string,
    options: LockOptions,
    callback: (lock: Lock | null) => unknown
  ): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const grant = () => {
        this._held.add(name);
        Promise.resolve(callback({ name, mode: 'exclusive' }))
          .then(resolve, reject)
          .finally(() => {
            this._held.delete(name);
            const waiters = this._waiting.get(name) ?? [];
            waiters.shift()?.();
          });
      };
      if (!this._held.has(name)) {
        grant();
      } else if (options.ifAvailable) {
        Promise.resolve(callback(null)).then(resolve, reject);
      } else {
        const waiters = this._waiting.get(name) ?? [];
        this._waiting.set(name, waiters);
        waiters.push(grant);
        options.signal?.addEventListener('abort', () => {
          const index = waiters.indexOf(grant);
          if (index >= 0) {
            waiters.splice(index, 1);
            reject(new Error('AbortError'));
          }
        });
      }
    });
  }

  /**
   * Whether someone holds the lock `name`.
   */
  isHeld(name: string): boolean {
    return this._held.has(name);
  }

  private readonly _held = new Set<string>();
  private readonly _waiting = new Map<string, (() => void)[]>();
}

/**
 * A notebook's session context, reduced to the kernel and the signals the
 * kernel attachment follows.
 */
export class FakeSessionContext {
  constructor(kernel: FakeKernel | null) {
    this.session = kernel ? { kernel } : null;
  }

  session: { kernel: FakeKernel } | null;
  readonly kernelChanged = new Signal<this, unknown>(this);
  readonly statusChanged = new Signal<this, Kernel.Status>(this);
  readonly connectionStatusChanged = new Signal<this, Kernel.ConnectionStatus>(
    this
  );

  get kernel(): FakeKernel | null {
    return this.session?.kernel ?? null;
  }

  asSessionContext(): ISessionContext {
    return this as unknown as ISessionContext;
  }

  setStatus(status: Kernel.Status): void {
    if (this.kernel) {
      this.kernel.status = status;
    }
    this.statusChanged.emit(status);
  }

  setConnectionStatus(status: Kernel.ConnectionStatus): void {
    if (this.kernel) {
      this.kernel.connectionStatus = status;
    }
    this.connectionStatusChanged.emit(status);
  }

  changeKernel(kernel: FakeKernel | null): void {
    const oldValue = this.kernel;
    this.session = kernel ? { kernel } : null;
    this.kernelChanged.emit({ name: 'kernel', oldValue, newValue: kernel });
  }
}

/**
 * Let pending promise callbacks run.
 */
export async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) {
    await Promise.resolve();
  }
}

/**
 * Carry every change of two pages' awarenesses of one shared document to
 * the other, as the collaboration server does. Returns how to stop.
 */
export function connectAwareness(
  first: Awareness,
  second: Awareness
): () => void {
  const carry =
    (from: Awareness, to: Awareness) =>
    (
      changes: { added: number[]; updated: number[]; removed: number[] },
      origin: unknown
    ) => {
      if (origin === REMOTE) {
        return;
      }
      const clients = [
        ...changes.added,
        ...changes.updated,
        ...changes.removed
      ];
      applyAwarenessUpdate(to, encodeAwarenessUpdate(from, clients), REMOTE);
    };
  const toSecond = carry(first, second);
  const toFirst = carry(second, first);
  first.on('update', toSecond);
  second.on('update', toFirst);
  // Each page learns the other's state, as when it connects.
  toSecond({ added: [first.clientID], updated: [], removed: [] }, null);
  toFirst({ added: [second.clientID], updated: [], removed: [] }, null);
  return () => {
    first.off('update', toSecond);
    second.off('update', toFirst);
  };
}

/** The origin of awareness updates carried from another page. */
const REMOTE = 'remote';

/**
 * A run as `readRun()` gives it back, holding `executions` (their times and
 * outcomes filled in) and nothing else of note.
 */
export function storedRun(
  id: string,
  executions: Pick<
    StoredRun.Execution,
    'exec' | 'cellId' | 'executionCount' | 'source' | 'outputs'
  >[]
): StoredRun.Run {
  return {
    id,
    name: id,
    notebookPath: 'analysis/train.ipynb',
    status: 'running',
    reason: 'kernel-start',
    startedAt: 0,
    endedAt: null,
    updatedAt: 0,
    session: 'session-1',
    env: null,
    seq: executions.length,
    params: {},
    tags: {},
    note: null,
    executions: executions.map(execution => ({
      startedAt: 0,
      endedAt: 0,
      duration: 0,
      outcome: 'ok',
      error: null,
      run: id,
      ...execution
    })),
    inherited: [],
    unknownInherited: [],
    files: [],
    metrics: [],
    snapshots: []
  };
}
