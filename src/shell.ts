import type { JupyterFrontEnd } from '@jupyterlab/application';
import { LabShell } from '@jupyterlab/application';
import type { Widget } from '@lumino/widgets';

/**
 * Open one of the run views (a run, a comparison, a snapshot, a re-run, the
 * executions) where the application shows documents.
 *
 * JupyterLab's main area takes any number of tabs. Jupyter Notebook 7's
 * holds only the page's own notebook and silently drops anything added
 * after it, so there the views open in its bottom panel, under the
 * notebook, where Notebook 7 shows its other panels (the log console).
 */
export function openView(app: JupyterFrontEnd, widget: Widget): void {
  const shell = app.shell;
  const mainIsTaken =
    !(shell instanceof LabShell) && !shell.widgets('main').next().done;
  shell.add(widget, mainIsTaken ? 'down' : 'main');
  if (mainIsTaken) {
    shell.activateById(widget.id);
  }
}
