import type {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ILayoutRestorer } from '@jupyterlab/application';
import { IThemeManager, MainAreaWidget } from '@jupyterlab/apputils';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';

import { chartsViewTracker } from '../charts/widget';
import type { RunArgs } from '../commands';
import { runArgsDescription } from '../commands';
import { runsIcon } from '../icons';
import { openView } from '../shell';
import { IRunStore } from '../tokens';
import { RunDetailModel } from './model';
import type { RunDetailView } from './view';

/**
 * Command ids of the run detail view.
 */
export namespace CommandIDs {
  export const openRun = 'jupyterlab-runs:open-run';
  /** Of the snapshot plugin. */
  export const openSnapshot = 'jupyterlab-runs:open-snapshot';
}

/**
 * Opens a recorded run in the main area: its overview, parameters, metrics,
 * executions, environment and files.
 */
export const detailPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-runs:detail',
  description:
    'Opens a recorded run in the main area: overview, parameters, metric charts, executions, environment and files.',
  autoStart: true,
  requires: [IRunStore],
  optional: [ITranslator, ILayoutRestorer, IThemeManager],
  activate: (
    app: JupyterFrontEnd,
    store: IRunStore,
    translator: ITranslator | null,
    restorer: ILayoutRestorer | null,
    themes: IThemeManager | null
  ): void => {
    const trans = (translator ?? nullTranslator).load('jupyterlab_runs');
    const tracker = chartsViewTracker<RunDetailView>(
      'jupyterlab-runs-detail',
      themes
    );

    app.commands.addCommand(CommandIDs.openRun, {
      label: trans.__('Open Run'),
      caption: trans.__('Open a recorded run in the main area'),
      icon: runsIcon,
      describedBy: runArgsDescription(trans),
      execute: async args => {
        const { notebookPath, runId } = args as RunArgs;
        const open = tracker.find(
          widget =>
            widget.content.model.notebookPath === notebookPath &&
            widget.content.model.runId === runId
        );
        if (open) {
          app.shell.activateById(open.id);
          return open;
        }
        // The view and the chart code it pulls in load with the first run.
        const { RunDetailView } = await import('./view');
        const model = new RunDetailModel({ store, notebookPath, runId });
        const content = new RunDetailView({
          model,
          trans,
          openSnapshot: app.commands.hasCommand(CommandIDs.openSnapshot)
            ? () =>
                void app.commands.execute(CommandIDs.openSnapshot, {
                  notebookPath,
                  runId
                })
            : undefined
        });
        const widget = new MainAreaWidget({ content });
        widget.id = `jupyterlab-runs-run-${runId}`;
        widget.title.label = trans.__('Run…');
        widget.title.caption = trans.__('Run %1 of %2', runId, notebookPath);
        widget.title.icon = runsIcon;
        model.stateChanged.connect((_, state) => {
          if (state.kind === 'ready') {
            widget.title.label = state.run.name;
          }
        });
        void model.refresh();
        openView(app, widget);
        await tracker.add(widget);
        return widget;
      }
    });

    if (restorer) {
      void restorer.restore(tracker, {
        command: CommandIDs.openRun,
        args: widget => ({
          notebookPath: widget.content.model.notebookPath,
          runId: widget.content.model.runId
        }),
        name: widget =>
          `${widget.content.model.notebookPath}:${widget.content.model.runId}`
      });
    }
  }
};
