import type { IDisposable } from '@lumino/disposable';
import type { ISignal } from '@lumino/signaling';
import { Signal } from '@lumino/signaling';

import type { Runs } from '../tokens';
import type { KernelAttachment } from './attachment';

/**
 * The run going on in one notebook's kernel, followed from the kernel's
 * events: what the toolbar and the Runs panel show as active.
 */
export class ActiveRunModel implements IDisposable {
  /**
   * Emitted whenever anything the model holds changes.
   */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /**
   * The active run, or the last one of this kernel once it ended; `null`
   * before the kernel reported any.
   */
  get run(): Runs.ActiveRun | null {
    return this._run;
  }

  /**
   * How this notebook's kernel is being recorded.
   */
  get capture(): ActiveRunModel.Capture {
    return this._capture;
  }

  set capture(capture: ActiveRunModel.Capture) {
    if (capture === this._capture) {
      return;
    }
    this._capture = capture;
    this._changed.emit();
  }

  /**
   * Apply kernel events, in `seq` order. Events already applied (replayed
   * after a reconnection) are skipped.
   */
  applyEvents(events: readonly Runs.KernelEvent[]): void {
    let changed = false;
    for (const event of events) {
      if (event.seq <= this._lastSeq) {
        continue;
      }
      this._lastSeq = event.seq;
      changed = this._apply(event) || changed;
    }
    if (changed) {
      this._changed.emit();
    }
  }

  /**
   * Adopt the run the kernel says is active when this frontend attaches:
   * its start may have been stored, and acknowledged, long before.
   */
  adopt(run: KernelAttachment.WelcomeRun | null): void {
    // A run nothing ran in yet is not shown: the notebook is ready to
    // record, and its `run_start` comes with the first cell.
    if (run === null || !run.announced || run.id === this._run?.id) {
      return;
    }
    this._params = new Set(Object.keys(run.params));
    this._metrics = new Set();
    this._run = {
      id: run.id,
      name: run.name,
      status: 'running',
      paramsCount: this._params.size,
      metricsCount: 0
    };
    this._changed.emit();
  }

  /**
   * Show the run another page follows from the kernel's events: the page
   * of a collaborator that writes this notebook's runs, under real-time
   * collaboration (the kernel sends its events to that page only).
   */
  follow(run: Runs.ActiveRun | null): void {
    if (run === null || sameRun(run, this._run)) {
      return;
    }
    if (run.id !== this._run?.id) {
      // Should this page write later, the new run's names start afresh.
      this._params = new Set();
      this._metrics = new Set();
    }
    this._run = { ...run };
    this._changed.emit();
  }

  /**
   * Mark the active run as ended without a `run_end` event: its kernel
   * process ended (`finished` on a restart or shutdown, `crashed` when it
   * died).
   */
  markEnded(status: 'finished' | 'crashed'): void {
    if (this._endRun(status)) {
      this._changed.emit();
    }
  }

  /**
   * Forget the event sequence: a new kernel process numbers its events from
   * 1 again. The last run stays shown until the new kernel starts one.
   */
  resetSequence(): void {
    this._lastSeq = 0;
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    Signal.clearData(this);
  }

  /**
   * Apply one event; say whether the model changed.
   */
  private _apply(event: Runs.KernelEvent): boolean {
    switch (event.kind) {
      case 'run_start':
        return this._startRun(event);
      case 'run_end':
        return (
          event.run === this._run?.id &&
          isStatus(event.status) &&
          this._endRun(event.status)
        );
      case 'param':
        return this._count(event, this._params, 'paramsCount');
      case 'metric':
        return this._count(event, this._metrics, 'metricsCount');
      default:
        return false;
    }
  }

  private _startRun(event: Runs.KernelEvent): boolean {
    if (typeof event.run !== 'string') {
      return false;
    }
    const params = Array.isArray(event.params) ? event.params : [];
    this._params = new Set(params.map(param => nameOf(param)).filter(isString));
    this._metrics = new Set();
    this._run = {
      id: event.run,
      name: typeof event.name === 'string' ? event.name : event.run,
      status: 'running',
      paramsCount: this._params.size,
      metricsCount: 0
    };
    return true;
  }

  private _endRun(status: Runs.RunStatus): boolean {
    if (this._run === null || this._run.status !== 'running') {
      return false;
    }
    this._run = { ...this._run, status };
    return true;
  }

  /**
   * Count a parameter or metric of the active run by its distinct names.
   */
  private _count(
    event: Runs.KernelEvent,
    names: Set<string>,
    field: 'paramsCount' | 'metricsCount'
  ): boolean {
    const name = nameOf(event);
    if (this._run === null || event.run !== this._run.id || name === null) {
      return false;
    }
    if (names.has(name)) {
      return false;
    }
    names.add(name);
    this._run = { ...this._run, [field]: names.size };
    return true;
  }

  private _capture: ActiveRunModel.Capture = 'idle';
  private readonly _changed = new Signal<this, void>(this);
  private _isDisposed = false;
  private _lastSeq = 0;
  private _metrics = new Set<string>();
  private _params = new Set<string>();
  private _run: Runs.ActiveRun | null = null;
}

/**
 * Types of the active run model.
 */
export namespace ActiveRunModel {
  /**
   * How the notebook's kernel is being recorded: the kernel attachment's
   * state.
   */
  export type Capture = KernelAttachment.State;
}

const STATUSES: readonly string[] = [
  'running',
  'finished',
  'failed',
  'interrupted',
  'crashed'
];

/**
 * Whether `value` is a run status.
 */
export function isStatus(value: unknown): value is Runs.RunStatus {
  return typeof value === 'string' && STATUSES.includes(value);
}

function isString(value: unknown): value is string {
  return typeof value === 'string';
}

function nameOf(value: unknown): string | null {
  if (value === null || typeof value !== 'object') {
    return null;
  }
  const name = (value as { name?: unknown }).name;
  return typeof name === 'string' ? name : null;
}

/**
 * Whether two active runs show the same.
 */
export function sameRun(
  a: Runs.ActiveRun | null,
  b: Runs.ActiveRun | null
): boolean {
  if (a === null || b === null) {
    return a === b;
  }
  return (
    a.id === b.id &&
    a.name === b.name &&
    a.status === b.status &&
    a.paramsCount === b.paramsCount &&
    a.metricsCount === b.metricsCount
  );
}
