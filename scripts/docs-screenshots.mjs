// The README's screenshots of reopening and reproducing, taken in the real
// Lab, kernel and Chromium: the seed story run with seed 69, then 42 after a
// restart; the first run re-run in a fresh kernel (its verdict), its snapshot,
// and the two runs compared.
//
//   node scripts/docs-screenshots.mjs [--port 8874]
//
// Needs a build (npm test or npm start once). Writes docs/screenshot-*.png.
import { readFileSync } from 'node:fs';
import path from 'node:path';

import {
  REPO,
  exposeRunStore,
  log,
  openLab,
  options,
  sleep,
  waitFor,
  withLab
} from '../bench/lab.mjs';

const opts = options({ port: 8874 });
const NOTEBOOK = 'seed-story.ipynb';
const DOCS = path.join(REPO, 'docs');

/** Run every cell of the notebook and wait until the kernel is idle. */
async function runAll(page) {
  await page.evaluate(async () => {
    await window.jupyterapp.commands.execute('notebook:run-all-cells');
  });
  await page.waitForFunction(
    () => {
      const panel = window.jupyterapp.shell.currentWidget;
      const cells = panel?.content?.widgets ?? [];
      return (
        cells.length > 0 &&
        cells.every(cell => cell.model.executionState !== 'running') &&
        panel.sessionContext.session?.kernel?.status === 'idle'
      );
    },
    null,
    { timeout: 60000 }
  );
}

/** The runs of the notebook, oldest first. */
const runsOf = page =>
  page.evaluate(
    async p => (await window.benchStore.listRuns(p)).runs.slice().reverse(),
    NOTEBOOK
  );

/** Wait until the notebook has `count` runs with their metric. */
async function runsRecorded(page, count) {
  await waitFor(
    async () =>
      (await runsOf(page)).filter(
        run => run.metrics.mean_squared_error !== undefined
      ).length >= count,
    60000,
    `${count} runs with their metric`
  );
  return runsOf(page);
}

/** A screenshot of the main area's current widget. */
async function shoot(page, name) {
  await sleep(1500);
  const file = path.join(DOCS, name);
  await page.locator('#jp-main-dock-panel').screenshot({ path: file });
  log(`wrote ${path.relative(REPO, file)}`);
}

await withLab(
  {
    port: opts.port,
    work: path.join(REPO, 'build', 'docs-screenshots')
  },
  async ({ page, base, api }) => {
    await page.setViewportSize({ width: 1200, height: 760 });
    await api.putNotebook(
      NOTEBOOK,
      JSON.parse(
        readFileSync(path.join(REPO, 'ui-tests', 'notebooks', NOTEBOOK), 'utf8')
      )
    );
    await openLab(page, `${base}/lab/tree/${NOTEBOOK}?reset`);
    await exposeRunStore(page);
    await page.waitForFunction(
      () =>
        window.jupyterapp.shell.currentWidget?.sessionContext?.session?.kernel
          ?.status === 'idle',
      null,
      { timeout: 60000 }
    );
    // The helper attached: the toolbar shows the run it will record into.
    await page
      .locator('.jp-RunsIndicator-run')
      .waitFor({ state: 'attached', timeout: 60000 });
    await runAll(page);
    await runsRecorded(page, 1);
    // Seed 42 after a restart: the second run.
    await page.evaluate(async () => {
      const panel = window.jupyterapp.shell.currentWidget;
      panel.content.model.sharedModel.cells[0].setSource(
        'seed = 42\nalpha = 0.1'
      );
      await panel.sessionContext.session.kernel.restart();
    });
    await sleep(3000);
    await page
      .locator('.jp-RunsIndicator-run')
      .waitFor({ state: 'attached', timeout: 60000 });
    await runAll(page);
    const [first, second] = await runsRecorded(page, 2);
    await page.evaluate(async () => {
      await window.jupyterapp.commands.execute('docmanager:save');
    });

    // The first run re-run in a fresh kernel: its verdict.
    await page.evaluate(
      async args => {
        await window.jupyterapp.commands.execute('jupyterlab-runs:rerun', args);
      },
      { notebookPath: NOTEBOOK, runId: first.id, order: 'executed' }
    );
    await page
      .locator('.jp-RunsRerun-overall')
      .waitFor({ state: 'visible', timeout: 120000 });
    await shoot(page, 'screenshot-rerun.png');

    // The first run's notebook as it stood.
    await page.evaluate(
      async args => {
        await window.jupyterapp.commands.execute(
          'jupyterlab-runs:open-snapshot',
          args
        );
      },
      { notebookPath: NOTEBOOK, runId: first.id }
    );
    await page
      .locator('.jp-RunSnapshot-changes')
      .waitFor({ state: 'visible', timeout: 60000 });
    await shoot(page, 'screenshot-snapshot.png');

    // The two runs side by side.
    await page.evaluate(
      async runs => {
        await window.jupyterapp.commands.execute(
          'jupyterlab-runs:compare-runs',
          { runs }
        );
      },
      [first, second].map(run => ({ notebookPath: NOTEBOOK, runId: run.id }))
    );
    await page
      .locator('.jp-RunsCompare .jp-RunsChart canvas')
      .first()
      .waitFor({ state: 'visible', timeout: 60000 });
    await shoot(page, 'screenshot-compare.png');
  }
);
