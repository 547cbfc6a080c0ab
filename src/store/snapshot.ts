import type { TranslationBundle } from '@jupyterlab/translation';

import type { Runs } from '../tokens';
import type { BlobAddress } from './codec';
import {
  blobAddress,
  blobRef,
  recordedOutputs,
  sameBlob,
  storedOutputs
} from './codec';
import type { StoreFormat } from './format';

/**
 * A snapshot cell with its blobs located.
 */
export type SnapshotCellState = {
  readonly id: string | null;
  readonly type: string;
  readonly source: BlobAddress;
  readonly outputs: BlobAddress | null;
  readonly count: number | null;
  readonly metadata: Readonly<Record<string, unknown>>;
  readonly attachments: Readonly<Record<string, unknown>> | null;
};

/**
 * A whole notebook snapshot with its blobs located.
 */
export type SnapshotState = {
  readonly run: string;
  readonly time: number;
  readonly nbformat: number;
  readonly nbformatMinor: number;
  readonly metadata: Readonly<Record<string, unknown>>;
  readonly cells: readonly SnapshotCellState[];
};

/**
 * How many snapshots may follow a keyframe as changes before the next one
 * is stored whole: reading a snapshot applies at most this many.
 */
export const KEYFRAME_INTERVAL = 16;

/**
 * A notebook as it stands, its cells' sources and outputs stored through
 * `putBlob` (so unchanged cells share their blobs).
 */
export async function snapshotState(
  snapshot: Runs.NotebookSnapshot,
  putBlob: (data: unknown) => Promise<BlobAddress>
): Promise<SnapshotState> {
  const nb = snapshot.notebook;
  const cells: SnapshotCellState[] = [];
  for (const raw of Array.isArray(nb.cells) ? nb.cells : []) {
    const cell = (raw ?? {}) as Record<string, unknown>;
    const source = Array.isArray(cell.source)
      ? cell.source.join('')
      : String(cell.source ?? '');
    const count = Number.isInteger(cell.execution_count)
      ? (cell.execution_count as number)
      : null;
    cells.push({
      id: typeof cell.id === 'string' ? cell.id : null,
      type: typeof cell.cell_type === 'string' ? cell.cell_type : 'code',
      metadata: asObject(cell.metadata) ?? {},
      source: await putBlob(source),
      outputs: Array.isArray(cell.outputs)
        ? await putBlob(storedOutputs(cell.outputs, count))
        : null,
      count,
      attachments: asObject(cell.attachments)
    });
  }
  return {
    run: snapshot.run,
    time: snapshot.time,
    nbformat: Number.isInteger(nb.nbformat) ? (nb.nbformat as number) : 4,
    nbformatMinor: Number.isInteger(nb.nbformat_minor)
      ? (nb.nbformat_minor as number)
      : 5,
    metadata: asObject(nb.metadata) ?? {},
    cells
  };
}

/**
 * A snapshot as written in pack `pack`: whole when `base` is null, else as
 * its changes to `base`, snapshot number `base.index` of the same pack.
 *
 * Cells are matched to the base's by id (by position when they have none).
 * Unchanged cells become ranges of the base's cells; cells whose execution
 * count alone moved (a notebook run again in the same kernel) stay in a
 * range with the shift of their counts.
 */
