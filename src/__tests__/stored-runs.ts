/**
 * Builders of runs as the store reads them back, for the tests of what
 * shows or compares them.
 */
import type { StoredRun } from '../store/reader';
import type { Runs } from '../tokens';

/**
 * Execution `exec` of cell `cellId`, which ran `source` for 10 ms at
 * `exec` seconds, successfully; `fields` replace any of that.
 */
export function storedExecution(
  exec: number,
  cellId: string | null,
  source: string,
  fields: Partial<StoredRun.Execution> = {}
): StoredRun.Execution {
  return {
    exec,
    cellId,
    executionCount: exec,
    source,
    startedAt: exec * 1000,
    endedAt: exec * 1000 + 10,
    duration: 10,
    outcome: 'ok',
    error: null,
    outputs: null,
    run: 'run-1',
    ...fields
  };
}

/**
 * Parameters set by assignment, with these values.
 */
export function storedParams(
  values: Readonly<Record<string, Runs.Scalar>>
): Record<string, StoredRun.Param> {
  return Object.fromEntries(
    Object.entries(values).map(([name, value]) => [
      name,
      { value, source: 'assignment', detail: null, exec: 1, time: 0 }
    ])
  );
}

/**
 * A finished run of `nb.ipynb` with nothing in it; `fields` fill it.
 */
export function storedRun(fields: Partial<StoredRun.Run> = {}): StoredRun.Run {
  return {
    id: 'run-1',
    name: 'run 1',
    notebookPath: 'nb.ipynb',
    status: 'finished',
    reason: 'kernel-start',
    startedAt: 0,
    endedAt: 1,
    updatedAt: 1,
    session: null,
    env: null,
    seq: 1,
    params: {},
    tags: {},
    note: null,
    executions: [],
    inherited: [],
    unknownInherited: [],
    files: [],
    metrics: [],
    snapshots: [],
    ...fields
  };
}

/**
 * An nbformat notebook of code cells, each `[id, source]`.
 */
export function codeNotebook(
  cells: readonly (readonly [string, string])[]
): Record<string, unknown> {
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {},
    cells: cells.map(([id, source]) => ({
      id,
      cell_type: 'code',
      source,
      metadata: {},
      outputs: [],
      execution_count: null
    }))
  };
}
