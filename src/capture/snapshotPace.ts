import type { IDisposable } from '@lumino/disposable';

/**
 * The least time between two run-end snapshots of one notebook.
 */
export const SNAPSHOT_INTERVAL_MS = 2000;

/**
 * Paces the run-end snapshots of one notebook: at most one per interval.
 *
 * Each snapshot copies, redacts and hashes the whole notebook, so a loop that
 * ends runs quickly (`start_run` in a loop, say) would freeze the page. A run
 * that ends within the interval after the last snapshot waits for its end;
 * then the latest run waiting is snapshotted, and the runs it displaced end
 * without a snapshot of their own.
 */
export class SnapshotPace implements IDisposable {
  /**
   * @param take - Takes the snapshot of a run, as it stood at the run's last
   * execution (`lastCount`).
   * @param interval - The least time between two snapshots, in ms.
   */
  constructor(
    private readonly _take: (run: string, lastCount?: number) => void,
    private readonly _interval = SNAPSHOT_INTERVAL_MS
  ) {}

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /**
   * Snapshot `run` now, or at the end of the interval if one was just taken.
   */
  request(run: string, lastCount?: number): void {
    if (this._isDisposed) {
      return;
    }
    const wait = this._last + this._interval - Date.now();
    if (wait <= 0 && this._timer === null) {
      this._takeNow(run, lastCount);
      return;
    }
    this._waiting = { run, lastCount };
    if (this._timer === null) {
      this._timer = setTimeout(() => this.flush(), Math.max(wait, 0));
    }
  }

  /**
   * Take the waiting snapshot now (the kernel ended: what it refers to is
   * about to be forgotten).
   */
  flush(): void {
    if (this._timer !== null) {
      clearTimeout(this._timer);
      this._timer = null;
    }
    const waiting = this._waiting;
    this._waiting = null;
    if (waiting && !this._isDisposed) {
      this._takeNow(waiting.run, waiting.lastCount);
    }
  }

  /**
   * Take the waiting snapshot, then stop.
   */
  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this.flush();
    this._isDisposed = true;
  }

  private _takeNow(run: string, lastCount?: number): void {
    this._last = Date.now();
    this._take(run, lastCount);
  }

  private _isDisposed = false;
  private _last = -Infinity;
  private _timer: ReturnType<typeof setTimeout> | null = null;
  private _waiting: { run: string; lastCount?: number } | null = null;
}
