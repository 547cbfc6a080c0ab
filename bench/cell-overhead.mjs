// Tracking overhead on a trivial cell, measured in the browser: the round trip
// of `x = 1` run with the UI command `notebook:run-cell`, from the command to
// the cell's new execution count, in a tracked notebook and in an untracked
// one (notebook metadata {"jupyterlab_runs": {"tracking": false}}: the helper
// is never attached). Both notebooks are open in the same Lab, each with its
// own kernel; batches alternate (ABBA) so drift hits both alike.
//
//   node bench/cell-overhead.mjs [--port 8870] [--runs 100] [--warmup 10] [--json]
import path from 'node:path';
import {
  REPO,
  exposeRunStore,
  log,
  median,
  options,
  sleep,
  withLab
} from './lab.mjs';

const opts = options({
  port: 8870,
  runs: 100,
  warmup: 10,
  batch: 10,
  json: false
});
const TARGET = 1.1;

const notebook = tracking => ({
  cells: [
    {
      cell_type: 'code',
      id: 'trivial',
      metadata: {},
      source: 'x = 1',
      outputs: [],
      execution_count: null
    }
  ],
  metadata: {
    kernelspec: {
      display_name: 'Python 3 (ipykernel)',
      language: 'python',
      name: 'python3'
    },
    ...(tracking ? {} : { jupyterlab_runs: { tracking: false } })
  },
  nbformat: 4,
  nbformat_minor: 5
});

const result = await withLab(
  {
    port: opts.port,
    work: path.join(REPO, 'build', 'bench', 'cell-overhead'),
    url: '/lab/tree/tracked.ipynb?reset'
  },
  async ({ page, api, open }) => {
    await api.putNotebook('tracked.ipynb', notebook(true));
    await api.putNotebook('untracked.ipynb', notebook(false));
    await open();
    await page.evaluate(() =>
      window.jupyterapp.commands.execute('docmanager:open', {
        path: 'untracked.ipynb'
      })
    );

    // Both kernels idle; the tracked one with the helper attached (the toolbar
    // shows its active run), the untracked one without.
    await page.waitForFunction(
      () => {
        const panels = [...window.jupyterapp.shell.widgets('main')].filter(
          w => w.sessionContext
        );
        const idle = panels.filter(
          p => p.sessionContext.session?.kernel?.status === 'idle'
        );
        const tracked = panels.find(p => p.context.path === 'tracked.ipynb');
        return (
          idle.length === 2 &&
          !!tracked?.node.querySelector('.jp-RunsIndicator-run')
        );
      },
      null,
      { timeout: 90000 }
    );
    log('both notebooks open, kernels idle, helper attached to tracked.ipynb');

    // One batch of `count` timed runs of the first cell of `notebookPath`, in ms.
    const batch = (notebookPath, count) =>
      page.evaluate(
        async ({ notebookPath, count }) => {
          const app = window.jupyterapp;
          const panel = [...app.shell.widgets('main')].find(
            w => w.context?.path === notebookPath
          );
          // `notebook:run-cell` acts on the current notebook, which follows focus.
          app.shell.activateById(panel.id);
          for (let wait = 0; app.shell.currentWidget !== panel; wait++) {
            if (wait > 500) {
              throw new Error(`could not activate ${notebookPath}`);
            }
            await new Promise(resolve => setTimeout(resolve, 10));
          }
          panel.content.activeCellIndex = 0;
          const cell = panel.content.widgets[0];
          const kernel = () => panel.sessionContext.session.kernel;
          const times = [];
          for (let i = 0; i < count; i++) {
            const before = cell.model.executionCount;
            const counted = new Promise(resolve => {
              const onState = (_, change) => {
                if (
                  change.name === 'executionCount' &&
                  change.newValue !== null &&
                  change.newValue !== before
                ) {
                  cell.model.stateChanged.disconnect(onState);
                  resolve();
                }
              };
              cell.model.stateChanged.connect(onState);
            });
            const started = performance.now();
            await app.commands.execute('notebook:run-cell');
            await counted;
            times.push(performance.now() - started);
            // Untimed: let the kernel go idle before the next run.
            while (kernel().status !== 'idle') {
              await new Promise(resolve => setTimeout(resolve, 2));
            }
          }
          return times;
        },
        { notebookPath, count }
      );

    await batch('tracked.ipynb', opts.warmup);
    await batch('untracked.ipynb', opts.warmup);
    const times = { 'tracked.ipynb': [], 'untracked.ipynb': [] };
    const order = ['tracked.ipynb', 'untracked.ipynb'];
    for (let b = 0; b < Math.ceil(opts.runs / opts.batch); b++) {
      const pair = b % 2 ? [...order].reverse() : order; // A B, B A, A B, ...
      for (const name of pair) {
        times[name].push(...(await batch(name, opts.batch)));
      }
    }

    // Proof that tracking really happened (and only where asked): the store
    // has the tracked notebook's executions and nothing of the untracked one.
    await sleep(4000); // a running run is written at most every 3 s
    await exposeRunStore(page);
    const { recorded, untrackedStored } = await page.evaluate(async () => {
      const store = window.benchStore;
      let recorded = 0;
      for (const run of (await store.listRuns('tracked.ipynb')).runs) {
        const read = await store.readExecutions('tracked.ipynb', run.id);
        recorded += read.value.executions.length;
      }
      const untracked = await store.listRuns('untracked.ipynb');
      return { recorded, untrackedStored: untracked.runs.length > 0 };
    });
    return {
      tracked_ms: median(times['tracked.ipynb']),
      untracked_ms: median(times['untracked.ipynb']),
      samples: times['tracked.ipynb'].length,
      recorded_executions: recorded,
      untracked_stored: untrackedStored
    };
  }
);

result.ratio = result.tracked_ms / result.untracked_ms;
result.target = TARGET;
result.holds = result.ratio <= TARGET;
if (opts.json) {
  console.log(JSON.stringify(result));
} else {
  console.log(
    `trivial cell round trip (median of ${result.samples}): tracked ${result.tracked_ms.toFixed(2)} ms, ` +
      `untracked ${result.untracked_ms.toFixed(2)} ms, ratio ${result.ratio.toFixed(3)}× ` +
      `(target ≤ ${TARGET}×: ${result.holds ? 'yes' : 'NO'}); ` +
      `${result.recorded_executions} executions recorded for tracked.ipynb, ` +
      `untracked.ipynb ${result.untracked_stored ? 'WAS' : 'was not'} stored`
  );
}
