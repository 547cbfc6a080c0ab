import type { ISessionContext } from '@jupyterlab/apputils';
import { PathExt } from '@jupyterlab/coreutils';
import type { Kernel } from '@jupyterlab/services';
import type { TranslationBundle } from '@jupyterlab/translation';
import type { IDisposable } from '@lumino/disposable';
import type { ISignal } from '@lumino/signaling';
import { Signal } from '@lumino/signaling';

import { KernelAttachment } from '../capture/attachment';
import { helperConfig } from '../capture/bootstrap';
import { kernelExecution, OutputLinker } from '../capture/linker';
import { prepareNotebook, prepareOutputs } from '../capture/outputs';
import type { StoredRun } from '../store/reader';
import type { IRunsSettings, IRunStore, Runs } from '../tokens';
import { OutputCollector } from './outputs';
import type { RerunOrder, RerunStep } from './plan';
import { rerunNotebook, stepCellId } from './plan';
import type { RerunPlan } from './prepare';
import { prepareRerun } from './prepare';
import type { Reproduction } from './verdict';
import { reproductionVerdict } from './verdict';
import { verdictMark } from './mark';

/**
 * The tag a re-run carries: the id of the run it re-ran.
 */
export const REPRODUCES_TAG = 'reproduces';

/**
 * How long the kernel may take to start and greet the helper, and to report
 * the end of the re-run.
 */
const KERNEL_TIMEOUT = 60_000;

/**
 * Re-runs a recorded run in a fresh kernel of the same kind, recorded as a
 * new run of the same notebook tagged with the original's id, then judges
 * whether it reproduced the original. The working notebook, its kernel and
 * its file are never touched: the re-run has its own kernel session.
 */
export class RerunModel implements IDisposable {
  constructor(options: RerunModel.IOptions) {
    this.notebookPath = options.notebookPath;
    this.runId = options.runId;
    this.order = options.order;
    this._options = options;
  }

  readonly notebookPath: string;
  readonly runId: string;
  readonly order: RerunOrder;

  get state(): RerunModel.State {
    return this._state;
  }

