import { nullTranslator } from '@jupyterlab/translation';
import { MessageLoop } from '@lumino/messaging';
import { Widget } from '@lumino/widgets';

import { ProvenanceModel } from '../provenance/model';
import type { CurrentNotebook } from '../provenance/model';
import { ProvenanceView } from '../provenance/view';
import type { StoredRun } from '../store/reader';
import { FakeRunStore } from './capture-fakes';
import {
  codeNotebook as notebook,
  storedExecution as execution,
  storedRun
} from './stored-runs';

const trans = nullTranslator.load('jupyterlab_runs');
const NOTEBOOK = 'analysis/train.ipynb';

function run(
  id: string,
  env: Record<string, unknown>,
  executions: StoredRun.Execution[]
): StoredRun.Run {
  return storedRun({
    id,
    name: `otter-${id}`,
    notebookPath: NOTEBOOK,
    env,
    executions,
    snapshots: [0]
  });
}

describe('ProvenanceView', () => {
  let view: ProvenanceView;

  afterEach(() => view.dispose());

  async function shown(
    store: FakeRunStore,
    current: CurrentNotebook,
    activeRunId: string | null
  ): Promise<HTMLElement> {
    const model = new ProvenanceModel({
      store,
      notebookPath: NOTEBOOK,
      runId: 'run-1',
      currentNotebook: async () => current,
      activeRunId: () => activeRunId
    });
    view = new ProvenanceView({ model, trans, section: 'executed' });
    Widget.attach(view, document.body);
    await model.refresh();
    MessageLoop.flush();
    await view.renderPromise;
    return view.node;
  }

  it('should show what changed since and the executions as they happened', async () => {
    const store = new FakeRunStore();
    const hostile = '<img src=x onerror="window.__pwned = 1">';
    store.stored.set(
      `${NOTEBOOK}/run-1`,
      run('run-1', { packages: { numpy: '1.24.2' } }, [
        execution(1, 'load', `X = load()  # ${hostile}`),
        execution(2, 'fit', 'model = fit(X, seed)'),
        execution(3, 'seed', 'seed = 69'),
        execution(4, 'fit', 'model = fit(X, seed)')
      ])
    );
    store.stored.set(
      `${NOTEBOOK}/run-2`,
      run('run-2', { packages: { numpy: '1.26.0' } }, [])
    );
    store.storedSnapshots.set(`${NOTEBOOK}/run-1`, [
      {
        time: 1,
        notebook: notebook([
          ['load', `X = load()  # ${hostile}`],
          ['seed', 'seed = 69'],
          ['fit', 'model = fit(X, seed)']
        ])
      }
    ]);
    const node = await shown(
      store,
      {
        from: 'open',
        notebook: notebook([
          ['seed', 'seed = 42'],
          ['fit', 'model = fit(X, seed)']
        ])
      },
      'run-2'
    );

    const summaries = [
      ...node.querySelectorAll('.jp-RunsProvenance-summary')
    ].map(p => p.textContent);
    expect(summaries).toEqual([
      '1 cell changed, 1 removed — against the open notebook, unsaved changes included',
      "1 package changed — against the notebook's kernel now (run otter-run-2)",
      '4 executions, 1 out of order, 0 edited after they ran, 1 edited since, 1 deleted since'
    ]);
    const marks = [...node.querySelectorAll('.jp-RunsProvenance-step')].map(
      step =>
        [...step.querySelectorAll('.jp-RunsProvenance-mark')].map(
          mark => mark.textContent
        )
    );
    expect(marks).toEqual([
      ['deleted since'],
      [],
      ['ran out of order', 'edited since'],
      []
    ]);
    expect(node.textContent).toContain('numpy1.24.21.26.0 (upgrade)');
    // Stored text is text.
    expect(node.querySelector('img')).toBeNull();
    expect((window as unknown as { __pwned?: number }).__pwned).toBeUndefined();
  });

  it('should say when there is nothing to compare with', async () => {
    const store = new FakeRunStore();
    store.stored.set(
      `${NOTEBOOK}/run-1`,
      run('run-1', {}, [execution(1, 'a', 'x = 1')])
    );
    const node = await shown(store, { from: 'missing', notebook: null }, null);
    expect(node.textContent).toContain(
      'The run has no notebook snapshot: compare its executions below.'
    );
    expect(node.textContent).toContain(
      'No environment to compare with: no kernel of this notebook has been recorded.'
    );
  });

  it('should say when the run is not in the store', async () => {
    const node = await shown(
      new FakeRunStore(),
      { from: 'missing', notebook: null },
      null
    );
    expect(node.textContent).toBe(
      `Run run-1 of ${NOTEBOOK} is not in the store.`
    );
  });
});
