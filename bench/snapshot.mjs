// Opening a run's snapshot against opening the notebook itself: a 200-cell
// notebook with 20 MB of outputs, written through the Contents API, and one
// run of it recorded through the Lab's own RunStore in the page (synthetic
// kernel events, displayed outputs and a snapshot of the whole notebook, as
// run capture sends them; docs/CAPTURE.md). Then, in the same page, in
// alternating order:
//
//   - the snapshot view: from the `jupyterlab-runs:open-snapshot` command to
//     the last cell's output in the view's DOM (the store's files are read
//     and decoded, the notebook rendered by JupyterLab's notebook widget);
//   - the baseline: `docmanager:open` of the same .ipynb to its last cell's
//     output in the notebook panel's DOM (its kernel is shut down after).
//
// The first of each (chunk loading, caches) is reported, not counted.
//
//   node bench/snapshot.mjs [--port 8873] [--cells 200] [--mb 20] [--samples 3] [--json]
import { readdirSync, statSync } from 'node:fs';
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
  port: 8873,
  cells: 200,
  mb: 20,
  samples: 3,
  json: false
});
const NOTEBOOK = 'big.ipynb';
const STORE = 'jupyter-runs';
const RUN = '20260101T000000000Z-bench0-r1';

/** The text a cell printed: numbered lines, `bytes` long, ending with its marker. */
function printed(cell, bytes) {
  const marker = `end of cell ${cell + 1}\n`;
  const lines = [];
  let size = marker.length;
  for (let step = 0; size < bytes; step++) {
    const line =
      `cell ${cell + 1} step ${step}: loss=${(2 / (step + 1)).toFixed(6)} ` +
      `accuracy=${(1 - 1 / (step + 2)).toFixed(6)} lr=0.001 batch=64\n`;
    lines.push(line);
    size += line.length;
  }
  return lines.join('') + marker;
}

// The notebook: every cell printed the same share of the outputs. Tracking is
// off in its metadata, so opening it records nothing while it is measured.
const perCell = Math.round((opts.mb * 1024 * 1024) / opts.cells);
const notebook = {
  cells: Array.from({ length: opts.cells }, (_, cell) => ({
    cell_type: 'code',
    id: `cell-${cell + 1}`,
    metadata: {},
    source: `for step in range(steps):\n    train_step(step)  # cell ${cell + 1}`,
    outputs: [
      { output_type: 'stream', name: 'stdout', text: printed(cell, perCell) }
    ],
    execution_count: cell + 1
  })),
  metadata: {
    kernelspec: {
      display_name: 'Python 3 (ipykernel)',
      language: 'python',
      name: 'python3'
    },
    language_info: { name: 'python' },
    jupyterlab_runs: { tracking: false }
  },
  nbformat: 4,
  nbformat_minor: 5
};
const outputBytes = notebook.cells.reduce(
  (sum, cell) => sum + Buffer.byteLength(cell.outputs[0].text),
  0
);
const marker = `end of cell ${opts.cells}`;

/**
 * Record one run of the notebook through `window.benchStore`: its session,
 * its start, one execution per cell with its displayed outputs, a snapshot
 * of the notebook as the server holds it, and its end.
 */
async function recordRun(page) {
  await page.evaluate(
    async ({ notebookPath, run }) => {
      const app = window.jupyterapp;
      const store = window.benchStore;
      const model = await app.serviceManager.contents.get(notebookPath, {
        content: true
      });
      const nb = model.content;
      const start = Date.UTC(2026, 0, 1) / 1000; // epoch seconds
      let seq = 0;
      let time = start;
      const event = (kind, fields) => ({
        seq: ++seq,
        time: (time += 0.5),
        kind,
        ...fields
      });
      const events = [
        event('session', {
          session: '20260101T000000000Z-bench0',
          env: {
            language: { name: 'python', version: '3.11.2' },
            packages: {}
          }
        }),
        event('run_start', {
          run,
          name: 'big-run-1',
          reason: 'kernel-start',
          params: [],
          inherited: []
        })
      ];
      nb.cells.forEach((cell, index) => {
        events.push(
          event('execution', {
            run,
            exec: index + 1,
            cell_id: cell.id,
            execution_count: cell.execution_count,
            source: cell.source,
            started: time,
            ended: time + 0.25,
            outcome: 'ok',
            error: null
          })
        );
      });
      store.addEvents(notebookPath, events);
      nb.cells.forEach((cell, index) =>
        store.addOutputs(notebookPath, {
          run,
          exec: index + 1,
          outputs: cell.outputs
        })
      );
      store.saveSnapshot(notebookPath, {
        run,
        time: Math.round(time * 1000),
        notebook: nb
      });
      store.addEvents(notebookPath, [
        event('run_end', { run, status: 'finished' })
      ]);
      await store.flush();
    },
    { notebookPath: NOTEBOOK, run: RUN }
  );
}

