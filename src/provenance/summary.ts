import type { TranslationBundle } from '@jupyterlab/translation';

import { summarizeCells, summarizeEnvironment } from '../compare/summary';
import type { ProvenanceModel } from './model';

/**
 * What changed since a run in a few words, e.g. "2 cells changed, 1 added;
 * 1 package changed"; null when the run could not be read.
 */
export function changesSummary(
  state: ProvenanceModel.State,
  trans: TranslationBundle
): string | null {
  if (state.kind !== 'ready') {
    return null;
  }
  const parts: string[] = [];
  if (state.current.from === 'missing') {
    parts.push(trans.__('the notebook no longer exists'));
  } else if (state.cells) {
    parts.push(
      state.cells.identical
        ? trans.__('the notebook is the same')
        : summarizeCells(state.cells, trans)
    );
  }
  if (state.env) {
    parts.push(
      state.env.identical
        ? trans.__('the same environment')
        : summarizeEnvironment(state.env, trans)
    );
  }
  return parts.length > 0 ? parts.join(trans.__('; ')) : null;
}