  get stateChanged(): ISignal<this, RerunModel.State> {
    return this._stateChanged;
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /**
   * Whether the re-run can still be cancelled.
   */
  get isActive(): boolean {
    const kind = this._state.kind;
    return kind === 'preparing' || kind === 'running';
  }

  /**
   * Run it: read the original, start a kernel, execute the steps, end the
   * run, judge it. Never throws: a failure becomes the `failed` state.
   */
  async start(): Promise<void> {
    if (this._started) {
      return;
    }
    this._started = true;
    try {
      await this._rerun();
    } catch (reason) {
      this._set({
        kind: 'failed',
        message: reason instanceof Error ? reason.message : String(reason),
        rerunId: this._rerunId
      });
    } finally {
      await this._stopKernel();
    }
  }

  /**
   * Stop at the execution under way: the kernel is interrupted, the run
   * recorded so far is ended and kept.
   */
  cancel(): void {
    if (!this.isActive || this._cancelled) {
      return;
    }
    this._cancelled = true;
    void this._session?.session?.kernel?.interrupt().catch(() => undefined);
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this.cancel();
    this._isDisposed = true;
    void this._stopKernel();
    Signal.clearData(this);
  }

  private async _rerun(): Promise<void> {
    const { store, notebookPath, runId } = this._options;
    this._set({ kind: 'preparing', message: 'reading' });
    // The plan the user confirmed, when there was one: exactly that code runs.
    const plan =
      this._options.plan ??
      (await prepareRerun({
        store,
        notebookPath,
        runId,
        order: this.order,
        trans: this._options.trans
      }));
    const { original, notebook, steps } = plan;

    this._set({ kind: 'preparing', message: 'starting' });
    const kernel = await this._startKernel(plan.kernelName);
    if (this._cancelled) {
      throw new Error(
        this._options.trans.__(
          'cancelled before the first execution; nothing was recorded'
        )
      );
    }
    const rerunId = await this._startRun(original);
    const results = await this._execute(kernel, steps);
    await this._endRun(rerunId, steps, results, notebook);
    await store.updateRun(notebookPath, rerunId, {
      tags: { [REPRODUCES_TAG]: runId }
    });

    const rerun = (await store.readRun(notebookPath, rerunId)).value;
    if (!rerun) {
      throw new Error(
        this._options.trans.__('the re-run %1 was not stored', rerunId)
      );
    }
    const failed = results.find(result => result.error !== null);
    const verdict = reproductionVerdict(
      original,
      rerun,
      this._options.tolerance
    );
    let named = rerun;
    if (!this._cancelled) {
      // The list then says what the re-run showed without opening it.
      const name = `${rerun.name} ${verdictMark(verdict.overall)}`;
      await store.updateRun(notebookPath, rerunId, { name });
      named = { ...rerun, name };
    }
    this._set({
      kind: this._cancelled ? 'cancelled' : 'done',
      original,
      rerun: named,
      verdict,
      executed: results.length,
      total: steps.length,
      error: failed?.error ?? null
    });
  }

  /**
   * A fresh kernel in its own session, in the notebook's folder (so that
   * relative paths read the same files), recorded by a kernel attachment
   * that files its runs under the notebook.
   */
  private async _startKernel(
    name: string | null
  ): Promise<Kernel.IKernelConnection> {
    const { notebookPath, settings, store } = this._options;
    const folder = PathExt.dirname(notebookPath);
    const stem = PathExt.basename(notebookPath, PathExt.extname(notebookPath));
    const session = this._options.createSession({
      path: PathExt.join(
        folder,
        `${stem}.rerun-${this.runId}-${Date.now().toString(36)}.ipynb`
      ),
      name: this._options.trans.__('Re-run of %1', stem),
      kernelName: name
    });
    this._session = session;
    const needsKernel = await session.initialize();
    if (needsKernel || !session.session?.kernel) {
      await session.changeKernel(name ? { name } : {});
    }
    const kernel = session.session?.kernel;
    if (!kernel) {
      throw new Error(this._options.trans.__('no kernel could be started'));
    }
    this._attachment = new KernelAttachment({
      sessionContext: session,
      store,
      helperSource: this._options.helperSource,
      config: () => helperConfig(settings.config, notebookPath, true)
    });
    this._attachment.eventsReceived.connect(this._onEvents, this);
    await this._until(
      () => this._attachment?.state === 'recording',
      () =>
        this._attachment?.state === 'failed' ||
        this._attachment?.state === 'off',
      this._options.trans.__(
        'the kernel did not start recording (is tracking turned off?)'
      )
    );
    return kernel;
  }

  /**
   * Start the re-run's own run, named after the original; its id.
   */
  private async _startRun(original: StoredRun.Run): Promise<string> {
    const before = this._runStarts.length;
    this._attachment?.startRun(
      this._options.trans.__('re-run of %1', original.name)
    );
    await this._until(
      () => this._runStarts.length > before,
      () => false,
      this._options.trans.__('the kernel did not start the re-run')
    );
    this._rerunId = this._runStarts[this._runStarts.length - 1];
    return this._rerunId;
  }

  /**
   * Execute the steps in order, stopping at the first error (as Run All
   * does) or when cancelled; each step's outputs go to the store with the
   * kernel's record of the execution.
   */
  private async _execute(
    kernel: Kernel.IKernelConnection,
    steps: readonly RerunStep[]
  ): Promise<RerunModel.StepResult[]> {
    const results: RerunModel.StepResult[] = [];
    for (const [index, step] of steps.entries()) {
      if (this._cancelled) {
        break;
      }
      this._set({
        kind: 'running',
        step: index + 1,
        total: steps.length,
        source: step.source
      });
      const collector = new OutputCollector();
      const cellId = stepCellId(step, index);
      const future = kernel.requestExecute(
        {
          code: step.source,
          silent: false,
          store_history: true,
          allow_stdin: false,
          stop_on_error: true
        },
        true,
        { cellId }
      );
      future.onIOPub = message => collector.add(message);
      const reply = await future.done;
      const content = reply.content;
      const executionCount =
        'execution_count' in content &&
        typeof content.execution_count === 'number'
          ? content.execution_count
          : null;
      const outputs = collector.outputs;
      results.push({
        executionCount,
        outputs,
        error:
          content.status === 'error'
            ? `${content.ename}: ${content.evalue}`
            : content.status === 'aborted'
              ? this._options.trans.__('aborted')
              : null
      });
      if (executionCount !== null) {
        this._linker.addDisplayed({ cellId, executionCount, outputs });
      }
      if (content.status !== 'ok') {
        break;
      }
    }
    return results;
  }

  /**
   * End the re-run, wait until the kernel reported it, store its snapshot,
   * and let everything reach the store.
   */
  private async _endRun(
    rerunId: string,
    steps: readonly RerunStep[],
    results: readonly RerunModel.StepResult[],
    notebook: Record<string, unknown> | null
  ): Promise<void> {
    const { store, notebookPath, settings } = this._options;
    this._set({ kind: 'preparing', message: 'finishing' });
    this._attachment?.endRun();
    await this._until(
      () => this._runEnds.has(rerunId),
      () => false,
      this._options.trans.__('the kernel did not end the re-run')
    );
    const metadata = notebook?.metadata;
    store.saveSnapshot(notebookPath, {
      run: rerunId,
      time: Date.now(),
      notebook: prepareNotebook(
        rerunNotebook(
          steps,
          results,
          typeof metadata === 'object' && metadata !== null
            ? (metadata as Record<string, unknown>)
            : {}
        ),
        settings.config.outputCapBytes
      )
    });
    await store.flush();
  }

  private _onEvents(
    _: KernelAttachment,
    events: readonly Runs.KernelEvent[]
  ): void {
    for (const event of events) {
      const execution = kernelExecution(event);
      if (execution) {
        this._linker.addKernelExecution(execution);
      } else if (event.kind === 'run_start' && typeof event.run === 'string') {
        this._runStarts.push(event.run);
      } else if (event.kind === 'run_end' && typeof event.run === 'string') {
        this._runEnds.add(event.run);
      }
    }
  }

  /**
   * Resolves once `done()` holds, checked at each kernel event and every
   * 100 ms; rejects with `message` when `failed()` holds or on timeout.
   */
  private async _until(
    done: () => boolean,
    failed: () => boolean,
    message: string
  ): Promise<void> {
    const deadline = Date.now() + KERNEL_TIMEOUT;
    while (!done()) {
      if (failed() || Date.now() > deadline || this._isDisposed) {
        throw new Error(message);
      }
      await new Promise(resolve => setTimeout(resolve, 100));
    }
  }

  private async _stopKernel(): Promise<void> {
    const session = this._session;
    const attachment = this._attachment;
    this._session = null;
    this._attachment = null;
    attachment?.eventsReceived.disconnect(this._onEvents, this);
    attachment?.dispose();
    if (session) {
      await session.shutdown().catch(() => undefined);
      session.dispose();
    }
  }

  private _set(state: RerunModel.State): void {
    if (this._isDisposed) {
      return;
    }
    this._state = state;
    this._stateChanged.emit(state);
  }

  private _attachment: KernelAttachment | null = null;
  private _cancelled = false;
  private _isDisposed = false;
  private readonly _linker = new OutputLinker({
    onMatch: outputs =>
      this._options.store.addOutputs(this.notebookPath, {
        ...outputs,
        outputs: prepareOutputs(
          outputs.outputs,
          this._options.settings.config.outputCapBytes
        )
      })
  });
  private readonly _options: RerunModel.IOptions;
  private _rerunId: string | null = null;
  private readonly _runEnds = new Set<string>();
  private readonly _runStarts: string[] = [];
  private _session: ISessionContext | null = null;
  private _started = false;
  private _state: RerunModel.State = { kind: 'preparing', message: 'waiting' };
  private readonly _stateChanged = new Signal<this, RerunModel.State>(this);
}

export namespace RerunModel {
  export interface IOptions {
    notebookPath: string;
    runId: string;
    order: RerunOrder;
    /** What to run, as the user confirmed it; read from the store if absent. */
    plan?: RerunPlan;
    store: IRunStore;
    settings: IRunsSettings;
    tolerance: Reproduction.Tolerance;
    /** Loads the helper's Python source, for kernels that cannot import it. */
    helperSource: () => Promise<string>;
    /** A session context of its own for the re-run's kernel. */
    createSession: (options: {
      path: string;
      name: string;
      kernelName: string | null;
    }) => ISessionContext;
    trans: TranslationBundle;
  }

  /**
   * What one step gave: its execution count, outputs, and the error that
   * stopped the re-run there, if any.
   */
  export type StepResult = {
    readonly executionCount: number | null;
    readonly outputs: readonly Record<string, unknown>[];
    readonly error: string | null;
  };

  export type State =
    | {
        readonly kind: 'preparing';
        readonly message: 'waiting' | 'reading' | 'starting' | 'finishing';
      }
    | {
        readonly kind: 'running';
        readonly step: number;
        readonly total: number;
        readonly source: string;
      }
    | {
        readonly kind: 'done' | 'cancelled';
        readonly original: StoredRun.Run;
        readonly rerun: StoredRun.Run;
        readonly verdict: Reproduction.Verdict;
        /** How many steps ran, of `total`. */
        readonly executed: number;
        readonly total: number;
        /** The error that stopped the re-run early, or null. */
        readonly error: string | null;
      }
    | {
        readonly kind: 'failed';
        readonly message: string;
        readonly rerunId: string | null;
      };
}