export function encodeSnapshot(
  state: SnapshotState,
  base: { readonly index: number; readonly state: SnapshotState } | null,
  pack: string
): StoreFormat.Snapshot {
  if (!base) {
    return {
      run: state.run,
      time: state.time,
      nbformat: state.nbformat,
      nbformatMinor: state.nbformatMinor,
      metadata: state.metadata,
      cells: state.cells.map(cell => wholeCell(cell, pack))
    };
  }
  const old = base.state.cells;
  const byId = new Map<string, number>();
  old.forEach((cell, index) => cell.id !== null && byId.set(cell.id, index));
  const items: (StoreFormat.CellCopy | StoreFormat.SnapshotCell)[] = [];
  let range: { first: number; last: number; shift: number | null } | null =
    null;
  const closeRange = (): void => {
    if (range) {
      items.push(
        range.shift
          ? [range.first, range.last, range.shift]
          : [range.first, range.last]
      );
      range = null;
    }
  };
  state.cells.forEach((cell, position) => {
    const from =
      cell.id !== null
        ? byId.get(cell.id)
        : position < old.length && old[position].id === null
          ? position
          : undefined;
    if (from === undefined) {
      closeRange();
      items.push(wholeCell(cell, pack));
      return;
    }
    const was = old[from];
    const shift =
      was.count === null && cell.count === null
        ? null
        : was.count !== null && cell.count !== null
          ? cell.count - was.count
          : undefined;
    if (sameContent(cell, was) && shift !== undefined) {
      const current = range as {
        first: number;
        last: number;
        shift: number | null;
      } | null;
      if (
        current &&
        current.last + 1 === from &&
        (shift === null || current.shift === null || current.shift === shift)
      ) {
        current.last = from;
        current.shift = current.shift ?? shift;
        return;
      }
      closeRange();
      range = { first: from, last: from, shift };
      return;
    }
    closeRange();
    items.push(changedCell(cell, was, from, pack));
  });
  closeRange();
  const snapshot: StoreFormat.Snapshot = {
    run: state.run,
    time: state.time,
    base: base.index,
    cells: items
  };
  const prior = base.state;
  return {
    ...snapshot,
    ...(state.nbformat !== prior.nbformat ? { nbformat: state.nbformat } : {}),
    ...(state.nbformatMinor !== prior.nbformatMinor
      ? { nbformatMinor: state.nbformatMinor }
      : {}),
    ...(!sameJSON(state.metadata, prior.metadata)
      ? { metadata: state.metadata }
      : {})
  };
}

/**
 * The snapshots of a pack, each whole, or the problem that keeps one from
 * being read (a bad base or cell range).
 */
export function decodeSnapshots(
  pack: string,
  snapshots: readonly StoreFormat.Snapshot[],
  trans: TranslationBundle
): (SnapshotState | string)[] {
  const decoded: (SnapshotState | string)[] = [];
  snapshots.forEach((snapshot, index) => {
    decoded.push(decodeSnapshot(pack, snapshot, index, decoded, trans));
  });
  return decoded;
}

function decodeSnapshot(
  pack: string,
  snapshot: StoreFormat.Snapshot,
  index: number,
  earlier: readonly (SnapshotState | string)[],
  trans: TranslationBundle
): SnapshotState | string {
  let base: SnapshotState | null = null;
  if (snapshot.base !== undefined) {
    const found = snapshot.base < index ? earlier[snapshot.base] : undefined;
    if (found === undefined) {
      return trans.__(
        'its base %1 is not an earlier snapshot of the pack',
        snapshot.base
      );
    }
    if (typeof found === 'string') {
      return trans.__('its base %1 cannot be read: %2', snapshot.base, found);
    }
    base = found;
  }
  const cells: SnapshotCellState[] = [];
  for (const item of snapshot.cells) {
    if (Array.isArray(item)) {
      const [first, last, shift = 0] = item as readonly number[];
      if (!base || last >= base.cells.length) {
        return trans.__(
          'the cell range [%1, %2] is not in its base',
          first,
          last
        );
      }
      for (const cell of base.cells.slice(first, last + 1)) {
        cells.push(
          cell.count === null ? cell : { ...cell, count: cell.count + shift }
        );
      }
      continue;
    }
    const cell = item as StoreFormat.SnapshotCell;
    const was = cell.from === undefined ? null : base?.cells[cell.from];
    if (was === undefined) {
      return trans.__('cell "from" %1 is not in its base', cell.from ?? '');
    }
    const count =
      cell.shift !== undefined && was && was.count !== null
        ? was.count + cell.shift
        : cell.count !== undefined
          ? cell.count
          : (was?.count ?? null);
    cells.push({
      id: cell.id !== undefined ? cell.id : (was?.id ?? null),
      type: cell.type ?? was?.type ?? 'code',
      source:
        cell.source !== undefined
          ? blobAddress(cell.source, pack)
          : (was as SnapshotCellState).source,
      outputs:
        cell.outputs !== undefined
          ? cell.outputs === null
            ? null
            : blobAddress(cell.outputs, pack)
          : (was?.outputs ?? null),
      count,
      metadata: cell.metadata ?? was?.metadata ?? {},
      attachments:
        cell.attachments !== undefined
          ? cell.attachments
          : (was?.attachments ?? null)
    });
  }
  return {
    run: snapshot.run,
    time: snapshot.time,
    nbformat: snapshot.nbformat ?? base?.nbformat ?? 4,
    nbformatMinor: snapshot.nbformatMinor ?? base?.nbformatMinor ?? 5,
    metadata: snapshot.metadata ?? base?.metadata ?? {},
    cells
  };
}

