import type { Contents } from '@jupyterlab/services';

import type { Runs } from '../tokens';

/**
 * The reason a restore point's run gives: it holds the notebook as it was
 * just before a run was restored into it.
 */
export const RESTORE_POINT_REASON = 'restore-point';

/**
 * The tag a restore point carries: the id of the run restored over it.
 */
export const RESTORED_TAG = 'restored';

/**
 * An id for a run or session the frontend makes, sorting by time like the
 * helper's: `20261126T154400123Z-k3x9qa`.
 */
export function timeOrderedId(
  now: number = Date.now(),
  random: () => number = Math.random
): string {
  const stamp = new Date(now)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace('.', '');
  const suffix = Array.from(
    { length: 6 },
    () => 'abcdefghijklmnopqrstuvwxyz0123456789'[Math.floor(random() * 36)]
  ).join('');
  return `${stamp}-${suffix}`;
}

/**
 * The kernel-style events of a restore point: a session of its own (no
 * kernel: it ran nothing), a run that starts and ends at once, tagged with
 * the run about to be restored. Its snapshot is stored beside them.
 */
export function restorePointEvents(options: {
  session: string;
  run: string;
  name: string;
  restored: string;
  now: number;
}): Runs.KernelEvent[] {
  const { session, run, name, restored, now } = options;
  const time = now / 1000;
  return [
    { seq: 1, time, kind: 'session', session, env: null },
    {
      seq: 2,
      time,
      kind: 'run_start',
      session,
      run,
      name,
      reason: RESTORE_POINT_REASON,
      params: [],
      inherited: []
    },
    { seq: 3, time, kind: 'tag', run, key: RESTORED_TAG, value: restored },
    { seq: 4, time, kind: 'run_end', run, status: 'finished' }
  ];
}

/**
 * The cells of a snapshot (nbformat JSON) made fit to insert into a
 * notebook: every cell an object with a type and a source string, ids
 * present and unique, outputs and counts only on code cells, and no cell
 * trusted (`metadata.trusted` dropped).
 */
export function restorableCells(
  notebook: Record<string, unknown>
): Record<string, unknown>[] {
  const cells = Array.isArray(notebook.cells) ? notebook.cells : [];
  const used = new Set<string>();
  const result: Record<string, unknown>[] = [];
  cells.forEach((raw, index) => {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      return;
    }
    const cell = raw as Record<string, unknown>;
    const type =
      cell.cell_type === 'markdown' || cell.cell_type === 'raw'
        ? cell.cell_type
        : 'code';
    let id =
      typeof cell.id === 'string' && cell.id !== '' ? cell.id : `cell-${index}`;
    while (used.has(id)) {
      id = `${id}-${index}`;
    }
    used.add(id);
    const source = Array.isArray(cell.source)
      ? cell.source.join('')
      : typeof cell.source === 'string'
        ? cell.source
        : '';
    const metadata: Record<string, unknown> =
      typeof cell.metadata === 'object' &&
      cell.metadata !== null &&
      !Array.isArray(cell.metadata)
        ? { ...cell.metadata }
        : {};
    // The store may be shared, synced or committed: whoever can write it
    // must not get script run in this page. Restored outputs are rendered
    // untrusted, as the snapshot view renders them.
    delete metadata.trusted;
    const restored: Record<string, unknown> = {
      id,
      cell_type: type,
      source,
      metadata
    };
    if (type === 'code') {
      restored.outputs = Array.isArray(cell.outputs) ? cell.outputs : [];
      restored.execution_count =
        typeof cell.execution_count === 'number' ? cell.execution_count : null;
    } else if (typeof cell.attachments === 'object' && cell.attachments) {
      restored.attachments = cell.attachments;
    }
    result.push(restored);
  });
  return result;
}

/**
 * Whether a notebook is shared with real-time collaboration, as JupyterLab
 * decides it: the document model of its open panel is collaborative; or,
 * when it is not open, the shared model factory of the content provider the
 * notebook widget factory opens it with is.
 */
export function isSharedNotebook(
  path: string,
  options: {
    /** The notebook's open panel, if any. */
    openPanel?: { context: { model: { collaborative?: boolean } } };
    /** The notebook widget factory's content provider. */
    contentProviderId?: string;
    contents: Pick<Contents.IManager, 'getSharedModelFactory'>;
  }
): boolean {
  const { openPanel, contentProviderId, contents } = options;
  if (openPanel) {
    return openPanel.context.model.collaborative === true;
  }
  return (
    contents.getSharedModelFactory(path, { contentProviderId })
      ?.collaborative === true
  );
}
