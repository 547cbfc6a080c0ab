import type { StoredRun } from '../store/reader';

/**
 * In which order a re-run executes: the run's executions as the kernel ran
 * them (with those it inherited from earlier runs of its session first), or
 * the code cells of the run's notebook snapshot from top to bottom.
 */
export type RerunOrder = 'executed' | 'notebook';

/**
 * One execution of a re-run.
 */
export type RerunStep = {
  /** The cell it comes from, when known: the kernel records it. */
  readonly cellId: string | null;
  readonly source: string;
};

/**
 * The executions that built the run's results, in the order the kernel ran
 * them: those inherited from earlier runs of its kernel session (which set
 * up its state), then its own.
 */
export function executedPlan(run: StoredRun.Run): RerunStep[] {
  return [...run.inherited, ...run.executions]
    .slice()
    .sort((a, b) => a.exec - b.exec)
    .map(execution => ({
      cellId: execution.cellId,
      source: execution.source
    }));
}

/**
 * The code cells of a notebook (nbformat JSON), top to bottom; cells with
 * nothing but blank lines are left out, as Run All sends them without effect.
 */
export function notebookPlan(notebook: Record<string, unknown>): RerunStep[] {
  const cells = Array.isArray(notebook.cells) ? notebook.cells : [];
  const steps: RerunStep[] = [];
  for (const cell of cells) {
    if (!isRecord(cell) || cell.cell_type !== 'code') {
      continue;
    }
    const source = Array.isArray(cell.source)
      ? cell.source.join('')
      : typeof cell.source === 'string'
        ? cell.source
        : '';
    if (source.trim() === '') {
      continue;
    }
    steps.push({
      cellId: typeof cell.id === 'string' ? cell.id : null,
      source
    });
  }
  return steps;
}

/**
 * The kernel to re-run with: the notebook snapshot's kernelspec name, else
 * null (the server's default).
 */
export function kernelNameOf(
  notebook: Record<string, unknown> | null
): string | null {
  const metadata = notebook && notebook.metadata;
  const spec = isRecord(metadata) ? metadata.kernelspec : null;
  const name = isRecord(spec) ? spec.name : null;
  return typeof name === 'string' && name !== '' ? name : null;
}

/**
 * The notebook a re-run leaves as its snapshot: one code cell per step with
 * the outputs it gave, under the original's notebook metadata.
 */
export function rerunNotebook(
  steps: readonly RerunStep[],
  results: readonly {
    readonly executionCount: number | null;
    readonly outputs: readonly Record<string, unknown>[];
  }[],
  metadata: Record<string, unknown>
): Record<string, unknown> {
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata,
    cells: results.map((result, index) => ({
      id: stepCellId(steps[index], index),
      cell_type: 'code',
      metadata: {},
      source: steps[index].source,
      execution_count: result.executionCount,
      outputs: result.outputs
    }))
  };
}

/**
 * A step's cell id; steps of the same cell (run twice in executed order)
 * get distinct ones, as nbformat requires.
 */
export function stepCellId(step: RerunStep, index: number): string {
  return `${step.cellId ?? 'cell'}-${index + 1}`.slice(0, 64);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
