import type {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ILayoutRestorer } from '@jupyterlab/application';
import {
  MainAreaWidget,
  showErrorMessage,
  WidgetTracker
} from '@jupyterlab/apputils';
import { IEditorServices } from '@jupyterlab/codeeditor';
import { INotebookWidgetFactory } from '@jupyterlab/notebook';
import type { NotebookWidgetFactory } from '@jupyterlab/notebook';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';

import type { RunArgs } from '../commands';
import { runArgsDescription } from '../commands';
import { runsIcon } from '../icons';
import { openView } from '../shell';
import { IRunStore } from '../tokens';
import type { SnapshotService } from './service';
import type { SnapshotView } from './view';

/**
 * Command ids of run snapshots.
 */
namespace CommandIDs {
  export const openSnapshot = 'jupyterlab-runs:open-snapshot';
  export const saveAsNotebook = 'jupyterlab-runs:save-snapshot-as-notebook';
  /** Of the run detail plugin. */
  export const openRun = 'jupyterlab-runs:open-run';
  /** Of the document manager. */
  export const openDocument = 'docmanager:open';
}

/**
 * Commands of the other plugins the banner offers, each taking a run.
 */
namespace OtherCommands {
  export const restore = 'jupyterlab-runs:restore-snapshot';
  export const asExecuted = 'jupyterlab-runs:show-as-executed';
  export const changesSince = 'jupyterlab-runs:show-changes-since';
  export const summarizeChanges = 'jupyterlab-runs:summarize-changes-since';
  export const rerun = 'jupyterlab-runs:rerun';
}

/**
 * Opens the notebook as a run left it (its last snapshot) in the main area,
 * read-only, and saves it as a new notebook.
 */
