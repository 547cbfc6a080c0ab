import type { ISessionContext } from '@jupyterlab/apputils';
import type { IChangedArgs } from '@jupyterlab/coreutils';
import type { Kernel, KernelMessage } from '@jupyterlab/services';
import type { IDisposable } from '@lumino/disposable';
import type { ISignal } from '@lumino/signaling';
import { Signal } from '@lumino/signaling';

import type { IRunStore, Runs } from '../tokens';
import type { HelperConfig } from './bootstrap';
import { bootstrapCode } from './bootstrap';
import type { IAwareness } from './collaboration';
import { withSession } from './events';
import { FrontendRecorder } from './frontend';

/**
 * The comm target the kernel helper registers (docs/CAPTURE.md).
 */
export const COMM_TARGET = 'jupyterlab_runs';

/**
 * The kernel statuses in which the bootstrap can be sent. `unknown` is a
 * kernel that is connected but has said nothing since: jupyter_server 2
 * answers a new connection's kernel_info request itself, so a kernel nobody
 * has run anything in yet (a re-run's fresh kernel) reports no status until
 * its first execution. The bootstrap waits for the kernel's info anyway.
 */
const ATTACHABLE: ReadonlySet<Kernel.Status> = new Set<Kernel.Status>([
  'idle',
  'busy',
  'unknown'
]);

/**
 * Attaches the kernel helper to a notebook's Python kernel each time that
 * kernel starts, restarts or is reconnected to, and moves the helper's events
 * into the store, acknowledging only what the store has written. A kernel
 * that is not Python is recorded by a `FrontendRecorder` instead, whose
 * events take the same way.
 *
 * #### Notes
 * The bootstrap is one silent `execute_request` per kernel start; everything
 * else travels over a comm, asynchronously, so cell execution is never
 * waited on. Nothing is sent to a kernel that is not Python, or while the
 * notebook is not tracked.
 */
export class KernelAttachment implements IDisposable {
  constructor(options: KernelAttachment.IOptions) {
    this._sessionContext = options.sessionContext;
    this._store = options.store;
    this._helperSource = options.helperSource;
    this._config = options.config;
    this._awareness = options.awareness ?? null;
    this._frontend = options.frontend ?? {
      appVersion: '',
      locks: null,
      sessions: new Map()
    };
    this._sessionContext.kernelChanged.connect(this._onKernelChanged, this);
    this._sessionContext.statusChanged.connect(this._onStatusChanged, this);
    this._sessionContext.connectionStatusChanged.connect(
      this._onConnectionStatusChanged,
      this
    );
    this._needsAttach = this._kernel !== null;
    this._tryAttach();
    window.addEventListener('pagehide', this._onPageHide);
  }

  /**
   * Emitted with each batch of kernel events, once handed to the store.
   */
  get eventsReceived(): ISignal<this, readonly Runs.KernelEvent[]> {
    return this._eventsReceived;
  }

  /**
   * Emitted when the kernel process that was attached ends: `restarted` by
   * the user, `died` (including an automatic restart after a crash, and a
   * kernel gone while its connection was lost, as when its server was
   * killed), or `closed` (shut down, or replaced by another kernel).
   */
  get kernelEnded(): ISignal<this, KernelAttachment.Ending> {
    return this._kernelEnded;
  }

  /**
   * Emitted when the helper greets this frontend, with the run active in the
   * kernel at that moment (its start may have been stored long before).
   */
  get welcomed(): ISignal<this, KernelAttachment.WelcomeRun | null> {
    return this._welcomed;
  }

  /**
   * Emitted when the attachment state changes.
   */
  get stateChanged(): ISignal<this, KernelAttachment.State> {
    return this._stateChanged;
  }

  /**
   * Where attaching the current kernel stands.
   */
  get state(): KernelAttachment.State {
    return this._state;
  }

  /**
   * Whether this tab writes the attached kernel's runs. The helper sends its
   * events to one tab only, the last to greet it, and tells each tab whether
   * it is that one; the others leave run ends and snapshots to it and pass
   * on the outputs they display (`forwardOutputs`).
   */
  get isWriter(): boolean {
    return this._isWriter;
  }

  /**
   * Emitted when this tab starts or stops writing the attached kernel's runs.
   */
  get writerChanged(): ISignal<this, boolean> {
    return this._writerChanged;
  }