/**
 * The nbformat JSON of a snapshot, given the blobs it refers to.
 */
export function snapshotNotebook(
  state: SnapshotState,
  blob: (address: BlobAddress) => unknown
): Record<string, unknown> {
  return {
    cells: state.cells.map(cell => {
      const json: Record<string, unknown> = {};
      if (cell.id !== null) {
        json.id = cell.id;
      }
      json.cell_type = cell.type;
      json.metadata = cell.metadata;
      json.source = blob(cell.source);
      if (cell.attachments !== null) {
        json.attachments = cell.attachments;
      }
      if (cell.type === 'code' || cell.count !== null) {
        json.execution_count = cell.count;
      }
      if (cell.outputs !== null) {
        json.outputs = recordedOutputs(blob(cell.outputs), cell.count);
      }
      return json;
    }),
    metadata: state.metadata,
    nbformat: state.nbformat,
    nbformat_minor: state.nbformatMinor
  };
}

/**
 * A cell written whole; fields at their default (no id, code, no outputs,
 * no count, no metadata, no attachments) are left out.
 */
function wholeCell(
  cell: SnapshotCellState,
  pack: string
): StoreFormat.SnapshotCell {
  return {
    ...(cell.id !== null ? { id: cell.id } : {}),
    ...(cell.type !== 'code' ? { type: cell.type } : {}),
    source: blobRef(cell.source, pack),
    ...(cell.outputs !== null ? { outputs: blobRef(cell.outputs, pack) } : {}),
    ...(cell.count !== null ? { count: cell.count } : {}),
    ...(Object.keys(cell.metadata).length > 0
      ? { metadata: cell.metadata }
      : {}),
    ...(cell.attachments !== null ? { attachments: cell.attachments } : {})
  };
}

/**
 * A cell written as its changes to cell `from` of the base.
 */
function changedCell(
  cell: SnapshotCellState,
  was: SnapshotCellState,
  from: number,
  pack: string
): StoreFormat.SnapshotCell {
  const changed: Record<string, unknown> = { from };
  if (cell.id !== was.id) {
    changed.id = cell.id;
  }
  if (cell.type !== was.type) {
    changed.type = cell.type;
  }
  if (!sameBlob(cell.source, was.source)) {
    changed.source = blobRef(cell.source, pack);
  }
  if (!sameBlob(cell.outputs, was.outputs)) {
    changed.outputs =
      cell.outputs === null ? null : blobRef(cell.outputs, pack);
  }
  if (cell.count !== was.count) {
    if (cell.count !== null && was.count !== null) {
      changed.shift = cell.count - was.count;
    } else {
      changed.count = cell.count;
    }
  }
  if (!sameJSON(cell.metadata, was.metadata)) {
    changed.metadata = cell.metadata;
  }
  if (!sameJSON(cell.attachments, was.attachments)) {
    changed.attachments = cell.attachments;
  }
  return changed as StoreFormat.SnapshotCell;
}

/**
 * Whether two cells hold the same id, type, source, outputs, metadata and
 * attachments (execution counts aside).
 */
function sameContent(a: SnapshotCellState, b: SnapshotCellState): boolean {
  return (
    a.id === b.id &&
    a.type === b.type &&
    sameBlob(a.source, b.source) &&
    sameBlob(a.outputs, b.outputs) &&
    sameJSON(a.metadata, b.metadata) &&
    sameJSON(a.attachments, b.attachments)
  );
}

function sameJSON(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function asObject(value: unknown): Record<string, unknown> | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : null;
}