/**
 * Run `command` with `args` and time it until the widget it resolves with
 * shows `marker` in the output of its last cell (`cells(widget)` gives the
 * cell widgets), in ms; the widget is then closed by `close(widget)`.
 */
const timeOpen = (page, kind) =>
  page.evaluate(
    ({ kind, args, marker }) =>
      new Promise((resolve, reject) => {
        const app = window.jupyterapp;
        const cells = widget =>
          kind === 'snapshot'
            ? (widget.content.notebook?.widgets ?? [])
            : widget.content.widgets;
        const started = performance.now();
        const deadline = started + 300000;
        let widget = null;
        const check = () => {
          const all = widget ? cells(widget) : [];
          const last = all[all.length - 1];
          const output = last?.node.querySelector('.jp-OutputArea-output');
          if (output?.textContent.includes(marker)) {
            const ms = performance.now() - started;
            const count = all.length;
            const close = async () => {
              if (kind === 'open') {
                await widget.sessionContext.shutdown();
              }
              widget.dispose();
            };
            close().then(() => resolve({ ms, cells: count }), reject);
          } else if (performance.now() > deadline) {
            reject(new Error(`${kind}: no last output within 300 s`));
          } else {
            requestAnimationFrame(check);
          }
        };
        const opened =
          kind === 'snapshot'
            ? app.commands.execute('jupyterlab-runs:open-snapshot', args)
            : app.commands.execute('docmanager:open', {
                path: args.notebookPath
              });
        opened.then(w => {
          widget = w;
          requestAnimationFrame(check);
        }, reject);
      }),
    { kind, args: { notebookPath: NOTEBOOK, runId: RUN }, marker }
  );

