import type { Runs } from '../tokens';
import type { OutputJSON } from './outputs';

/**
 * What the kernel said about one execution: the run and execution it belongs
 * to, and how to recognise the cell that ran it.
 */
export type KernelExecution = {
  readonly run: string;
  readonly exec: number;
  readonly cellId: string | null;
  readonly executionCount: number;
};

/**
 * What the notebook showed when a cell finished executing.
 */
export type DisplayedExecution = {
  readonly cellId: string;
  readonly executionCount: number;
  readonly outputs: readonly OutputJSON[];
};

/**
 * Pairs the kernel's `execution` events with the outputs the notebook
 * displayed for the same execution, whichever arrives first.
 *
 * #### Notes
 * Within one kernel process the execution count identifies an execution; the
 * cell id, when the kernel knows it, guards against pairing a count with a
 * cell that did not run it. Call `reset()` when the kernel process changes,
 * since counts then start again. Each side keeps at most `limit` unmatched
 * entries: an execution whose other half never comes (tracking switched off,
 * a cell run before the helper attached) must not pile up.
 */
export class OutputLinker {
  constructor(options: OutputLinker.IOptions) {
    this._onMatch = options.onMatch;
    this._limit = options.limit ?? 100;
  }

  /**
   * Record a kernel execution event.
   */
  addKernelExecution(execution: KernelExecution): void {
    const displayed = this._displayed.get(execution.executionCount);
    if (displayed && sameCell(displayed.cellId, execution.cellId)) {
      this._displayed.delete(execution.executionCount);
      this._match(execution, displayed);
      return;
    }
    remember(this._kernel, execution.executionCount, execution, this._limit);
  }

  /**
   * Record the outputs a cell displayed when it finished executing.
   */
  addDisplayed(displayed: DisplayedExecution): void {
    const execution = this._kernel.get(displayed.executionCount);
    if (execution && sameCell(displayed.cellId, execution.cellId)) {
      this._kernel.delete(displayed.executionCount);
      this._match(execution, displayed);
      return;
    }
    remember(this._displayed, displayed.executionCount, displayed, this._limit);
  }

  /**
   * Forget everything unmatched: the kernel process changed.
   */
  reset(): void {
    this._kernel.clear();
    this._displayed.clear();
  }

  private _match(
    execution: KernelExecution,
    displayed: DisplayedExecution
  ): void {
    this._onMatch({
      run: execution.run,
      exec: execution.exec,
      outputs: displayed.outputs
    });
  }

  private readonly _displayed = new Map<number, DisplayedExecution>();
  private readonly _kernel = new Map<number, KernelExecution>();
  private readonly _limit: number;
  private readonly _onMatch: (outputs: Runs.ExecutionOutputs) => void;
}

/**
 * Types of the output linker.
 */
export namespace OutputLinker {
  export interface IOptions {
    /**
     * Called with each execution's outputs once both halves are known.
     */
    onMatch: (outputs: Runs.ExecutionOutputs) => void;

    /**
     * How many unmatched entries each side keeps; 100 by default.
     */
    limit?: number;
  }
}

/**
 * Read the fields the linker needs from a kernel `execution` event, or
 * `null` when the event cannot be linked (a silent execution has no count).
 */
export function kernelExecution(
  event: Runs.KernelEvent
): KernelExecution | null {
  const { run, exec, cell_id: cellId, execution_count: count } = event;
  if (
    event.kind !== 'execution' ||
    typeof run !== 'string' ||
    typeof exec !== 'number' ||
    typeof count !== 'number'
  ) {
    return null;
  }
  return {
    run,
    exec,
    cellId: typeof cellId === 'string' ? cellId : null,
    executionCount: count
  };
}

/**
 * The outputs another tab displayed, from the helper's `outputs` event
 * (docs/CAPTURE.md), or null for any other event.
 */
export function forwardedOutputs(
  event: Runs.KernelEvent
): Runs.ExecutionOutputs | null {
  const { run, exec, outputs } = event;
  if (
    event.kind !== 'outputs' ||
    typeof run !== 'string' ||
    typeof exec !== 'number' ||
    !Array.isArray(outputs)
  ) {
    return null;
  }
  return {
    run,
    exec,
    outputs: outputs.filter(
      (output): output is Record<string, unknown> =>
        typeof output === 'object' && output !== null
    )
  };
}

/**
 * A kernel that does not know the cell id cannot contradict the notebook.
 */
function sameCell(displayedId: string, kernelId: string | null): boolean {
  return kernelId === null || kernelId === displayedId;
}

/**
 * Add an entry, dropping the oldest when the map is full. Maps iterate in
 * insertion order, so the first key is the oldest.
 */
function remember<T>(
  entries: Map<number, T>,
  key: number,
  value: T,
  limit: number
): void {
  entries.delete(key);
  entries.set(key, value);
  while (entries.size > limit) {
    const oldest = entries.keys().next().value as number;
    entries.delete(oldest);
  }
}
