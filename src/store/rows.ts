import type { Runs } from '../tokens';
import type { StoreFormat } from './format';

/**
 * How many rows the index head keeps before its oldest move to a segment.
 */
export const HEAD_ROWS = 1000;

/**
 * How many rows one index segment holds.
 */
export const SEGMENT_ROWS = 1000;

/**
 * The run-list line of an index row: what the sidebar shows of the run.
 */
export function summaryOfRow(
  row: StoreFormat.IndexRow,
  notebookPath: string
): Runs.RunSummary {
  return {
    id: row.id,
    name: row.name,
    notebookPath,
    status: row.status,
    startedAt: row.startedAt,
    endedAt: row.endedAt,
    params: row.params,
    metrics: row.metrics,
    tags: row.tags,
    // The user's note, pin and archiving are in the annotations file.
    note: null,
    pinned: false,
    archived: false
  };
}

/**
 * Rows newest first: by start time, then by id (ids sort by time).
 */
export function sortRows(
  rows: Iterable<StoreFormat.IndexRow>
): StoreFormat.IndexRow[] {
  return [...rows].sort(
    (a, b) =>
      b.startedAt - a.startedAt || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0)
  );
}

/**
 * Merge rows into a run list by run id: of two rows of one run, the one
 * updated last wins (`updates` win ties), with the packs of both.
 */
export function mergeRows(
  base: Iterable<StoreFormat.IndexRow>,
  updates: Iterable<StoreFormat.IndexRow>
): StoreFormat.IndexRow[] {
  const byId = new Map<string, StoreFormat.IndexRow>();
  const add = (row: StoreFormat.IndexRow, winsTies: boolean): void => {
    const known = byId.get(row.id);
    if (!known) {
      byId.set(row.id, row);
      return;
    }
    const newer =
      row.updatedAt > known.updatedAt ||
      (winsTies && row.updatedAt === known.updatedAt);
    const [winner, other] = newer ? [row, known] : [known, row];
    const packs = [...new Set([...winner.packs, ...other.packs])];
    byId.set(
      row.id,
      packs.length === winner.packs.length ? winner : { ...winner, packs }
    );
  };
  for (const row of base) {
    add(row, false);
  }
  for (const row of updates) {
    add(row, true);
  }
  return sortRows(byId.values());
}

/**
 * Split a head that grew too long: while it holds more than
 * `HEAD_ROWS + SEGMENT_ROWS` rows, its oldest `SEGMENT_ROWS` rows of runs that
 * are not running go to a new segment, written once. Running runs stay in
 * the head, which is rewritten as they change. Segments come oldest first.
 */
export function sealOldRows(rows: readonly StoreFormat.IndexRow[]): {
  head: StoreFormat.IndexRow[];
  sealed: StoreFormat.IndexRow[][];
} {
  let head = [...rows];
  const sealed: StoreFormat.IndexRow[][] = [];
  while (head.length > HEAD_ROWS + SEGMENT_ROWS) {
    const oldest = new Set<StoreFormat.IndexRow>();
    for (let i = head.length - 1; i >= 0 && oldest.size < SEGMENT_ROWS; i--) {
      if (head[i].status !== 'running') {
        oldest.add(head[i]);
      }
    }
    if (oldest.size < SEGMENT_ROWS) {
      break;
    }
    sealed.push(head.filter(row => oldest.has(row)));
    head = head.filter(row => !oldest.has(row));
  }
  return { head, sealed };
}
