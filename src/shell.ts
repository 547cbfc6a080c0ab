import type { JupyterFrontEnd } from '@jupyterlab/application';
import { LabShell } from '@jupyterlab/application';
import type { Widget } from '@lumino/widgets';
import { SplitPanel, TabPanel } from '@lumino/widgets';

/**
 * The share of the page a run view takes under Notebook 7's notebook when
 * that panel was closed or nearly so.
 */
const DOWN_SHARE = 0.5;

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
    showTab(widget);
    giveRoom(widget);
  }
}

/**
 * Notebook 7's bottom panel is a tab panel, whose activation of a widget
 * leaves the tab shown before in front: bring the new view's tab forward.
 */
function showTab(widget: Widget): void {
  const tabs = widget.parent?.parent;
  if (tabs instanceof TabPanel && tabs.widgets.includes(widget)) {
    tabs.currentWidget = widget;
  }
}

/**
 * Notebook 7 shows its bottom panel at the height it had, which is none the
 * first time: make the split holding `widget` give it half the page.
 */
function giveRoom(widget: Widget): void {
  let pane: Widget = widget;
  let split = widget.parent;
  while (split && !(split instanceof SplitPanel)) {
    pane = split;
    split = split.parent;
  }
  if (!(split instanceof SplitPanel) || split.orientation !== 'vertical') {
    return;
  }
  const index = split.widgets.indexOf(pane);
  const sizes = split.relativeSizes();
  if (index < 0 || sizes[index] >= DOWN_SHARE / 2) {
    return;
  }
  const others = (1 - DOWN_SHARE) / Math.max(sizes.length - 1, 1);
  split.setRelativeSizes(
    sizes.map((_, i) => (i === index ? DOWN_SHARE : others))
  );
}
