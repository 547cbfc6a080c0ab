/**
 * The diff of what two runs executed, for runs without notebook snapshots:
 * the cells as the kernel last ran them, in the same shape as a notebook
 * diff.
 */
import type { StoredRun } from '../store/reader';
import type { CellDiff } from './cells';
import { diffCells } from './cells';
import type { LineDiff } from './lines';
import type { ComparedCell } from './match';

/**
 * The per-cell diff of two runs' executions. Each cell counts once, with
 * the source of its last execution, at the place of its first: that order
 * follows the notebook when it was run top to bottom. Executions without a
 * cell id count as cells without ids, one per distinct source.
 */
export function diffExecutions(
  oldExecutions: readonly StoredRun.Execution[],
  newExecutions: readonly StoredRun.Execution[],
  options: LineDiff.Options = {}
): CellDiff.Result {
  return diffCells(
    executedCells(oldExecutions),
    executedCells(newExecutions),
    options
  );
}

/**
 * The cells a run executed, as compared; executions are taken in the
 * order given (the kernel's).
 */
export function executedCells(
  executions: readonly Pick<StoredRun.Execution, 'cellId' | 'source'>[]
): ComparedCell[] {
  const cells = new Map<string, ComparedCell>();
  for (const execution of executions) {
    const source = typeof execution.source === 'string' ? execution.source : '';
    const id =
      typeof execution.cellId === 'string' && execution.cellId !== ''
        ? execution.cellId
        : null;
    // Ids and sources cannot collide: the keys start differently.
    const key = id === null ? `source:${source}` : `id:${id}`;
    // Setting an existing key keeps its place in the map's order.
    cells.set(key, { id, type: 'code', source });
  }
  return [...cells.values()];
}
