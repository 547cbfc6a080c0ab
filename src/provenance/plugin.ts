import type {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { MainAreaWidget, WidgetTracker } from '@jupyterlab/apputils';
import { INotebookTracker } from '@jupyterlab/notebook';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';

import type { RunArgs } from '../commands';
import { runArgsDescription } from '../commands';
import { runsIcon } from '../icons';
import { openView } from '../shell';
import { IActiveRuns, IRunStore } from '../tokens';
import type { CurrentNotebook } from './model';
import type { ProvenanceSection, ProvenanceView } from './view';

/**
 * Command ids of a run's provenance.
 */
export namespace CommandIDs {
  export const showAsExecuted = 'jupyterlab-runs:show-as-executed';
  export const showChangesSince = 'jupyterlab-runs:show-changes-since';
  export const summarizeChanges = 'jupyterlab-runs:summarize-changes-since';
}

/**
 * Shows a run's executions as they really happened (out of order, edited
 * after they ran, edited or deleted since) and what changed since in the
 * notebook and the environment.
 */
export const provenancePlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-runs:provenance',
  description:
    "Shows a run's executions as they happened and what changed since in the notebook and its environment.",
  autoStart: true,
  requires: [IRunStore],
  optional: [ITranslator, INotebookTracker, IActiveRuns],
  activate: (
    app: JupyterFrontEnd,
    store: IRunStore,
    translator: ITranslator | null,
    notebooks: INotebookTracker | null,
    activeRuns: IActiveRuns | null
  ): void => {
    const trans = (translator ?? nullTranslator).load('jupyterlab_runs');
    const tracker = new WidgetTracker<MainAreaWidget<ProvenanceView>>({
      namespace: 'jupyterlab-runs-provenance'
    });

    const currentNotebook = async (path: string): Promise<CurrentNotebook> => {
      const panel = notebooks?.find(widget => widget.context.path === path);
      const model = panel?.content.model;
      if (model) {
        return {
          from: 'open',
          notebook: model.toJSON() as unknown as Record<string, unknown>
        };
      }
      try {
        const file = await app.serviceManager.contents.get(path, {
          content: true,
          type: 'notebook'
        });
        return { from: 'file', notebook: file.content };
      } catch {
        return { from: 'missing', notebook: null };
      }
    };

    const open = async (
      args: RunArgs,
      section: ProvenanceSection
    ): Promise<MainAreaWidget<ProvenanceView>> => {
      const { notebookPath, runId } = args;
      const existing = tracker.find(
        widget =>
          widget.content.model.notebookPath === notebookPath &&
          widget.content.model.runId === runId
      );
      if (existing) {
        app.shell.activateById(existing.id);
        existing.content.reveal(section);
        void existing.content.model.refresh();
        return existing;
      }
      const [{ ProvenanceModel }, { ProvenanceView }] = await Promise.all([
        import('./model'),
        import('./view')
      ]);
      const model = new ProvenanceModel({
        store,
        notebookPath,
        runId,
        currentNotebook,
        activeRunId: path => activeRuns?.get(path)?.id ?? null
      });
      const content = new ProvenanceView({ model, trans, section });
      const widget = new MainAreaWidget({ content });
      widget.id = `jupyterlab-runs-provenance-${runId}`;
      widget.title.label = trans.__('History…');
      widget.title.caption = trans.__('History of run %1', runId);
      widget.title.icon = runsIcon;
      model.stateChanged.connect((_, state) => {
        if (state.kind === 'ready') {
          widget.title.label = trans.__('History of %1', state.run.name);
        }
      });
      const onRunsChanged = (_: IRunStore, path: string) => {
        if (path === notebookPath) {
          void model.refresh();
        }
      };
      store.runsChanged.connect(onRunsChanged);
      widget.disposed.connect(() =>
        store.runsChanged.disconnect(onRunsChanged)
      );
      void model.refresh();
      openView(app, widget);
      await tracker.add(widget);
      return widget;
    };

    const argsDescription = runArgsDescription(trans);
    app.commands.addCommand(CommandIDs.showAsExecuted, {
      label: trans.__('As Executed'),
      caption: trans.__(
        "The run's executions in the order they really happened: cells run out of order, edited after they ran, edited or deleted since"
      ),
      icon: runsIcon,
      describedBy: argsDescription,
      execute: args => open(args as RunArgs, 'executed')
    });
    app.commands.addCommand(CommandIDs.summarizeChanges, {
      label: trans.__('Summarize What Changed Since'),
      caption: trans.__(
        'What changed since a run, in a few words (for other views; returns the text)'
      ),
      describedBy: argsDescription,
      execute: async args => {
        const { notebookPath, runId } = args as RunArgs;
        const [{ ProvenanceModel }, { changesSummary }] = await Promise.all([
          import('./model'),
          import('./summary')
        ]);
        const model = new ProvenanceModel({
          store,
          notebookPath,
          runId,
          currentNotebook,
          activeRunId: path => activeRuns?.get(path)?.id ?? null
        });
        // refresh() never throws: a failed read is a state.
        await model.refresh();
        const state = model.state;
        model.dispose();
        return changesSummary(state, trans);
      }
    });
    app.commands.addCommand(CommandIDs.showChangesSince, {
      label: trans.__('What Changed Since'),
      caption: trans.__(
        "The run's cells against the notebook now, and its environment against the kernel's now"
      ),
      icon: runsIcon,
      describedBy: argsDescription,
      execute: args => open(args as RunArgs, 'changes')
    });
  }
};
