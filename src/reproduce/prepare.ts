import type { TranslationBundle } from '@jupyterlab/translation';

import type { StoredRun } from '../store/reader';
import type { IRunStore } from '../tokens';
import type { RerunOrder, RerunStep } from './plan';
import { executedPlan, kernelNameOf, notebookPlan } from './plan';

/**
 * What a re-run will do, read from the store before anything runs: the
 * original run, its notebook snapshot, the code it executes and the kernel
 * it asks for. The user sees this and confirms; the re-run then executes
 * exactly these steps.
 */
export type RerunPlan = {
  readonly original: StoredRun.Run;
  readonly notebook: Record<string, unknown> | null;
  readonly steps: readonly RerunStep[];
  /** The snapshot's kernelspec: its name (null: the server's default). */
  readonly kernelName: string | null;
  /** The snapshot's kernelspec display name, as stored, or null. */
  readonly kernelDisplayName: string | null;
};

/**
 * Read a run and plan its re-run in the given order.
 *
 * @throws An `Error` saying why when the run is not in the store or has no
 * code to re-run.
 */
export async function prepareRerun(options: {
  store: IRunStore;
  notebookPath: string;
  runId: string;
  order: RerunOrder;
  trans: TranslationBundle;
}): Promise<RerunPlan> {
  const { store, notebookPath, runId, order, trans } = options;
  const read = await store.readRun(notebookPath, runId);
  const original = read.value;
  if (!original) {
    throw new Error(trans.__('run %1 is not in the store', runId));
  }
  const snapshot = (await store.readSnapshot(notebookPath, runId)).value;
  const notebook = snapshot?.notebook ?? null;
  const steps =
    order === 'notebook'
      ? notebook
        ? notebookPlan(notebook)
        : []
      : executedPlan(original);
  if (steps.length === 0) {
    throw new Error(
      order === 'notebook' && !notebook
        ? trans.__(
            'the run has no notebook snapshot to re-run in notebook order'
          )
        : trans.__('the run has no code to re-run')
    );
  }
  return {
    original,
    notebook,
    steps,
    kernelName: kernelNameOf(notebook),
    kernelDisplayName: kernelDisplayNameOf(notebook)
  };
}

/**
 * The display name of a notebook's kernelspec, or null.
 */
export function kernelDisplayNameOf(
  notebook: Record<string, unknown> | null
): string | null {
  const metadata = notebook?.metadata;
  const spec =
    typeof metadata === 'object' && metadata !== null
      ? (metadata as Record<string, unknown>).kernelspec
      : null;
  const name =
    typeof spec === 'object' && spec !== null
      ? (spec as Record<string, unknown>).display_name
      : null;
  return typeof name === 'string' && name !== '' ? name : null;
}
