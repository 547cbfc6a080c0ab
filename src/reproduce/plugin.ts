import type {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import {
  Dialog,
  MainAreaWidget,
  SessionContext,
  showDialog,
  showErrorMessage,
  WidgetTracker
} from '@jupyterlab/apputils';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';

import type { RunArgs } from '../commands';
import { runArgsDescription } from '../commands';
import { runsIcon } from '../icons';
import { openView } from '../shell';
import { IRunsSettings, IRunStore } from '../tokens';
import type { RerunOrder } from './plan';
import type { RerunPlan } from './prepare';
import { DEFAULT_TOLERANCE, toleranceOf } from './tolerance';
import type { RerunView } from './view';
import { verdictMark } from './mark';

/**
 * Command ids of reproduction.
 */
export namespace CommandIDs {
  export const rerun = 'jupyterlab-runs:rerun';
}

const OPEN_RUN = 'jupyterlab-runs:open-run';
const COMPARE_RUNS = 'jupyterlab-runs:compare-runs';

type RerunArgs = RunArgs & { order?: RerunOrder; confirm?: boolean };

/**
 * Re-runs a recorded run in a fresh kernel, records it as a new run linked
 * to the original, and says whether it reproduced.
 */
export const reproducePlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-runs:reproduce',
  description:
    'Re-runs a recorded run in a fresh kernel and says, per metric and parameter, whether it reproduced.',
  autoStart: true,
  requires: [IRunStore, IRunsSettings],
  optional: [ITranslator, ISettingRegistry],
  activate: (
    app: JupyterFrontEnd,
    store: IRunStore,
    settings: IRunsSettings,
    translator: ITranslator | null,
    settingRegistry: ISettingRegistry | null
  ): void => {
    const trans = (translator ?? nullTranslator).load('jupyterlab_runs');
    const tracker = new WidgetTracker<MainAreaWidget<RerunView>>({
      namespace: 'jupyterlab-runs-rerun'
    });
    let tolerance = DEFAULT_TOLERANCE;
    if (settingRegistry) {
      void settingRegistry
        .load(reproducePlugin.id)
        .then(loaded => {
          const read = () => (tolerance = toleranceOf(loaded.composite));
          read();
          loaded.changed.connect(read);
        })
        .catch(reason =>
          console.warn('jupyterlab-runs: reproduction settings:', reason)
        );
    }

    const chooseOrder = async (): Promise<RerunOrder | null> => {
      const executed = Dialog.okButton({
        label: trans.__('Executed Order'),
        caption: trans.__('Its executions as the kernel ran them')
      });
      const notebook = Dialog.okButton({
        label: trans.__('Notebook Order'),
        caption: trans.__('The code cells of its snapshot, top to bottom'),
        displayType: 'default'
      });
      const result = await showDialog({
        title: trans.__('Re-run in a Fresh Kernel'),
        body: trans.__(
          'Execute the run again in a new kernel and compare the results. Execute its code in the order the kernel ran it, or the cells of its notebook from top to bottom?'
        ),
        buttons: [Dialog.cancelButton(), notebook, executed]
      });
      if (!result.button.accept) {
        return null;
      }
      return result.button.label === executed.label ? 'executed' : 'notebook';
    };

    /**
     * Show the code a re-run executes and the kernel it starts; whether the
     * user said to run it. The store may be shared: its code is the code of
     * whoever wrote it.
     */
    const confirmPlan = async (
      plan: RerunPlan,
      order: RerunOrder
    ): Promise<boolean> => {
      const [React, { RerunConfirmation, rerunKernel }] = await Promise.all([
        import('react'),
        import('./confirm')
      ]);
      await app.serviceManager.kernelspecs.ready.catch(() => undefined);
      const kernel = rerunKernel(plan, app.serviceManager.kernelspecs.specs);
      const result = await showDialog({
        title: trans.__('Run the Code of %1?', plan.original.name),
        body: React.createElement(RerunConfirmation, {
          plan,
          kernel,
          order,
          trans
        }),
        buttons: [
          Dialog.cancelButton(),
          Dialog.warnButton({
            label: trans.__('Run'),
            caption: trans.__('Start the kernel and execute this code')
          })
        ]
      });
      return result.button.accept;
    };

    app.commands.addCommand(CommandIDs.rerun, {
      label: trans.__('Re-run in a Fresh Kernel'),
      caption: trans.__(
        'Execute a recorded run again in a new kernel, recorded as a new run, and say whether it reproduced'
      ),
      icon: runsIcon,
      describedBy: runArgsDescription(trans, {
        order: {
          type: 'string',
          enum: ['executed', 'notebook'],
          description: trans.__(
            'Execute in the order the kernel ran the code, or the notebook cells top to bottom; asked when omitted'
          )
        },
        confirm: {
          type: 'boolean',
          description: trans.__(
            'Whether to show the code and the kernel and ask before running (true by default)'
          )
        }
      }),
      execute: async args => {
        const { notebookPath, runId, confirm = true } = args as RerunArgs;
        const order = (args as RerunArgs).order ?? (await chooseOrder());
        if (!order) {
          return null;
        }
        const [{ RerunModel }, { RerunView }, { prepareRerun }] =
          await Promise.all([
            import('./model'),
            import('./view'),
            import('./prepare')
          ]);
        let plan: RerunPlan;
        try {
          plan = await prepareRerun({
            store,
            notebookPath,
            runId,
            order,
            trans
          });
        } catch (reason) {
          await showErrorMessage(
            trans.__('Cannot Re-run %1', runId),
            reason instanceof Error ? reason.message : String(reason)
          );
          return null;
        }
        if (confirm && !(await confirmPlan(plan, order))) {
          return null;
        }
        const model = new RerunModel({
          notebookPath,
          runId,
          order,
          plan,
          store,
          settings,
          tolerance,
          trans,
          helperSource: async () =>
            (await import('../capture/helperSource.generated')).HELPER_SOURCE,
          createSession: options =>
            new SessionContext({
              sessionManager: app.serviceManager.sessions,
              specsManager: app.serviceManager.kernelspecs,
              kernelManager: app.serviceManager.kernels,
              path: options.path,
              name: options.name,
              type: 'notebook',
              kernelPreference: {
                name: options.kernelName ?? undefined,
                shouldStart: true,
                canStart: true,
                autoStartDefault: true
              }
            })
        });
        const content = new RerunView({
          model,
          trans,
          tolerance,
          actions: {
            openRun: (path, id) =>
              void app.commands.execute(OPEN_RUN, {
                notebookPath: path,
                runId: id
              }),
            compare: (path, ids) =>
              void app.commands.execute(COMPARE_RUNS, {
                runs: ids.map(id => ({ notebookPath: path, runId: id }))
              })
          }
        });
        const widget = new MainAreaWidget({ content });
        widget.id = `jupyterlab-runs-rerun-${runId}-${Date.now().toString(36)}`;
        // The run's name once it is read; never its raw id.
        widget.title.label = trans.__('Re-run…');
        widget.title.icon = runsIcon;
        widget.title.closable = true;
        model.stateChanged.connect((_, state) => {
          if (state.kind === 'done') {
            widget.title.label = trans.__(
              'Re-run of %1 %2',
              state.original.name,
              verdictMark(state.verdict.overall)
            );
          } else if (state.kind === 'cancelled') {
            widget.title.label = trans.__('Re-run of %1', state.original.name);
          }
        });
        openView(app, widget);
        await tracker.add(widget);
        void model.start();
        return widget;
      }
    });
  }
};
