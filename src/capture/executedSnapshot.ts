import type { OutputJSON } from './outputs';
import { prepareNotebook } from './outputs';

/**
 * One execution of a code cell, as a run's snapshot shows the cell.
 */
export type ExecutedVersion = {
  /** The execution count the kernel gave it. */
  readonly count: number;
  /** The source exactly as the kernel ran it. */
  readonly source: string;
  /** Its outputs as displayed, or null when they are not known. */
  readonly outputs: readonly OutputJSON[] | null;
  /**
   * Whether the outputs were read back from the store: already capped and
   * redacted, so they are not capped again (a second cut would misstate
   * the size of what the first one cut).
   */
  readonly stored: boolean;
  /**
   * The whole cell (metadata and all) as this page saw it when the
   * execution finished, when this page saw it.
   */
  readonly cell?: Readonly<Record<string, unknown>>;
};

/**
 * The executions known of each code cell in the kernel process of a run,
 * by cell id, in any order.
 */
export type ExecutedVersions = ReadonlyMap<string, readonly ExecutedVersion[]>;

/**
 * How a run's notebook is rebuilt from what its kernel executed.
 */
export type ExecutedOptions = {
  /**
   * The count of the run's last execution, when the kernel said: a cell
   * run after it (Run All going on into the next run) is put back as it
   * stood then. Without it, every known execution counts.
   */
  readonly lastCount?: number;
  /** The cells queued or running now, by id. */
  readonly pending: ReadonlySet<string>;
  /**
   * The id of each cell, in order, when the notebook's JSON has none: the
   * format before 4.5 keeps no ids, and the kernel still knows each cell by
   * its model's.
   */
  readonly cellIds?: readonly string[];
};

/**
 * A notebook's nbformat JSON as a run executed it: each code cell the
 * kernel ran (up to the run's last execution) holds the source the kernel
 * ran, with that execution's count and outputs, whatever the editor shows
 * now; a cell never run in the kernel process keeps what the editor shows,
 * except that a cell run or queued after the run's end shows no outputs.
 *
 * #### Notes
 * The editor is only the frame (the cells' order, markdown, metadata): a
 * user may edit a cell for the next run, or reload the page, before the
 * run ends, and the run's snapshot must still be what the kernel ran.
 */
export function executedNotebook(
  notebook: Record<string, unknown>,
  versions: ExecutedVersions,
  options: ExecutedOptions
): Record<string, unknown> {
  if (!Array.isArray(notebook.cells)) {
    return notebook;
  }
  return {
    ...notebook,
    cells: notebook.cells.map(
      (cell, index) => executedCell(cell, index, versions, options).cell
    )
  };
}

/**
 * `executedNotebook` as a snapshot stores it: redacted, each cell's outputs
 * capped at `capBytes`, except outputs read back from the store, which
 * already are.
 */
export function prepareExecutedNotebook(
  notebook: Record<string, unknown>,
  versions: ExecutedVersions,
  options: ExecutedOptions,
  capBytes: number
): Record<string, unknown> {
  if (!Array.isArray(notebook.cells)) {
    return prepareNotebook(notebook, capBytes);
  }
  const built = notebook.cells.map((cell, index) =>
    executedCell(cell, index, versions, options)
  );
  const prepared = prepareNotebook(
    {
      ...notebook,
      cells: built.map(({ cell, stored }) =>
        stored && isRecord(cell) ? { ...cell, outputs: [] } : cell
      )
    },
    capBytes
  );
  const cells = prepared.cells as unknown[];
  return {
    ...prepared,
    cells: cells.map((cell, index) => {
      const stored = built[index].stored;
      return stored && isRecord(cell) ? { ...cell, outputs: stored } : cell;
    })
  };
}

/**
 * A cell as the run executed it, and its outputs when they were read back
 * from the store (`stored`), else null.
 */
function executedCell(
  cell: unknown,
  index: number,
  versions: ExecutedVersions,
  options: ExecutedOptions
): { cell: unknown; stored: readonly OutputJSON[] | null } {
  const id = isRecord(cell)
    ? typeof cell.id === 'string'
      ? cell.id
      : options.cellIds?.[index]
    : undefined;
  if (!isRecord(cell) || id === undefined) {
    return { cell, stored: null };
  }
  const { lastCount, pending } = options;
  const shown = cell.execution_count;
  // Run or queued since the run ended: what the editor shows is not the run's.
  const since =
    pending.has(id) ||
    (lastCount !== undefined && typeof shown === 'number' && shown > lastCount);
  const ran = latest(versions.get(id) ?? [], lastCount);
  if (!ran) {
    return {
      cell: since ? { ...cell, outputs: [], execution_count: null } : cell,
      stored: null
    };
  }
  // The outputs the editor shows for that same execution are the freshest
  // (a display updated after the cell finished); but the counts of a page
  // reloaded since may be those of another kernel process, so outputs read
  // back from the store come first.
  let outputs = ran.outputs;
  let stored = ran.stored ? outputs : null;
  if (!since && shown === ran.count && (outputs === null || !ran.stored)) {
    outputs = Array.isArray(cell.outputs) ? cell.outputs : null;
    stored = null;
  }
  return {
    cell: {
      ...cell,
      ...(since && ran.cell ? ran.cell : {}),
      source: ran.source,
      execution_count: ran.count,
      outputs: outputs ?? []
    },
    stored
  };
}

/**
 * The latest execution up to `lastCount` (any, without it).
 */
function latest(
  versions: readonly ExecutedVersion[],
  lastCount: number | undefined
): ExecutedVersion | null {
  let found: ExecutedVersion | null = null;
  for (const version of versions) {
    if (
      (lastCount === undefined || version.count <= lastCount) &&
      (found === null || version.count > found.count)
    ) {
      found = version;
    }
  }
  return found;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
