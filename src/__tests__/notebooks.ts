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
