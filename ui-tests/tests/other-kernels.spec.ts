/**
 * Run capture of a kernel that is not Python, end to end: the real Lab and
 * store folder, and the `echo` kernel of ui-tests/kernels (installed for the
 * test server only by lab-server.js), which prints back what it is sent and
 * raises EchoError for a line `fail`.
 */
import * as path from 'path';
import type { APIRequestContext } from '@playwright/test';
import type { IJupyterLabPageFixture } from '@jupyterlab/galata';
import {
  expect,
  serverKernelsTest as test,
  waitForIdleKernel
} from './fixtures';
import { readRun, runRows, sessionEnvs } from './store-files';

const NOTEBOOK = path.resolve(__dirname, '..', 'notebooks', 'echo.ipynb');

type StoredNotebook = {
  sessions: { id: string; env: Record<string, any> | null }[];
  runs: {
    id: string;
    name: string;
    status: string;
    session: string | null;
    executions: {
      source: string;
      cellId: string | null;
      outcome: string;
      error: { name: string; value: string } | null;
    }[];
    /** The executions whose outputs are stored. */
    outputs: number[];
  }[];
};

/**
 * What the store holds for a notebook: its kernel sessions with their
 * environments, and its runs, oldest first, with their executions.
 */
async function readStore(
  request: APIRequestContext,
  notebookPath: string
): Promise<StoredNotebook> {
  const runs: StoredNotebook['runs'] = [];
  for (const row of await runRows(request, notebookPath)) {
    const run = await readRun(request, notebookPath, row.id);
    if (run) {
      runs.push({
        id: run.id,
        name: run.name,
        status: run.status,
        session: run.session,
        executions: run.executions.map((execution, index) => ({
          source: run.sources[index],
          ...execution
        })),
        outputs: run.outputs
      });
    }
  }
  return { sessions: await sessionEnvs(request, notebookPath), runs };
}

/** The sources and outcomes of each run's executions. */
async function runExecutions(
  request: APIRequestContext,
  notebookPath: string
): Promise<string[][]> {
  const { runs } = await readStore(request, notebookPath);
  return runs.map(run =>
    run.executions.map(
      execution => `${execution.source} → ${execution.outcome}`
    )
  );
}

/**
 * Wait until the store holds `count` kernel sessions of the notebook: a
 * session is stored once the kernel has started and been attached.
 */
async function waitForSessions(
  request: APIRequestContext,
  notebookPath: string,
  count: number
): Promise<void> {
  await expect
    .poll(async () => (await readStore(request, notebookPath)).sessions, {
      timeout: 30000
    })
    .toHaveLength(count);
}

/** The active run indicator of the notebook shown. */
function indicator(page: IJupyterLabPageFixture) {
  return page.locator(
    '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-RunsIndicator'
  );
}

test.describe('Kernels that are not Python', () => {
  test.describe.configure({ timeout: 120000 });

  test('should record the runs of an echo kernel across a restart', async ({
    page,
    request,
    tmpPath
  }) => {
    const notebookPath = `${tmpPath}/echo.ipynb`;
    await page.contents.uploadFile(NOTEBOOK, notebookPath);
    expect(await page.notebook.openByPath(notebookPath)).toBe(true);
    await waitForIdleKernel(page);

    // Opening the notebook starts a session; no run until a cell runs.
    await waitForSessions(request, notebookPath, 1);
    await expect(indicator(page)).toHaveText('Ready to record');

    await page.notebook.runCell(0);
    await page.notebook.runCell(1);
    await expect
      .poll(() => runExecutions(request, notebookPath))
      .toEqual([['hello echo → ok', 'first line\nfail → error']]);
    await expect(indicator(page)).toContainText('running');

    await page.menu.clickMenuItem('Kernel>Restart Kernel…');
    await page.locator('.jp-Dialog .jp-mod-accept').click();
    await waitForIdleKernel(page);
    await page.notebook.runCell(2);
    await expect
      .poll(() => runExecutions(request, notebookPath))
      .toEqual([
        ['hello echo → ok', 'first line\nfail → error'],
        ['after the restart → ok']
      ]);

    // The restart ended the first run.
    await expect
      .poll(async () =>
        (await readStore(request, notebookPath)).runs.map(run => run.status)
      )
      .toEqual(['finished', 'running']);
    const { sessions, runs } = await readStore(request, notebookPath);
    const [first] = runs;
    expect(first.executions.map(execution => execution.cellId)).toEqual([
      'echo-hello',
      'echo-fail'
    ]);
    expect(first.executions[1].error).toMatchObject({
      name: 'EchoError',
      value: 'asked to fail'
    });
    expect(Object.keys(first.outputs).length).toBeGreaterThan(0);

    // One session per kernel process, each with what kernel_info gives.
    expect(sessions).toHaveLength(2);
    expect(new Set(runs.map(run => run.session)).size).toBe(2);
    for (const { env } of sessions) {
      expect(env).toMatchObject({
        recorded_by: 'frontend',
        kernel: {
          name: 'echo',
          display_name: 'Echo',
          implementation: 'echo-kernel',
          implementation_version: '1.0',
          protocol_version: expect.any(String),
          banner: 'Echo kernel: prints back what it is sent'
        },
        language: { name: 'echo', version: '1.0' },
        language_info: { name: 'echo', mimetype: 'text/plain' },
        jupyter: { jupyterlab: expect.stringMatching(/^4\./) },
        notebook_path: notebookPath
      });
    }
  });

  test('should let one tab record, and another take over the same session', async ({
    context,
    page,
    request,
    tmpPath
  }) => {
    const notebookPath = `${tmpPath}/echo.ipynb`;
    await page.contents.uploadFile(NOTEBOOK, notebookPath);

    // A first tab opens the notebook and records its kernel. Its own,
    // reset workspace: a saved one names the notebooks of earlier tests.
    const first = await context.newPage();
    await first.goto(
      `/lab/workspaces/runs-other-kernels/tree/${notebookPath}?reset`
    );
    await waitForSessions(request, notebookPath, 1);
    await first.evaluate(() =>
      window.jupyterapp.commands.execute('notebook:run-cell')
    );
    await expect
      .poll(() => runExecutions(request, notebookPath))
      .toEqual([['hello echo → ok']]);

    // The same notebook in this tab, on the same kernel: the first tab
    // records the cells this one runs.
    expect(await page.notebook.openByPath(notebookPath)).toBe(true);
    await waitForIdleKernel(page);
    await expect(indicator(page)).toHaveText('Recorded in another tab');
    await page.notebook.runCell(1);
    await expect
      .poll(() => runExecutions(request, notebookPath))
      .toEqual([['hello echo → ok', 'first line\nfail → error']]);

    // The first tab closes: this one goes on with the same session and run.
    await first.close();
    await expect(indicator(page)).toContainText('running');
    await page.notebook.runCell(2);
    await expect
      .poll(() => runExecutions(request, notebookPath))
      .toEqual([
        [
          'hello echo → ok',
          'first line\nfail → error',
          'after the restart → ok'
        ]
      ]);
    const { sessions, runs } = await readStore(request, notebookPath);
    expect(sessions).toHaveLength(1);
    expect(runs[0].executions.map(execution => execution.cellId)).toEqual([
      'echo-hello',
      null,
      'echo-again'
    ]);
  });
});