export const snapshotPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-runs:snapshot',
  description:
    'Opens the notebook as a recorded run left it (its last snapshot), read-only, and saves it as a new notebook beside the original.',
  autoStart: true,
  requires: [IRunStore, IRenderMimeRegistry, IEditorServices],
  optional: [ITranslator, ILayoutRestorer, INotebookWidgetFactory],
  activate: (
    app: JupyterFrontEnd,
    store: IRunStore,
    rendermime: IRenderMimeRegistry,
    editorServices: IEditorServices,
    translator: ITranslator | null,
    restorer: ILayoutRestorer | null,
    notebookFactory: NotebookWidgetFactory.IFactory | null
  ): void => {
    const trans = (translator ?? nullTranslator).load('jupyterlab_runs');
    const contents = app.serviceManager.contents;
    // The service, the view and the notebook rendering load with the first
    // snapshot opened or saved.
    let service: SnapshotService | null = null;
    const getService = async (): Promise<SnapshotService> => {
      if (!service) {
        const { SnapshotService } = await import('./service');
        service ??= new SnapshotService({ store, contents });
      }
      return service;
    };
    const tracker = new WidgetTracker<MainAreaWidget<SnapshotView>>({
      namespace: 'jupyterlab-runs-snapshot'
    });
    const find = ({ notebookPath, runId }: RunArgs) =>
      tracker.find(
        widget =>
          widget.content.model.notebookPath === notebookPath &&
          widget.content.model.runId === runId
      );
    const argsDescription = runArgsDescription(trans);

    /**
     * Save the snapshot of a run as a new notebook and open it: the one
     * shown when its view is open, else the one the store holds.
     */
    const saveAsNotebook = async (args: RunArgs): Promise<string> => {
      const open = find(args);
      let path: string;
      if (open) {
        path = await open.content.model.save();
      } else {
        const service = await getService();
        const { run, snapshot } = await service.read(
          args.notebookPath,
          args.runId
        );
        if (!run || !snapshot) {
          throw new Error(
            trans.__(
              'Run %1 of %2 has no snapshot to save.',
              args.runId,
              args.notebookPath
            )
          );
        }
        path = await service.saveAsNotebook({
          notebookPath: args.notebookPath,
          run,
          snapshot
        });
      }
      await app.commands.execute(CommandIDs.openDocument, { path });
      return path;
    };

    /**
     * The view of a run's snapshot, in the main area.
     */
    const createWidget = async (
      args: RunArgs
    ): Promise<MainAreaWidget<SnapshotView>> => {
      const [
        service,
        { SnapshotModel },
        { SnapshotView },
        { RenderMimeRegistry }
      ] = await Promise.all([
        getService(),
        import('./model'),
        import('./view'),
        import('@jupyterlab/rendermime')
      ]);
      const model = new SnapshotModel({
        service,
        store,
        notebookPath: args.notebookPath,
        runId: args.runId
      });
      // A banner button per command another plugin gives for this run.
      const runAction = (command: string) =>
        app.commands.hasCommand(command)
          ? () => void app.commands.execute(command, { ...args })
          : undefined;
      const content = new SnapshotView({
        model,
        trans,
        notebook: {
          // Relative links and images resolve against the notebook's
          // folder, as in the notebook itself.
          rendermime: rendermime.clone({
            resolver: new RenderMimeRegistry.UrlResolver({
              path: args.notebookPath,
              contents
            })
          }),
          editorFactory: editorServices.factoryService.newInlineEditor,
          mimeTypeService: editorServices.mimeTypeService,
          editorConfig: notebookFactory?.editorConfig,
          notebookConfig: notebookFactory?.notebookConfig,
          translator: translator ?? undefined
        },
        actions: {
          saveAsNotebook: () => {
            app.commands
              .execute(CommandIDs.saveAsNotebook, { ...args })
              .catch(reason =>
                showErrorMessage(trans.__('Save as New Notebook'), reason)
              );
          },
          openRun: runAction(CommandIDs.openRun),
          restore: runAction(OtherCommands.restore),
          asExecuted: runAction(OtherCommands.asExecuted),
          changesSince: runAction(OtherCommands.changesSince),
          rerun: runAction(OtherCommands.rerun),
          summarizeChanges: app.commands.hasCommand(
            OtherCommands.summarizeChanges
          )
            ? async () => {
                const text = await app.commands.execute(
                  OtherCommands.summarizeChanges,
                  { ...args }
                );
                return typeof text === 'string' ? text : null;
              }
            : undefined
        }
      });
      const widget = new MainAreaWidget({ content });
      widget.id = `jupyterlab-runs-snapshot-${args.runId}`;
      widget.title.label = trans.__('Snapshot…');
      widget.title.caption = trans.__(
        'Snapshot of run %1 of %2',
        args.runId,
        args.notebookPath
      );
      widget.title.icon = runsIcon;
      model.stateChanged.connect((_, state) => {
        if (state.kind === 'ready' || state.kind === 'empty') {
          widget.title.label = trans.__('Snapshot of %1', state.run.name);
        }
      });
      void model.refresh();
      openView(app, widget);
      await tracker.add(widget);
      return widget;
    };
    // Views being made: a second click while the first loads gets the same.
    const opening = new Map<string, Promise<MainAreaWidget<SnapshotView>>>();

    app.commands.addCommand(CommandIDs.openSnapshot, {
      label: trans.__('Open Snapshot'),
      caption: trans.__(
        'Open the notebook as the run left it, read-only, with its outputs'
      ),
      icon: runsIcon,
      describedBy: argsDescription,
      isEnabled: args => isRunArgs(args),
      execute: async args => {
        if (!isRunArgs(args)) {
          throw new Error(
            trans.__('Open Snapshot needs a notebook and a run.')
          );
        }
        const existing = find(args);
        if (existing) {
          app.shell.activateById(existing.id);
          return existing;
        }
        const key = `${args.notebookPath}\n${args.runId}`;
        let pending = opening.get(key);
        if (!pending) {
          pending = createWidget(args).finally(() => opening.delete(key));
          opening.set(key, pending);
        }
        const widget = await pending;
        app.shell.activateById(widget.id);
        return widget;
      }
    });

    app.commands.addCommand(CommandIDs.saveAsNotebook, {
      label: trans.__('Save Snapshot as New Notebook'),
      caption: trans.__(
        'Save the notebook as the run left it as a new notebook beside the original, and open it'
      ),
      describedBy: argsDescription,
      isEnabled: args => isRunArgs(args),
      execute: args => {
        if (!isRunArgs(args)) {
          throw new Error(
            trans.__(
              'Save Snapshot as New Notebook needs a notebook and a run.'
            )
          );
        }
        return saveAsNotebook(args);
      }
    });

    if (restorer) {
      void restorer.restore(tracker, {
        command: CommandIDs.openSnapshot,
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

function isRunArgs(args: unknown): args is RunArgs {
  const value = args as Partial<RunArgs> | null;
  return (
    typeof value?.notebookPath === 'string' &&
    value.notebookPath !== '' &&
    typeof value.runId === 'string' &&
    value.runId !== ''
  );
}