const result = await withLab(
  { port: opts.port, work: path.join(REPO, 'build', 'bench', 'snapshot') },
  async ({ page, root, api, open }) => {
    let started = Date.now();
    await api.putNotebook(NOTEBOOK, notebook);
    const fileBytes = statSync(path.join(root, NOTEBOOK)).size;
    log(
      `${NOTEBOOK}: ${opts.cells} cells, ${(outputBytes / 1048576).toFixed(1)} MB of outputs, ` +
        `${(fileBytes / 1048576).toFixed(1)} MB on disk, written in ${((Date.now() - started) / 1000).toFixed(1)} s`
    );
    await open();
    await exposeRunStore(page);
    started = Date.now();
    await recordRun(page);
    const recordSeconds = (Date.now() - started) / 1000;
    const storeBytes = folderBytes(path.join(root, STORE));
    log(
      `one run recorded through the RunStore in ${recordSeconds.toFixed(1)} s; ` +
        `store ${(storeBytes / 1048576).toFixed(1)} MB on disk`
    );
    // What reading the snapshot alone takes (the view's first step).
    const read = await page.evaluate(
      async ({ notebookPath, run }) => {
        const t0 = performance.now();
        const { value, problems } = await window.benchStore.readSnapshot(
          notebookPath,
          run
        );
        return {
          ms: performance.now() - t0,
          cells: value?.notebook.cells.length ?? 0,
          problems
        };
      },
      { notebookPath: NOTEBOOK, run: RUN }
    );
    if (read.cells !== opts.cells || read.problems.length > 0) {
      throw new Error(
        `the snapshot read back has ${read.cells} cells; problems: ${read.problems.join('; ')}`
      );
    }
    log(`reading the snapshot from the store: ${read.ms.toFixed(0)} ms`);

    // The first of each loads code and fills caches: reported, not counted.
    const firstSnapshot = await timeOpen(page, 'snapshot');
    await sleep(1000);
    const firstOpen = await timeOpen(page, 'open');
    log(
      `first snapshot view ${firstSnapshot.ms.toFixed(0)} ms, first open ${firstOpen.ms.toFixed(0)} ms`
    );
    // The main thread's busy time too (Chrome's TaskDuration): on a loaded
    // machine it says more than the wall clock.
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    const busy = async () =>
      (await cdp.send('Performance.getMetrics')).metrics.find(
        metric => metric.name === 'TaskDuration'
      ).value * 1000;
    const samples = { snapshot: [], open: [] };
    const busySamples = { snapshot: [], open: [] };
    for (let sample = 0; sample < opts.samples; sample++) {
      const order = sample % 2 ? ['open', 'snapshot'] : ['snapshot', 'open'];
      for (const kind of order) {
        await sleep(1000);
        const before = await busy();
        const timing = await timeOpen(page, kind);
        const busyMs = (await busy()) - before;
        if (timing.cells !== opts.cells) {
          throw new Error(`${kind}: ${timing.cells} cells shown`);
        }
        samples[kind].push(timing.ms);
        busySamples[kind].push(busyMs);
        log(
          `sample ${sample + 1}: ${kind} ${timing.ms.toFixed(0)} ms (main thread busy ${busyMs.toFixed(0)} ms)`
        );
      }
    }
    return {
      file_bytes: fileBytes,
      store_bytes: storeBytes,
      record_seconds: recordSeconds,
      read_ms: read.ms,
      first_snapshot_ms: firstSnapshot.ms,
      first_open_ms: firstOpen.ms,
      snapshot_samples: samples.snapshot,
      open_samples: samples.open,
      snapshot_busy_samples: busySamples.snapshot,
      open_busy_samples: busySamples.open
    };
  }
);

function folderBytes(folder) {
  let bytes = 0;
  const walk = dir => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        walk(full);
      } else {
        bytes += statSync(full).size;
      }
    }
  };
  walk(folder);
  return bytes;
}

result.cells = opts.cells;
result.output_bytes = outputBytes;
result.samples = opts.samples;
result.snapshot_ms = median(result.snapshot_samples);
result.open_ms = median(result.open_samples);
result.ratio = result.snapshot_ms / result.open_ms;
result.snapshot_busy_ms = median(result.snapshot_busy_samples);
result.open_busy_ms = median(result.open_busy_samples);
result.busy_ratio = result.snapshot_busy_ms / result.open_busy_ms;

if (opts.json) {
  console.log(JSON.stringify(result));
} else {
  const ms = value => `${value.toFixed(0)} ms`;
  console.log(
    [
      `${result.cells} cells, ${(outputBytes / 1048576).toFixed(1)} MB of outputs (${(result.file_bytes / 1048576).toFixed(1)} MB .ipynb; ` +
        `store ${(result.store_bytes / 1048576).toFixed(1)} MB, written in ${result.record_seconds.toFixed(1)} s)`,
      `snapshot view to the last output (median of ${opts.samples}): ${ms(result.snapshot_ms)}`,
      `docmanager:open of the .ipynb to the last output (median of ${opts.samples}): ${ms(result.open_ms)}`,
      `ratio: ${result.ratio.toFixed(2)}×; main thread busy meanwhile ${ms(result.snapshot_busy_ms)} vs ${ms(result.open_busy_ms)} ` +
        `(${result.busy_ratio.toFixed(2)}×)`,
      `reading the snapshot alone ${ms(result.read_ms)}; ` +
        `first of each (untimed): snapshot ${ms(result.first_snapshot_ms)}, open ${ms(result.first_open_ms)}`
    ].join('\n')
  );
}
