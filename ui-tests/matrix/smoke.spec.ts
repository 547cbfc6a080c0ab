/**
 * The seed story in one version of the matrix (scripts/matrix.sh): the wheel
 * installed in a fresh venv of that version, its `jupyter lab` or `jupyter
 * notebook` started as the UI tests start theirs. Plain Playwright, no galata
 * fixtures: galata's page helpers follow the newest JupyterLab, and in
 * Notebook 7 a notebook has its own page.
 *
 * A user runs a notebook with `seed = 69`, changes the seed to 42, restarts
 * the kernel and runs it again, then opens the Runs panel, a run, the
 * comparison of both and the first run's snapshot.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { Page } from '@playwright/test';
import { expect, test } from '@playwright/test';
import { watchConsole } from '../console';
import { runRows } from '../tests/store-files';
import { APP, NAME, SERVER_ROOT } from './server';

const FOLDER = 'smoke';

/**
 * What Notebook 7.6 itself prints when it opens a notebook, with this
 * extension disabled too (checked with `disabledExtensions` in its page
 * config): not this extension's doing.
 */
const NOTEBOOK_7_OWN_PROBLEMS = [
  // Its menus list three core commands twice.
  /^Menu entry for command '(filemenu:close-and-cleanup|debugger:show-panel|toc:show-panel)' is duplicated\.$/,
  // yjs's warning that a shared type moved between documents.
  /^\[yjs#509\] Not same Y\.Doc$/,
  // An uncaught error in notebook_core while the settings load.
  /^TypeError: Cannot read properties of undefined \(reading 'schema'\)\s+at [^\n]*notebook_core/
];
const NOTEBOOK = `${FOLDER}/seed.ipynb`;

/** A notebook only the standard library runs: a seed, a score, a metric. */
function seedNotebook(seed: number): string {
  const code = (source: string) => ({
    cell_type: 'code',
    execution_count: null,
    metadata: {},
    outputs: [],
    source
  });
  return JSON.stringify({
    cells: [
      { ...code(`seed = ${seed}`), id: 'seed' },
      {
        ...code(
          'import random\n' +
            'random.seed(seed)\n' +
            'scores = [random.random() for _ in range(1000)]\n' +
            'accuracy = sum(scores) / len(scores)\n' +
            'print(f"accuracy: {accuracy:.6f}")'
        ),
        id: 'train'
      }
    ],
    metadata: {
      kernelspec: {
        display_name: 'Python 3 (ipykernel)',
        language: 'python',
        name: 'python3'
      }
    },
    nbformat: 4,
    nbformat_minor: 5
  });
}

/** The page a user opens the notebook in: a Lab tab, or Notebook 7's page. */
function notebookUrl(): string {
  // `reset`: the Lab's saved layout from an earlier spec is not restored.
  return APP === 'notebook'
    ? `/notebooks/${NOTEBOOK}`
    : `/lab/tree/${NOTEBOOK}?reset`;
}

/** Wait until the app has started and the notebook's kernel is idle. */
async function waitForNotebook(page: Page): Promise<void> {
  await page.waitForFunction(() => !!(window as any).jupyterapp);
  await page.evaluate(() => (window as any).jupyterapp.restored);
  await page.waitForFunction(
    () =>
      (window as any).jupyterapp.shell.currentWidget?.sessionContext?.session
        ?.kernel?.status === 'idle',
    null,
    { timeout: 60000 }
  );
}

/** Run every cell, as Run › Run All Cells does; done when they have run. */
async function runAll(page: Page): Promise<void> {
  await page.evaluate(() =>
    (window as any).jupyterapp.commands.execute('notebook:run-all-cells')
  );
}

/** Restart the kernel the way a user does: Kernel › Restart Kernel…, Restart. */
async function restartKernel(page: Page): Promise<void> {
  await page.getByRole('menuitem', { name: 'Kernel' }).click();
  await page.getByRole('menuitem', { name: /^Restart Kernel…/ }).click();
  await page.locator('.jp-Dialog .jp-mod-accept').click();
  await expect(page.locator('.jp-Dialog')).toHaveCount(0);
  await waitForNotebook(page);
}

test.describe(`The seed story in ${NAME}`, () => {
  test.beforeAll(() => {
    fs.mkdirSync(path.join(SERVER_ROOT, FOLDER), { recursive: true });
    fs.writeFileSync(path.join(SERVER_ROOT, NOTEBOOK), seedNotebook(69));
  });

  test('should record two runs and open the panel, a run, the comparison and a snapshot', async ({
    page,
    request
  }) => {
    const problems = watchConsole(page.context());
    await page.goto(notebookUrl());
    await waitForNotebook(page);

    // Run 1, seed 69.
    await runAll(page);
    await expect
      .poll(
        async () => (await runRows(request, NOTEBOOK)).map(r => r.params.seed),
        {
          timeout: 30000
        }
      )
      .toEqual([69]);

    // Run 2: the seed changed to 42 and the kernel restarted.
    await page.evaluate(() => {
      const notebook = (window as any).jupyterapp.shell.currentWidget;
      notebook.content.widgets[0].model.sharedModel.setSource('seed = 42');
    });
    await restartKernel(page);
    await runAll(page);
    await expect
      .poll(
        async () => (await runRows(request, NOTEBOOK)).map(r => r.params.seed),
        {
          timeout: 30000
        }
      )
      .toEqual([69, 42]);
    await expect
      .poll(async () =>
        (await runRows(request, NOTEBOOK)).map(r => typeof r.metrics.accuracy)
      )
      .toEqual(['number', 'number']);
    const [first, second] = await runRows(request, NOTEBOOK);
    expect(first.metrics.accuracy).not.toBe(second.metrics.accuracy);

    // The Runs panel (the left area in both apps) lists both, newest first,
    // the second with the seed it changed.
    await page.evaluate(() =>
      (window as any).jupyterapp.commands.execute('jupyterlab-runs:show-panel')
    );
    const panel = page.getByRole('region', { name: 'Runs' });
    await expect(panel).toBeVisible();
    const rows = panel.locator('.jp-RunsPanel-item');
    await expect(rows).toHaveCount(2);
    await expect(rows.nth(0)).toContainText(second.name);
    await expect(panel.locator('.jp-RunsPanel-badge')).toContainText(['seed']);

    // The notebook toolbar shows the active run.
    await expect(page.locator('.jp-RunsIndicator')).toContainText(second.name);

    // A run opens (double-click, as a user does) with its parameter.
    await rows.nth(1).dblclick();
    const detail = page
      .locator('.jp-RunDetail')
      .filter({ hasText: first.name });
    await expect(detail).toBeVisible();
    await expect(
      detail.getByRole('region', { name: 'Parameters' })
    ).toContainText('69');

    // The comparison of both says the seeds differ.
    await rows.nth(0).click();
    await rows.nth(1).click({ modifiers: ['ControlOrMeta'] });
    await rows.nth(1).click({ button: 'right' });
    await page
      .locator('.lm-Menu-item', { hasText: 'Compare 2 Selected Runs' })
      .click();
    const compare = page.locator('.jp-RunsCompare');
    await expect(compare).toBeVisible();
    const params = compare.getByRole('region', { name: 'Parameters' });
    await expect(params.locator('tbody tr').first()).toContainText('seed');
    await expect(params.locator('tbody tr').first()).toContainText('69');
    await expect(params.locator('tbody tr').first()).toContainText('42');

    // The first run's snapshot: the notebook as it ran, seed 69.
    await rows.nth(1).click();
    await rows.nth(1).click({ button: 'right' });
    await page.locator('.lm-Menu-item', { hasText: 'Open Snapshot' }).click();
    const snapshot = page.locator('.jp-RunSnapshot');
    await expect(snapshot).toBeVisible();
    await expect(snapshot).toContainText('seed = 69');

    const known = APP === 'notebook' ? NOTEBOOK_7_OWN_PROBLEMS : [];
    expect(
      problems.filter(problem => !known.some(own => own.test(problem.text)))
    ).toEqual([]);
  });
});
