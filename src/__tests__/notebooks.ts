import type { Notebook, NotebookPanel } from '@jupyterlab/notebook';
import { NotebookActions, NotebookTracker } from '@jupyterlab/notebook';
import {
  initNotebookContext,
  NBTestUtils
} from '@jupyterlab/notebook/lib/testutils';
import { ServiceManagerMock } from '@jupyterlab/services/lib/testutils';
import type { Signal } from '@lumino/signaling';

/**
 * A real notebook panel for `path`, over a contents transport kept in memory.
 */
export async function createNotebookPanel(
  path: string
): Promise<NotebookPanel> {
  // The upstream helper logs each context it creates.
  const debug = jest.spyOn(console, 'debug').mockImplementation(() => {
    /* silenced */
  });
  try {
    const context = await initNotebookContext({
      path,
      manager: new ServiceManagerMock()
    });
    return NBTestUtils.createNotebookPanel(context);
  } finally {
    debug.mockRestore();
  }
}

/**
 * A real notebook tracker, as the notebook plugin provides.
 */
export function createNotebookTracker(): NotebookTracker {
  return new NotebookTracker({ namespace: `test-notebooks-${Math.random()}` });
}

/**
 * A real notebook tracker and the panels a test opened in it, disposed
 * together.
 */
export class TrackedNotebooks {
  readonly tracker = createNotebookTracker();

  /**
   * Open a notebook panel for `path` and make it the tracker's current one.
   */
  async open(path: string): Promise<NotebookPanel> {
    const panel = await createNotebookPanel(path);
    this._panels.push(panel);
    await this.tracker.add(panel);
    return panel;
  }

  dispose(): void {
    this._panels.splice(0).forEach(panel => panel.dispose());
    this.tracker.dispose();
  }

  private readonly _panels: NotebookPanel[] = [];
}

/**
 * Show a code cell of `notebook` as run: its execution count and one stdout
 * stream output in place of what it showed, as the output area does.
 *
 * @returns The cell's id.
 */
export function showStream(
  notebook: Notebook,
  index: number,
  count: number,
  text: string
): string {
  // What a code cell's model offers, without depending on @jupyterlab/cells.
  const model = notebook.widgets[index].model as unknown as {
    id: string;
    executionCount: number;
    outputs: { clear(): void; add(output: Record<string, unknown>): void };
  };
  model.executionCount = count;
  model.outputs.clear();
  model.outputs.add({ output_type: 'stream', name: 'stdout', text });
  return model.id;
}

/**
 * Report, as NotebookActions does, that a cell of `notebook` finished.
 */
export function cellExecuted(notebook: Notebook, index: number): void {
  // The signal is emitted by NotebookActions only; a test stands in for it.
  (
    NotebookActions.executed as Signal<
      unknown,
      {
        notebook: Notebook;
        cell: Notebook['widgets'][number];
        success: boolean;
      }
    >
  ).emit({ notebook, cell: notebook.widgets[index], success: true });
}
