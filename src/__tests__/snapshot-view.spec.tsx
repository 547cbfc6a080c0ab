import type { CodeCell } from '@jupyterlab/cells';
import { StaticNotebook } from '@jupyterlab/notebook';
import { NBTestUtils } from '@jupyterlab/notebook/lib/testutils';
import type { Contents } from '@jupyterlab/services';
import { ContentsManagerMock } from '@jupyterlab/services/lib/testutils';
import { nullTranslator } from '@jupyterlab/translation';
import { PromiseDelegate } from '@lumino/coreutils';
import { MessageLoop } from '@lumino/messaging';
import { Widget } from '@lumino/widgets';

import { SnapshotModel } from '../snapshot/model';
import { SnapshotService } from '../snapshot/service';
import { SnapshotView } from '../snapshot/view';
import type { StoredRun } from '../store/reader';
import { FakeRunStore, runSummary, settle } from './capture-fakes';

const trans = nullTranslator.load('jupyterlab_runs');
const NOTEBOOK = 'analysis/train.ipynb';
const HOSTILE =
  '<b>bold html</b><img src=x onerror="window.__snapshotXss=1">' +
  '<script>window.__snapshotXss=2</script>';

/** A snapshot as a live notebook's executed cells make it: trusted. */
function snapshot(): StoredRun.Snapshot {
  return {
    time: Date.UTC(2026, 10, 26, 15, 44),
    notebook: {
      cells: [
        {
          id: 'md',
          cell_type: 'markdown',
          metadata: {},
          source: '# Title <img src=x onerror="window.__snapshotXss=3">'
        },
        {
          id: 'print',
          cell_type: 'code',
          metadata: { trusted: true },
          source: 'print("hello")\r\n\tx = 1  ',
          execution_count: 1,
          outputs: [{ output_type: 'stream', name: 'stdout', text: 'hello\n' }]
        },
        {
          id: 'html',
          cell_type: 'code',
          metadata: { trusted: true, editable: true },
          source: 'display(HTML(html))',
          execution_count: 2,
          outputs: [
            {
              output_type: 'display_data',
              data: { 'text/html': HOSTILE, 'text/plain': 'HTML' },
              metadata: {}
            },
            {
              output_type: 'display_data',
              data: {
                'application/javascript': 'window.__snapshotXss = 4',
                'text/plain': 'JS'
              },
              metadata: {}
            }
          ]
        }
      ],
      metadata: {
        kernelspec: { name: 'python3', display_name: 'Python 3' },
        language_info: { name: 'python' }
      },
      nbformat: 4,
      nbformat_minor: 5
    }
  };
}

