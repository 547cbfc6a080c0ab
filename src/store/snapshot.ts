import type { Runs } from '../tokens';
import type { StoreFormat } from './format';

/**
 * The content of a snapshot file for a notebook as it stands: every cell's
 * source and outputs go to blobs through `putBlob`, so cells that did not
 * change between snapshots and runs are stored once.
 */
export async function snapshotContent(
  snapshot: Runs.NotebookSnapshot,
  putBlob: (data: unknown) => Promise<string>
): Promise<Omit<StoreFormat.SnapshotFile, 'snapshot'>> {
  const nb = snapshot.notebook;
  const cells: StoreFormat.SnapshotCell[] = [];
  for (const raw of Array.isArray(nb.cells) ? nb.cells : []) {
    const cell = (raw ?? {}) as Record<string, unknown>;
    const source = Array.isArray(cell.source)
      ? cell.source.join('')
      : String(cell.source ?? '');
    cells.push({
      id: typeof cell.id === 'string' ? cell.id : null,
      cellType: typeof cell.cell_type === 'string' ? cell.cell_type : 'code',
      metadata: asObject(cell.metadata) ?? {},
      sourceBlob: await putBlob(source),
      outputsBlob: Array.isArray(cell.outputs)
        ? await putBlob(cell.outputs)
        : null,
      executionCount: Number.isInteger(cell.execution_count)
        ? (cell.execution_count as number)
        : null,
      attachments: asObject(cell.attachments)
    });
  }
  return {
    format: 'jupyterlab-runs/snapshot',
    version: 1,
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

function asObject(value: unknown): Record<string, unknown> | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : null;
}