  /**
   * Hand the outputs of an execution this tab displayed to the helper, which
   * passes them to the writing tab as an `outputs` event.
   */
  forwardOutputs(
    executionCount: number,
    cellId: string,
    outputs: readonly Record<string, unknown>[]
  ): void {
    this._send({
      type: 'outputs',
      execution_count: executionCount,
      cell_id: cellId,
      outputs
    });
  }

  /**
   * The helper's id for the attached kernel process, once known.
   */
  get session(): string | null {
    return this._recorder?.session ?? this._session;
  }

  /**
   * Ask the helper to end the current run and start a new one.
   */
  startRun(name: string | null = null): void {
    if (this._recorder) {
      this._recorder.startRun(name);
      return;
    }
    this._send({ type: 'start_run', name });
  }

  /**
   * Ask the helper to end the current run.
   */
  endRun(): void {
    if (this._recorder) {
      this._recorder.endRun();
      return;
    }
    this._send({ type: 'end_run' });
  }

  /**
   * Apply a configuration change: attach when tracking was turned on, or tell
   * the attached helper the new configuration.
   */
  configChanged(): void {
    if (this._recorder) {
      this._recorder.configChanged();
      return;
    }
    if (this._comm) {
      this._send({ type: 'config', ...this._config() });
      return;
    }
    this._needsAttach = this._kernel !== null;
    this._tryAttach();
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    window.removeEventListener('pagehide', this._onPageHide);
    this._detach();
    this._sessionContext.kernelChanged.disconnect(this._onKernelChanged, this);
    this._sessionContext.statusChanged.disconnect(this._onStatusChanged, this);
    this._sessionContext.connectionStatusChanged.disconnect(
      this._onConnectionStatusChanged,
      this
    );
    Signal.clearData(this);
  }

  private get _kernel(): Kernel.IKernelConnection | null {
    return this._sessionContext.session?.kernel ?? null;
  }

  private _onKernelChanged(
    _: ISessionContext,
    change: IChangedArgs<Kernel.IKernelConnection | null>
  ): void {
    if (change.newValue === change.oldValue) {
      // A restart keeps the connection; its status changes tell the rest.
      return;
    }
    this._end('closed');
    this._needsAttach = this._kernel !== null;
    this._setState(this._kernel ? 'waiting' : 'idle');
    this._tryAttach();
  }

  private _onStatusChanged(_: ISessionContext, status: Kernel.Status): void {
    switch (status) {
      case 'restarting':
        // A restart by the user, unless `autorestarting` follows in the same
        // turn: a kernel connection told by the server that it restarted the
        // kernel reports `restarting`, then `autorestarting` in a microtask
        // it queued first. So decide once the queued microtasks have run.
        if (!this._restartPending) {
          this._restartPending = true;
          void Promise.resolve().then(() => {
            if (this._restartPending && !this._isDisposed) {
              this._restartPending = false;
              this._end('restarted');
              this._needsAttach = true;
              this._tryAttach();
            }
          });
        }
        break;
      case 'autorestarting':
        // The server restarts a kernel on its own only after it died.
        this._restartPending = false;
        this._end('died');
        this._needsAttach = true;
        break;
      case 'terminating':
      case 'dead':
        // Shut down (from this notebook or elsewhere), or it failed to start.
        this._end('closed');
        this._needsAttach = false;
        break;
      default:
        this._tryAttach();
    }
  }

  private _onConnectionStatusChanged(
    _: ISessionContext,
    status: Kernel.ConnectionStatus
  ): void {
    if (status === 'connecting') {
      // The websocket dropped: the kernel process may be the same, but the
      // comm must be opened again and the missed events asked for.
      this._wasDisconnected = this._comm !== null || this._recorder !== null;
    } else if (status === 'connected') {
      if (this._wasDisconnected) {
        this._wasDisconnected = false;
        this._detach();
        this._needsAttach = true;
      }
      this._tryAttach();
    }
  }

  /**
   * The kernel process that was attached is gone.
   */
  private _end(ending: KernelAttachment.Ending): void {
    const wasAttached = this._attachedKernel !== null;
    // A kernel that goes away while its connection is lost, and was never
    // reached again, was not shut down from here: its server was killed or
    // restarted, and the kernel went with it.
    const lost = this._wasDisconnected;
    this._wasDisconnected = false;
    this._detach();
    this._session = null;
    if (wasAttached) {
      this._kernelEnded.emit(ending === 'closed' && lost ? 'died' : ending);
    }
  }

