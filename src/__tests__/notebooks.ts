import type { NotebookPanel } from '@jupyterlab/notebook';
import { NotebookTracker } from '@jupyterlab/notebook';
import {
  initNotebookContext,
  NBTestUtils
} from '@jupyterlab/notebook/lib/testutils';
import { ServiceManagerMock } from '@jupyterlab/services/lib/testutils';

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