describe('SnapshotView', () => {
  let store: FakeRunStore;
  let view: SnapshotView;
  let saved: number;
  let contents: Contents.IManager;

  async function shown(
    more: Partial<SnapshotView.IActions> = {}
  ): Promise<HTMLElement> {
    const model = new SnapshotModel({
      service: new SnapshotService({ store, contents }),
      store,
      notebookPath: NOTEBOOK,
      runId: 'run-1'
    });
    view = new SnapshotView({
      model,
      trans,
      notebook: {
        rendermime: NBTestUtils.defaultRenderMime(),
        editorFactory: NBTestUtils.editorFactory,
        mimeTypeService: NBTestUtils.mimeTypeService,
        // Every cell rendered at once: jsdom has no viewport.
        notebookConfig: {
          ...StaticNotebook.defaultNotebookConfig,
          windowingMode: 'none'
        }
      },
      actions: { saveAsNotebook: () => (saved += 1), ...more }
    });
    Widget.attach(view, document.body);
    await model.refresh();
    await rendered();
    return view.node;
  }

  async function rendered(): Promise<void> {
    MessageLoop.flush();
    await settle();
    await new Promise(resolve => setTimeout(resolve, 20));
    MessageLoop.flush();
  }

  beforeEach(async () => {
    saved = 0;
    contents = new ContentsManagerMock();
    await contents.save('analysis', { type: 'directory' });
    store = new FakeRunStore();
    store.lists.set(NOTEBOOK, {
      runs: [
        runSummary({
          id: 'run-1',
          name: 'swift-otter-1',
          notebookPath: NOTEBOOK
        })
      ],
      problems: []
    });
    store.storedSnapshots.set(`${NOTEBOOK}/run-1`, [snapshot()]);
  });

  afterEach(() => {
    if (view.isAttached) {
      Widget.detach(view);
    }
    view.dispose();
    delete (window as { __snapshotXss?: number }).__snapshotXss;
  });

  it('should show the run above its notebook as it stood', async () => {
    const node = await shown();
    const banner = node.querySelector('.jp-RunSnapshot-header')!;
    expect(banner.textContent).toContain('swift-otter-1');
    expect(banner.textContent).toContain(NOTEBOOK);
    const notebook = view.notebook!;
    expect(notebook.widgets.map(cell => cell.model.type)).toEqual([
      'markdown',
      'code',
      'code'
    ]);
    // Bit for bit, carriage return, tab and trailing spaces included.
    expect(
      notebook.widgets.map(cell => cell.model.sharedModel.getSource())
    ).toEqual(
      (snapshot().notebook.cells as { source: string }[]).map(
        cell => cell.source
      )
    );
    expect(notebook.widgets.map(cell => cell.model.id)).toEqual([
      'md',
      'print',
      'html'
    ]);
    const code = notebook.widgets[1] as CodeCell;
    expect(code.outputArea.node.textContent).toContain('hello');
    expect(code.model.executionCount).toBe(1);
  });

  it('should render outputs and markdown untrusted: no script runs', async () => {
    const node = await shown();
    const cells = view.notebook!.widgets;
    for (const cell of cells) {
      expect(cell.model.trusted).toBe(false);
    }
    const html = cells[2] as CodeCell;
    expect(html.model.outputs.get(0).trusted).toBe(false);
    expect(html.outputArea.node.textContent).toContain('bold html');
    expect(node.querySelector('script')).toBeNull();
    expect(node.querySelector('[onerror]')).toBeNull();
    // Untrusted JavaScript is not rendered at all.
    expect(html.outputArea.node.textContent).not.toContain('__snapshotXss');
    expect(
      (window as { __snapshotXss?: number }).__snapshotXss
    ).toBeUndefined();
  });

  it('should say what changed since, and offer the other plugins’ actions', async () => {
    const done: string[] = [];
    const node = await shown({
      restore: () => done.push('restore'),
      asExecuted: () => done.push('asExecuted'),
      changesSince: () => done.push('changesSince'),
      rerun: () => done.push('rerun'),
      summarizeChanges: async () => '1 cell changed; 1 package changed'
    });
    await rendered();
    const changes = node.querySelector('.jp-RunSnapshot-changes')!;
    expect(changes.textContent).toBe(
      'Since this run: 1 cell changed; 1 package changed' + 'What Changed Since'
    );
    (changes.querySelector('button') as HTMLButtonElement).click();
    for (const label of ['As Executed', 'Re-run', 'Restore into Notebook']) {
      const button = [...node.querySelectorAll('button')].find(
        item => item.textContent === label
      ) as HTMLButtonElement;
      button.click();
    }
    expect(done).toEqual(['changesSince', 'asExecuted', 'rerun', 'restore']);
  });

  it('should make every cell read-only without marking it so', async () => {
    await shown();
    for (const cell of view.notebook!.widgets) {
      expect(cell.readOnly).toBe(true);
      expect(cell.model.getMetadata('editable')).not.toBe(false);
    }
  });

  it('should save through its action, not while saving', async () => {
    const node = await shown();
    const button = () =>
      [...node.querySelectorAll('button')].find(item =>
        item.getAttribute('title')?.startsWith('Save this snapshot')
      )!;
    expect(button().textContent).toBe('Save as New Notebook');
    button().click();
    expect(saved).toBe(1);

    // While the model saves, the button waits.
    const written = new PromiseDelegate<Contents.IModel>();
    contents.save = () => written.promise;
    const saving = view.model.save();
    await rendered();
    expect(button().textContent).toBe('Saving…');
    expect(button().disabled).toBe(true);
    written.resolve({} as Contents.IModel);
    await saving;
    await rendered();
    expect(button().disabled).toBe(false);
    // No run view to open: no such button.
    expect(
      [...node.querySelectorAll('button')].map(item => item.textContent)
    ).toEqual(['Save as New Notebook']);
  });

  it('should say when there is no snapshot, and why', async () => {
    store.storedSnapshots.clear();
    store.snapshotProblems = ['packs/abc-0.json.gz is damaged; skipped.'];
    const node = await shown();
    expect(view.notebook).toBeNull();
    expect(node.textContent).toContain('This run has no snapshot');
    expect(node.textContent).toContain(
      'packs/abc-0.json.gz is damaged; skipped.'
    );
    const button = [...node.querySelectorAll('button')].find(
      item => item.textContent === 'Save as New Notebook'
    )!;
    expect(button.disabled).toBe(true);
  });

  it('should say when the store holds no such run', async () => {
    store.lists.clear();
    const node = await shown();
    expect(view.notebook).toBeNull();
    expect(node.textContent).toContain(
      `The store holds no run run-1 of ${NOTEBOOK}.`
    );
  });

  it('should let go of its model, notebook and store when disposed', async () => {
    await shown();
    const notebook = view.notebook!;
    const model = view.model;
    Widget.detach(view);
    view.dispose();
    expect(model.isDisposed).toBe(true);
    expect(notebook.isDisposed).toBe(true);
    const reads = store.snapshotReads;
    store.runsChanged.emit(NOTEBOOK);
    await new Promise(resolve => setTimeout(resolve, 600));
    expect(store.snapshotReads).toBe(reads);
  });
});