  /**
   * Attach when a kernel is waiting for it, ready to answer, and tracked.
   */
  private _tryAttach(): void {
    const kernel = this._kernel;
    if (
      this._isDisposed ||
      !this._needsAttach ||
      kernel === null ||
      kernel.connectionStatus !== 'connected' ||
      !ATTACHABLE.has(kernel.status)
    ) {
      return;
    }
    const config = this._config();
    if (!config.tracking) {
      this._setState('off');
      return;
    }
    this._needsAttach = false;
    const attempt = ++this._attempt;
    this._attach(kernel, config, attempt).catch(reason => {
      if (attempt !== this._attempt || kernel !== this._kernel) {
        // The kernel was replaced or shut down meanwhile: nothing failed.
        return;
      }
      this._setState('failed');
      console.warn(
        'jupyterlab-runs: could not attach the kernel helper.',
        reason
      );
    });
  }

  private async _attach(
    kernel: Kernel.IKernelConnection,
    config: HelperConfig,
    attempt: number
  ): Promise<void> {
    const isCurrent = () =>
      !this._isDisposed && attempt === this._attempt && kernel === this._kernel;
    this._setState('attaching');

    const info = await kernel.info;
    if (!isCurrent()) {
      return;
    }
    if (info.language_info.name.toLowerCase() !== 'python') {
      await this._record(kernel);
      return;
    }

    const source = await this._helperSource();
    if (!isCurrent()) {
      return;
    }
    const reply = await executeSilently(kernel, bootstrapCode(config, source));
    if (!isCurrent()) {
      return;
    }
    if (reply.status === 'error' && reply.ename === 'KeyboardInterrupt') {
      // Interrupted (or shut down) while attaching, which is not a failure
      // of the helper: try again once the kernel is idle again.
      this._needsAttach = true;
      this._setState('waiting');
      return;
    }
    if (reply.status !== 'ok') {
      throw new Error(
        `the bootstrap raised ${reply.status === 'error' ? `${reply.ename}: ${reply.evalue}` : reply.status}`
      );
    }

    const comm = kernel.createComm(COMM_TARGET);
    comm.onMsg = msg => this._onCommMsg(comm, msg);
    comm.onClose = () => {
      if (this._comm === comm) {
        this._comm = null;
      }
    };
    this._comm = comm;
    this._attachedKernel = kernel;
    // The helper answers with a welcome naming its session; hello follows.
    comm.open({});
  }

  /**
   * Record a kernel that is not Python from the frontend.
   */
  private async _record(kernel: Kernel.IKernelConnection): Promise<void> {
    const recorder = new FrontendRecorder({
      kernel,
      store: this._store,
      config: this._config,
      shared: this._frontend,
      awareness: this._awareness
    });
    recorder.events.connect((_, events) => this._deliver(events), this);
    recorder.resumed.connect((_, run) => this._welcomed.emit(run), this);
    recorder.stateChanged.connect((_, state) => {
      this._setState(state === 'starting' ? 'attaching' : state);
      // The recorder holding the kernel's lock writes; it keeps that role
      // until it hands over, so a kernel that just ended is still ended here.
      if (state === 'recording' || state === 'other-tab') {
        this._setWriter(state === 'recording');
      }
    }, this);
    this._recorder = recorder;
    this._attachedKernel = kernel;
    await recorder.start();
  }

  /**
   * The page is closed or reloaded: close the comm, so the helper hands the
   * events this page has not stored to the next writer at once (a writer
   * that takes over waits for the one it displaced to acknowledge what it
   * was sent, or for its comm to close).
   */
  private readonly _onPageHide = (): void => {
    const comm = this._comm;
    if (
      comm &&
      !comm.isDisposed &&
      this._kernel?.connectionStatus === 'connected'
    ) {
      comm.close();
    }
  };

  private _onCommMsg(comm: Kernel.IComm, msg: KernelMessage.ICommMsgMsg): void {
    const data = msg.content.data;
    if (this._comm !== comm) {
      return;
    }
    if (data.type === 'welcome') {
      this._greet(comm, data).catch(reason => {
        console.warn(
          'jupyterlab-runs: could not resume the kernel events.',
          reason
        );
      });
    } else if (data.type === 'events') {
      this._receive(comm, data.events);
    } else if (data.type === 'writer') {
      this._setWriter(data.writer === true);
    }
  }

