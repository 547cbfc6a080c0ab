import { nullTranslator } from '@jupyterlab/translation';

import { diffNotebooks } from '../compare/cells';
import { diffEnvironments } from '../compare/env';
import type { ProvenanceModel } from '../provenance/model';
import { changesSummary } from '../provenance/summary';

const trans = nullTranslator.load('jupyterlab_runs');

const notebook = (sources: string[]) => ({
  cells: sources.map((source, index) => ({
    id: `c${index}`,
    cell_type: 'code',
    source
  }))
});

/**
 * A ready state with the diffs of the notebooks and environments given.
 */
function ready(
  before: string[],
  now: string[] | null,
  envs: [Record<string, unknown>, Record<string, unknown>] | null
): ProvenanceModel.State {
  return {
    kind: 'ready',
    current: {
      from: now === null ? 'missing' : 'file',
      notebook: now === null ? null : notebook(now)
    },
    cells: diffNotebooks(notebook(before), notebook(now ?? [])),
    env: envs ? diffEnvironments(envs[0], envs[1]) : null
  } as unknown as ProvenanceModel.State;
}

describe('#changesSummary()', () => {
  it.each([
    [
      ready(
        ['a', 'b'],
        ['a', 'B'],
        [{ packages: { numpy: '1.24.2' } }, { packages: { numpy: '1.26.0' } }]
      ),
      '1 cell changed; 1 package changed'
    ],
    [
      ready(['a'], ['a'], [{ packages: {} }, { packages: {} }]),
      'the notebook is the same; the same environment'
    ],
    [ready(['a'], null, null), 'the notebook no longer exists'],
    [{ kind: 'loading' } as ProvenanceModel.State, null]
  ])('should say %#', (state, text) => {
    expect(changesSummary(state, trans)).toBe(text);
  });
});
