import { notebookCells } from '../compare/cells';
import type { StoredRun } from '../store/reader';

/**
 * One execution of a run as it really happened, with what hides state:
 * the cell ran above one run before it, was edited after it ran, or has
 * been edited or deleted in the notebook since.
 */
export type ExecutedStep = {
  readonly exec: number;
  readonly cellId: string | null;
  readonly executionCount: number | null;
  readonly source: string;
  readonly outcome: StoredRun.Execution['outcome'];
  readonly startedAt: number;
  readonly duration: number;
  /** Ran before the run began, building the state it started from. */
  readonly inherited: boolean;
  /** The cell's place in the run's notebook (0-based), when known. */
  readonly position: number | null;
  /** The cell is above the cell executed just before it. */
  readonly outOfOrder: boolean;
  /** The run's notebook shows another source for the cell than it ran. */
  readonly editedAfterRun: boolean;
  /** What became of the cell in the notebook now, when it is known. */
  readonly now: 'same' | 'edited' | 'deleted' | 'unknown';
};

/**
 * The run's executions (those it inherited first) in the order the kernel
 * ran them, each marked against the run's last snapshot (`snapshot`, the
 * notebook as the run left it) and the notebook as it is now (`current`);
 * either may be null when not known.
 */
export function asExecuted(
  run: Pick<StoredRun.Run, 'executions' | 'inherited'>,
  snapshot: unknown,
  current: unknown
): ExecutedStep[] {
  const before = cellsById(snapshot);
  const now = current === null ? null : cellsById(current);
  const executions = [
    ...run.inherited.map(execution => ({ execution, inherited: true })),
    ...run.executions.map(execution => ({ execution, inherited: false }))
  ].sort((a, b) => a.execution.exec - b.execution.exec);
  let previous: number | null = null;
  return executions.map(({ execution, inherited }) => {
    const known =
      execution.cellId !== null ? before.get(execution.cellId) : undefined;
    const position = known?.position ?? null;
    const outOfOrder =
      position !== null && previous !== null && position < previous;
    if (position !== null) {
      previous = position;
    }
    const later =
      now === null || execution.cellId === null
        ? null
        : (now.get(execution.cellId) ?? null);
    return {
      exec: execution.exec,
      cellId: execution.cellId,
      executionCount: execution.executionCount,
      source: execution.source,
      outcome: execution.outcome,
      startedAt: execution.startedAt,
      duration: execution.duration,
      inherited,
      position,
      outOfOrder,
      editedAfterRun: known !== undefined && known.source !== execution.source,
      now:
        now === null || execution.cellId === null
          ? 'unknown'
          : later === null
            ? 'deleted'
            : later.source === execution.source
              ? 'same'
              : 'edited'
    };
  });
}

/**
 * Counts of what `asExecuted` marked, for a summary line.
 */
export function hiddenStateCounts(steps: readonly ExecutedStep[]): {
  outOfOrder: number;
  editedAfterRun: number;
  editedSince: number;
  deletedSince: number;
} {
  return {
    outOfOrder: steps.filter(step => step.outOfOrder).length,
    editedAfterRun: steps.filter(step => step.editedAfterRun).length,
    editedSince: steps.filter(step => step.now === 'edited').length,
    deletedSince: steps.filter(step => step.now === 'deleted').length
  };
}

/**
 * The cells of a notebook (nbformat JSON) by id, with their place.
 */
function cellsById(
  notebook: unknown
): Map<string, { position: number; source: string }> {
  const cells = new Map<string, { position: number; source: string }>();
  notebookCells(notebook).forEach((cell, position) => {
    if (cell.id !== null && !cells.has(cell.id)) {
      cells.set(cell.id, { position, source: cell.source });
    }
  });
  return cells;
}