  /**
   * Answer the helper's welcome: ask for every event of its session after
   * the last one the store holds, so a reload, a second tab or a reconnection
   * gets exactly what is missing.
   */
  private async _greet(
    comm: Kernel.IComm,
    welcome: Record<string, unknown>
  ): Promise<void> {
    const session =
      typeof welcome.session === 'string' ? welcome.session : null;
    this._session = session;
    this._setState('recording');
    this._welcomed.emit(readRun(welcome.run));
    const after = session
      ? await this._store.lastStoredSeq(this._config().notebook_path, session)
      : 0;
    if (this._comm === comm && !comm.isDisposed) {
      comm.send({ type: 'hello', after, session });
    }
  }

  private _receive(comm: Kernel.IComm, value: unknown): void {
    const events = readEvents(value);
    if (events.length === 0) {
      return;
    }
    // A restarted kernel numbers its events from 1 again, on a new comm.
    const floor = this._floor?.comm === comm ? this._floor.stored : null;
    if (floor === null) {
      this._take(comm, events, 0);
      return;
    }
    // In order, once what the store holds is known.
    this._incoming = this._incoming
      .then(() => floor)
      .then(stored => {
        if (this._comm === comm && !comm.isDisposed) {
          this._take(comm, events, stored);
        }
      });
  }

  /**
   * Deliver the events after `stored`, and acknowledge them all.
   */
  private _take(
    comm: Kernel.IComm,
    events: readonly Runs.KernelEvent[],
    stored: number
  ): void {
    const session = events.find(event => event.kind === 'session')?.session;
    if (typeof session === 'string') {
      this._session = session;
    }
    const fresh = events.filter(event => event.seq > stored);
    if (fresh.length > 0) {
      this._deliver(fresh);
    }
    this._acknowledge(comm, events[events.length - 1].seq);
  }

  /**
   * Hand events to the store, then to whoever follows them.
   */
  private _deliver(events: readonly Runs.KernelEvent[]): void {
    this._store.addEvents(
      this._config().notebook_path,
      withSession(events, this.session)
    );
    this._eventsReceived.emit(events);
  }

  /**
   * Tell the helper it may drop events up to `upto`, once they are written.
   * Acknowledgements go out in order, and never for a comm that was replaced.
   */
  private _acknowledge(comm: Kernel.IComm, upto: number): void {
    this._acks = this._acks
      .then(() => this._store.flush())
      .then(() => {
        if (this._comm === comm && !comm.isDisposed) {
          comm.send({ type: 'ack', upto });
        }
      })
      .catch(reason => {
        // Unacknowledged events stay in the kernel's buffer and are replayed
        // on the next hello, so nothing is lost by waiting.
        console.warn(
          'jupyterlab-runs: the store could not write events.',
          reason
        );
      });
  }

  private _send(message: Record<string, unknown>): void {
    const comm = this._comm;
    if (comm && !comm.isDisposed) {
      comm.send(message as never);
    }
  }

  /**
   * Drop the comm, or the frontend recorder, of the kernel that was attached.
   */
  private _detach(): void {
    this._recorder?.dispose();
    this._recorder = null;
    const comm = this._comm;
    this._comm = null;
    this._attachedKernel = null;
    ++this._attempt;
    if (comm && !comm.isDisposed) {
      // Closing tells a live helper to stop sending to this comm; a kernel
      // that is gone has already dropped it.
      if (this._kernel?.connectionStatus === 'connected') {
        comm.close();
      }
      comm.dispose();
    }
  }

  private _setWriter(isWriter: boolean): void {
    const comm = this._comm;
    if (isWriter && !this._isWriter && this._session !== null && comm) {
      // Handed the writer back (the writing tab reloaded or closed): the
      // helper sends again what it sent that tab and was not acknowledged,
      // some of which that tab stored; its index may land later than its
      // pack, and this page's own view of the packs is older.
      this._floor = {
        comm,
        stored: this._store
          .lastStoredSeq(this._config().notebook_path, this._session)
          .catch(() => 0)
      };
    }
    if (isWriter !== this._isWriter) {
      this._isWriter = isWriter;
      this._writerChanged.emit(isWriter);
    }
  }

  private _setState(state: KernelAttachment.State): void {
    if (state !== this._state) {
      this._state = state;
      this._stateChanged.emit(state);
    }
  }

