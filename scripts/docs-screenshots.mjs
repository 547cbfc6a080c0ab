// The README's screenshots, taken in the real Lab, kernel and Chromium at
// 1280×800 with the sidebar at its default width: the seed story run with
// seed 69, then 42 after a restart; the Runs sidebar (screenshot.png), the
// second run open beside it (screenshot-history.png), the first run re-run in
// a fresh kernel (its verdict), its snapshot, and the two runs compared.
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

/** A screenshot of the main area's current widget, or of the whole page. */
async function shoot(page, name, whole = false) {
  await sleep(1500);
  const file = path.join(DOCS, name);
  if (whole) {
    await page.screenshot({ path: file });
  } else {
    await page.locator('#jp-main-dock-panel').screenshot({ path: file });
  }
  log(`wrote ${path.relative(REPO, file)}`);
}

/**
 * Execute a command of the extension on the notebook's runs (`args` with the
 * notebook's path), confirm a re-run, and wait for `selector` to be visible.
 */
async function show(page, command, args, selector, timeout = 60000) {
  await page.evaluate(
    ([id, commandArgs]) => {
      // Not awaited: Re-run asks first.
      void window.jupyterapp.commands.execute(id, commandArgs);
    },
    [command, { notebookPath: NOTEBOOK, ...args }]
  );
  if (command === 'jupyterlab-runs:rerun') {
    await page
      .locator('.jp-Dialog')
      .getByRole('button', { name: 'Run', exact: true })
      .click({ timeout });
  }
  await page.locator(selector).first().waitFor({ state: 'visible', timeout });
}

await withLab(
  {
    port: opts.port,
    work: path.join(REPO, 'build', 'docs-screenshots')
  },
  async ({ page, base, api }) => {
    await page.setViewportSize({ width: 1280, height: 800 });
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
    // The helper attached: the toolbar says it is ready to record.
    await page
      .locator('.jp-RunsIndicator', { hasText: 'Ready to record' })
      .first()
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
    // The first run ended with its kernel; the toolbar shows it until the
    // next one starts.
    await page
      .locator('.jp-RunsIndicator-run.jp-mod-finished')
      .first()
      .waitFor({ state: 'attached', timeout: 60000 });
    await page.waitForFunction(
      () =>
        window.jupyterapp.shell.currentWidget?.sessionContext?.session?.kernel
          ?.status === 'idle',
      null,
      { timeout: 60000 }
    );
    await runAll(page);
    const [first, second] = await runsRecorded(page, 2);
    await page.evaluate(async () => {
      await window.jupyterapp.commands.execute('docmanager:save');
    });

    // The Runs sidebar at its default width beside the notebook: each row
    // with its metric change and the seed badge, no scrolling.
    await page.evaluate(async () => {
      await window.jupyterapp.commands.execute('jupyterlab-runs:show-panel');
    });
    await page
      .locator('.jp-RunsPanel-badge', { hasText: '69' })
      .first()
      .waitFor({ state: 'visible', timeout: 60000 });
    await shoot(page, 'screenshot.png', true);

    // The second run open in the main area, the sidebar beside it.
    await show(
      page,
      'jupyterlab-runs:open-run',
      { runId: second.id },
      '.jp-RunDetail .jp-RunDetail-body'
    );
    await shoot(page, 'screenshot-history.png', true);

    // The first run re-run in a fresh kernel: its verdict.
    await show(
      page,
      'jupyterlab-runs:rerun',
      { runId: first.id, order: 'executed' },
      '.jp-RunsRerun-overall',
      120000
    );
    await shoot(page, 'screenshot-rerun.png');

    // The first run's notebook as it stood.
    await show(
      page,
      'jupyterlab-runs:open-snapshot',
      { runId: first.id },
      '.jp-RunSnapshot-changes'
    );
    await shoot(page, 'screenshot-snapshot.png');

    // The two runs side by side.
    await show(
      page,
      'jupyterlab-runs:compare-runs',
      {
        runs: [first, second].map(run => ({
          notebookPath: NOTEBOOK,
          runId: run.id
        }))
      },
      '.jp-RunsCompare .jp-RunsChart canvas'
    );
    await shoot(page, 'screenshot-compare.png');
  }
);
