/**
 * The per-cell diff of two notebook snapshots, for the compare view and the
 * "what changed since" view. Only cell types and sources count: outputs,
 * execution counts and metadata are ignored.
 */
import type { LineDiff } from './lines';
import { diffLines } from './lines';
import type { CellPair, ComparedCell, MatchKind } from './match';
import { inOrder, matchCells } from './match';

/**
 * The shapes of a cell diff.
 */
export namespace CellDiff {
  /**
   * What became of a cell. `changed`: its source or its type changed.
   * `moved`: its place among the other cells changed; its source may have
   * changed too (see `sourceChanged`).
   */
  export type Status = 'unchanged' | 'changed' | 'added' | 'removed' | 'moved';

  /**
   * One cell of the diff. `old*` fields are null for an added cell, `new*`
   * fields for a removed one; indices are 0-based.
   */
  export type Cell = {
    readonly status: Status;
    /** The new cell's id, else the old one's. */
    readonly id: string | null;
    readonly oldIndex: number | null;
    readonly newIndex: number | null;
    readonly oldType: string | null;
    readonly newType: string | null;
    readonly oldSource: string | null;
    readonly newSource: string | null;
    /** True when both cells exist and their sources differ. */
    readonly sourceChanged: boolean;
    /** The line diff when `sourceChanged`, else null. */
    readonly lines: LineDiff.Result | null;
    /** How the two cells were matched; null for an added or removed cell. */
    readonly matchedBy: MatchKind | null;
  };

  /**
   * How many cells of each kind. `changed` counts every cell whose source
   * or type changed, moved or not; `moved` every moved cell.
   */
  export type Counts = {
    readonly unchanged: number;
    readonly changed: number;
    readonly added: number;
    readonly removed: number;
    readonly moved: number;
  };

  /**
   * The cells in the new notebook's order, each removed cell where it was
   * (just before the cell that followed it, if that one is still there).
   */
  export type Result = {
    readonly cells: readonly Cell[];
    readonly counts: Counts;
    readonly identical: boolean;
  };
}

/**
 * The per-cell diff of two notebooks as nbformat JSON; odd input (no cells,
 * cells that are not objects) counts as no cells rather than throwing.
 */
export function diffNotebooks(
  oldNotebook: unknown,
  newNotebook: unknown,
  options: LineDiff.Options = {}
): CellDiff.Result {
  return diffCells(
    notebookCells(oldNotebook),
    notebookCells(newNotebook),
    options
  );
}

/**
 * The cells of an nbformat notebook, as compared.
 */
export function notebookCells(notebook: unknown): ComparedCell[] {
  const cells = isObject(notebook) ? notebook.cells : undefined;
  if (!Array.isArray(cells)) {
    return [];
  }
  return cells.filter(isObject).map((cell): ComparedCell => ({
    id: typeof cell.id === 'string' && cell.id !== '' ? cell.id : null,
    type: typeof cell.cell_type === 'string' ? cell.cell_type : 'code',
    source: sourceText(cell.source)
  }));
}

/**
 * A cell's source as one string: nbformat allows a string or a list of
 * strings (lines keeping their line breaks).
 */
export function sourceText(source: unknown): string {
  if (typeof source === 'string') {
    return source;
  }
  if (Array.isArray(source)) {
    return source.filter(line => typeof line === 'string').join('');
  }
  return '';
}

/**
 * The per-cell diff of two lists of cells.
 */
export function diffCells(
  oldCells: readonly ComparedCell[],
  newCells: readonly ComparedCell[],
  options: LineDiff.Options = {}
): CellDiff.Result {
  const pairs = matchCells(oldCells, newCells);
  const kept = inOrder(pairs);
  const byNew = new Map<number, CellPair>(pairs.map(pair => [pair.new, pair]));
  const matchedOld = new Set(pairs.map(pair => pair.old));
  const nextKeptOld = nextKeptOldIndex(
    newCells.length,
    byNew,
    kept,
    oldCells.length
  );
  const cells: CellDiff.Cell[] = [];
  let nextRemoved = 0;
  // Removed cells come before the new cells of the same stretch, as the
  // deleted lines of a unified diff come before the inserted ones.
  const placeRemoved = (before: number): void => {
    for (; nextRemoved < before; nextRemoved++) {
      if (!matchedOld.has(nextRemoved)) {
        cells.push(removedCell(oldCells[nextRemoved], nextRemoved));
      }
    }
  };
  newCells.forEach((cell, index) => {
    placeRemoved(nextKeptOld[index]);
    const pair = byNew.get(index);
    cells.push(
      pair
        ? pairedCell(oldCells[pair.old], cell, pair, !kept.has(pair), options)
        : addedCell(cell, index)
    );
  });
  placeRemoved(oldCells.length);
  const counts = countCells(cells);
  return {
    cells,
    counts,
    identical:
      counts.changed + counts.added + counts.removed + counts.moved === 0
  };
}

/**
 * For each new cell, the old index of the first cell at or after it that
 * kept its order (or the old notebook's length): the removed cells before
 * that index belong before the new cell.
 */
function nextKeptOldIndex(
  newLength: number,
  byNew: ReadonlyMap<number, CellPair>,
  kept: ReadonlySet<CellPair>,
  oldLength: number
): number[] {
  const next = new Array<number>(newLength);
  let upcoming = oldLength;
  for (let index = newLength - 1; index >= 0; index--) {
    const pair = byNew.get(index);
    if (pair && kept.has(pair)) {
      upcoming = pair.old;
    }
    next[index] = upcoming;
  }
  return next;
}

function pairedCell(
  old: ComparedCell,
  cell: ComparedCell,
  pair: CellPair,
  moved: boolean,
  options: LineDiff.Options
): CellDiff.Cell {
  const sourceChanged = old.source !== cell.source;
  const changed = sourceChanged || old.type !== cell.type;
  return {
    status: moved ? 'moved' : changed ? 'changed' : 'unchanged',
    id: cell.id ?? old.id,
    oldIndex: pair.old,
    newIndex: pair.new,
    oldType: old.type,
    newType: cell.type,
    oldSource: old.source,
    newSource: cell.source,
    sourceChanged,
    lines: sourceChanged ? diffLines(old.source, cell.source, options) : null,
    matchedBy: pair.by
  };
}

function addedCell(cell: ComparedCell, index: number): CellDiff.Cell {
  return {
    status: 'added',
    id: cell.id,
    oldIndex: null,
    newIndex: index,
    oldType: null,
    newType: cell.type,
    oldSource: null,
    newSource: cell.source,
    sourceChanged: false,
    lines: null,
    matchedBy: null
  };
}

function removedCell(cell: ComparedCell, index: number): CellDiff.Cell {
  return {
    status: 'removed',
    id: cell.id,
    oldIndex: index,
    newIndex: null,
    oldType: cell.type,
    newType: null,
    oldSource: cell.source,
    newSource: null,
    sourceChanged: false,
    lines: null,
    matchedBy: null
  };
}

function countCells(cells: readonly CellDiff.Cell[]): CellDiff.Counts {
  const counts = { unchanged: 0, changed: 0, added: 0, removed: 0, moved: 0 };
  for (const cell of cells) {
    if (cell.status === 'added' || cell.status === 'removed') {
      counts[cell.status]++;
      continue;
    }
    if (cell.status === 'moved') {
      counts.moved++;
    }
    if (cell.sourceChanged || cell.oldType !== cell.newType) {
      counts.changed++;
    } else if (cell.status === 'unchanged') {
      counts.unchanged++;
    }
  }
  return counts;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