  private _acks: Promise<void> = Promise.resolve();
  /** What the store held of the session when this page was handed the writer. */
  private _floor: { comm: Kernel.IComm; stored: Promise<number> } | null = null;
  private _incoming: Promise<void> = Promise.resolve();
  private readonly _awareness: IAwareness | null;
  private _isWriter = false;
  private _attachedKernel: Kernel.IKernelConnection | null = null;
  private _attempt = 0;
  private _comm: Kernel.IComm | null = null;
  private readonly _config: () => HelperConfig;
  private readonly _eventsReceived = new Signal<
    this,
    readonly Runs.KernelEvent[]
  >(this);
  private readonly _frontend: FrontendRecorder.IShared;
  private readonly _helperSource: () => Promise<string>;
  private _isDisposed = false;
  private readonly _kernelEnded = new Signal<this, KernelAttachment.Ending>(
    this
  );
  private _needsAttach = false;
  private _recorder: FrontendRecorder | null = null;
  private _session: string | null = null;
  private readonly _sessionContext: ISessionContext;
  private _state: KernelAttachment.State = 'idle';
  private readonly _stateChanged = new Signal<this, KernelAttachment.State>(
    this
  );
  private _restartPending = false;
  private readonly _store: IRunStore;
  private _wasDisconnected = false;
  private readonly _writerChanged = new Signal<this, boolean>(this);
  private readonly _welcomed = new Signal<
    this,
    KernelAttachment.WelcomeRun | null
  >(this);
}

/**
 * Types of the kernel attachment.
 */
export namespace KernelAttachment {
  export interface IOptions {
    /**
     * The notebook's session, followed across kernel changes.
     */
    sessionContext: ISessionContext;

    /**
     * Where the kernel's events go.
     */
    store: IRunStore;

    /**
     * Loads the helper's Python source, for kernels that cannot import it.
     */
    helperSource: () => Promise<string>;

    /**
     * The helper configuration as it stands now (settings, notebook path
     * and whether the notebook is tracked).
     */
    config: () => HelperConfig;

    /**
     * What the frontend recorders of kernels that are not Python share in
     * this page; a new, unshared one by default.
     */
    frontend?: FrontendRecorder.IShared;

    /**
     * The awareness of the notebook's shared document under real-time
     * collaboration (see `FrontendRecorder.IOptions.awareness`), or null.
     */
    awareness?: IAwareness | null;
  }

  /**
   * The active run as the helper's welcome describes it.
   */
  export type WelcomeRun = {
    readonly id: string;
    readonly name: string;
    readonly params: Readonly<Record<string, unknown>>;
    /**
     * Whether the run began (a cell ran in it); the run a kernel opens on
     * its own is not until then. True from helpers that do not say.
     */
    readonly announced: boolean;
  };

  /**
   * How an attached kernel process ended.
   */
  export type Ending = 'restarted' | 'died' | 'closed';

  /**
   * Where attaching stands: no kernel (`idle`), a kernel not ready yet
   * (`waiting`), tracking `off`, `attaching`, `recording`, `other-tab`
   * (a kernel that is not Python, which another tab of this browser records)
   * or `failed`.
   */
  export type State =
    | 'idle'
    | 'waiting'
    | 'off'
    | 'attaching'
    | 'recording'
    | 'other-tab'
    | 'failed';
}

/**
 * Run code without a trace in the notebook: no output, no history, no
 * execution count, and no effect on queued cells if it fails.
 */
async function executeSilently(
  kernel: Kernel.IKernelConnection,
  code: string
): Promise<KernelMessage.IExecuteReplyMsg['content']> {
  const future = kernel.requestExecute({
    code,
    silent: true,
    store_history: false,
    allow_stdin: false,
    stop_on_error: false
  });
  const reply = await future.done;
  return reply.content;
}

/**
 * The well-formed events of a message: objects with a numeric `seq` and a
 * `kind`, in the order sent.
 */
function readEvents(value: unknown): Runs.KernelEvent[] {
  if (!Array.isArray(value)) {
    return [];
  }
  return value.filter(
    (event): event is Runs.KernelEvent =>
      event !== null &&
      typeof event === 'object' &&
      typeof event.seq === 'number' &&
      typeof event.kind === 'string'
  );
}

/**
 * The run of a welcome message, if it names one.
 */
function readRun(value: unknown): KernelAttachment.WelcomeRun | null {
  if (value === null || typeof value !== 'object') {
    return null;
  }
  const { id, name, params, announced } = value as Record<string, unknown>;
  if (typeof id !== 'string') {
    return null;
  }
  return {
    id,
    announced: announced !== false,
    name: typeof name === 'string' ? name : id,
    params:
      params !== null && typeof params === 'object'
        ? (params as Record<string, unknown>)
        : {}
  };
}
