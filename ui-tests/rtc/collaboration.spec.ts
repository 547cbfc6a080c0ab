/**
 * Two users on one notebook with real-time collaboration on
 * (jupyter-collaboration): each in a browser context of their own, so two
 * browsers as far as the pages can tell, sharing the document and its kernel.
 */
import type { Browser, BrowserContext, Page } from '@playwright/test';
import { expect, test } from '@playwright/test';
import type { IConsoleProblem } from '../console';
import { watchConsole } from '../console';
import {
  readRun,
  readSnapshots,
  runRows,
  storedSessions,
  waitForQuietStore
} from '../tests/store-files';

const NOTEBOOK = 'shared.ipynb';

const SOURCES = [
  "seed = 7\nprint('rmse: 1.0')",
  "print('rmse: 0.5')",
  "import time\ntime.sleep(4)\nprint('rmse: 0.25')"
];

/** The notebook both users open: three code cells with stable ids. */
const CONTENT = {
  cells: SOURCES.map((source, index) => ({
    cell_type: 'code',
    execution_count: null,
    id: `shared-${index}`,
    metadata: {},
    outputs: [],
    source
  })),
  metadata: {
    kernelspec: {
      display_name: 'Python 3 (ipykernel)',
      language: 'python',
      name: 'python3'
    }
  },
  nbformat: 4,
  nbformat_minor: 5
};

/** One user: a browser context and its Lab page, with its console watched. */
type User = {
  name: string;
  context: BrowserContext;
  page: Page;
  problems: IConsoleProblem[];
};

/**
 * Open the notebook as a user of their own: a new browser context (cookies,
 * storage and Web Locks of its own), in a workspace of their own.
 */
async function openAs(
  browser: Browser,
  name: string,
  notebook = NOTEBOOK
): Promise<User> {
  const context = await browser.newContext();
  const problems = watchConsole(context);
  const page = await context.newPage();
  await page.goto(`/lab/workspaces/${name}/tree/${notebook}`);
  await page.waitForFunction(() => !!window.jupyterapp);
  await page.waitForFunction(
    () =>
      (window.jupyterapp.shell.currentWidget as any)?.sessionContext?.session
        ?.kernel?.status === 'idle',
    null,
    { timeout: 60000 }
  );
  // Whether this page writes the kernel's events, as the kernel helper last
  // told it over its own comm (messages to other pages' comms reach every
  // page too, and are told apart by comm id).
  await page.evaluate(() => {
    const kernel = (window.jupyterapp.shell.currentWidget as any).sessionContext
      .session.kernel;
    kernel.anyMessage.connect((_: unknown, { msg, direction }: any) => {
      const data = msg.content?.data;
      if (
        direction === 'recv' &&
        msg.header.msg_type === 'comm_msg' &&
        data?.type === 'writer' &&
        kernel.hasComm(msg.content.comm_id)
      ) {
        (window as any).runsWriter = data.writer;
      }
    });
  });
  return { name, context, page, problems };
}

/** Whether a user's page writes the kernel's events, as last told. */
function isWriter(user: User): Promise<boolean | undefined> {
  return user.page.evaluate(() => (window as any).runsWriter);
}

/** The Runs indicator of a user's notebook toolbar. */
const indicator = (user: User) => user.page.locator('.jp-RunsIndicator');

/** Whether the document a user's page shows is collaborative. */
function isCollaborative(user: User): Promise<boolean> {
  return user.page.evaluate(
    () =>
      (window.jupyterapp.shell.currentWidget as any).context.model
        .collaborative === true
  );
}

/**
 * Run one cell from a user's page; resolves when it finished, unless
 * `wait` is false.
 */
async function runCell(user: User, index: number, wait = true): Promise<void> {
  await user.page.evaluate(
    async ({ index, wait }) => {
      const app = window.jupyterapp;
      (app.shell.currentWidget as any).content.activeCellIndex = index;
      const done = app.commands.execute('notebook:run-cell');
      if (wait) {
        await done;
      }
    },
    { index, wait }
  );
}

/** A cell as a user's page shows it: source, count and running or not. */
function cellOf(user: User, index: number) {
  return user.page.evaluate(index => {
    const model = (window.jupyterapp.shell.currentWidget as any).content
      .widgets[index].model;
    return {
      source: model.sharedModel.getSource() as string,
      count: model.executionCount as number | null,
      running: model.executionState === 'running'
    };
  }, index);
}

/** The Runs panel of a user's page, shown. */
async function runsPanel(user: User) {
  await user.page.evaluate(() =>
    window.jupyterapp.commands.execute('jupyterlab-runs:show-panel')
  );
  return user.page.getByRole('region', { name: 'Runs' });
}

test.describe('Real-time collaboration', () => {
  test.describe.configure({ mode: 'serial' });

  let alice: User;
  let bob: User;

  test.beforeAll(async ({ browser, request }) => {
    const put = await request.put(`/api/contents/${NOTEBOOK}`, {
      data: { type: 'notebook', format: 'json', content: CONTENT }
    });
    expect(put.ok()).toBe(true);
    // Alice opens the notebook first; its kernel session is stored once the
    // helper is attached. Then Bob opens it: his page greets the kernel last,
    // so it is the one the kernel sends its events to.
    alice = await openAs(browser, 'alice');
    await expect
      .poll(() => storedSessions(request, NOTEBOOK), { timeout: 30000 })
      .toBe(1);
    await expect.poll(() => isWriter(alice)).toBe(true);
    bob = await openAs(browser, 'bob');
    await expect.poll(() => isWriter(bob), { timeout: 30000 }).toBe(true);
    await expect.poll(() => isWriter(alice)).toBe(false);
    // Nothing ran yet: neither toolbar shows a run (the kernel's first one
    // is announced with its first execution).
    await expect(indicator(bob)).toHaveText('Ready to record', {
      timeout: 30000
    });
    await expect(indicator(alice).locator('.jp-RunsIndicator-run')).toHaveCount(
      0
    );
  });

  test.afterEach(() => {
    for (const user of [alice, bob]) {
      expect(user.problems, `${user.name}'s console`).toEqual([]);
    }
  });

  test.afterAll(async ({ request }) => {
    await alice?.context.close();
    await bob?.context.close();
    const sessions = await (await request.get('/api/sessions')).json();
    for (const session of sessions) {
      await request.delete(`/api/sessions/${session.id}`);
    }
  });

  test('should share one document and one kernel between the two users', async () => {
    expect(await isCollaborative(alice)).toBe(true);
    expect(await isCollaborative(bob)).toBe(true);
    const kernelOf = (user: User) =>
      user.page.evaluate(
        () =>
          (window.jupyterapp.shell.currentWidget as any).sessionContext.session
            .kernel.id
      );
    expect(await kernelOf(alice)).toBe(await kernelOf(bob));
  });

  test('should record each execution once, whoever ran it', async ({
    request
  }) => {
    // Alice's page does not get the kernel's events, Bob's does: each runs
    // a cell, then Alice runs Bob's cell again.
    await runCell(alice, 0);
    await runCell(bob, 1);
    await runCell(alice, 1);

    await expect
      .poll(async () => (await readRun(request, NOTEBOOK))?.outputs.sort(), {
        timeout: 30000
      })
      .toEqual([1, 2, 3]);
    await waitForQuietStore(request, NOTEBOOK);
    const rows = await runRows(request, NOTEBOOK);
    expect(rows).toHaveLength(1);
    expect(await storedSessions(request, NOTEBOOK)).toBe(1);
    const run = await readRun(request, NOTEBOOK, rows[0].id);
    expect(run?.sources).toEqual([SOURCES[0], SOURCES[1], SOURCES[1]]);
    expect(run?.executions.map(execution => execution.cellId)).toEqual([
      'shared-0',
      'shared-1',
      'shared-1'
    ]);
    expect(run?.outputs).toEqual([1, 2, 3]);
    expect(rows[0].metrics.rmse).toBe(0.5);
    expect(rows[0].params.seed).toBe(7);
  });

  test("should show the run in both users' Runs panels and toolbars", async ({
    request
  }) => {
    const [row] = await runRows(request, NOTEBOOK);
    const panels = [await runsPanel(alice), await runsPanel(bob)];
    for (const [i, user] of [alice, bob].entries()) {
      await expect(panels[i]).toContainText(row.name);
      await expect(indicator(user)).toContainText(`run ${row.name}`);
    }

    // Alice, whose page does not write, runs a cell that changes the metric:
    // both panels read the runs again by themselves.
    await runCell(alice, 2);
    await expect
      .poll(async () => (await runRows(request, NOTEBOOK))[0]?.metrics.rmse, {
        timeout: 30000
      })
      .toBe(0.25);
    for (const panel of panels) {
      await expect(
        panel.locator('.jp-RunsPanel-item', { hasText: row.name })
      ).toContainText('0.25', { timeout: 15000 });
    }
  });

  test('should record the source that ran while a collaborator edits the cell', async ({
    request
  }) => {
    // Alice runs the slow cell; while it runs, Bob types into it.
    await runCell(alice, 2, false);
    await expect.poll(async () => (await cellOf(alice, 2)).running).toBe(true);
    const edited = SOURCES[2].replace('0.25', '0.125');
    await bob.page.evaluate(() => {
      const model = (window.jupyterapp.shell.currentWidget as any).content
        .widgets[2].model;
      const source: string = model.sharedModel.getSource();
      const at = source.indexOf('0.25');
      model.sharedModel.updateSource(at, at + '0.25'.length, '0.125');
    });
    // The edit reaches Alice's page while her execution still runs.
    await expect.poll(async () => (await cellOf(alice, 2)).source).toBe(edited);
    expect((await cellOf(alice, 2)).running).toBe(true);
    await expect
      .poll(async () => (await cellOf(alice, 2)).running, { timeout: 15000 })
      .toBe(false);
    const ranCount = (await cellOf(alice, 2)).count;

    // The run ends (Alice asks for a new one): its snapshot is the notebook
    // as the run left it, the cell with the source it ran.
    const [first] = await runRows(request, NOTEBOOK);
    await alice.page.evaluate(() =>
      window.jupyterapp.commands.execute('jupyterlab-runs:start-run', {
        name: 'after-edit'
      })
    );
    await expect
      .poll(async () => (await runRows(request, NOTEBOOK))[0]?.status, {
        timeout: 30000
      })
      .toBe('finished');
    await expect
      .poll(
        async () => (await readSnapshots(request, NOTEBOOK, first.id)).length,
        {
          timeout: 30000
        }
      )
      .toBeGreaterThan(0);
    const snapshots = await readSnapshots(request, NOTEBOOK, first.id);
    const cell = snapshots[snapshots.length - 1].cells[2];
    expect(cell.source).toBe(SOURCES[2]);
    expect(cell.count).toBe(ranCount);

    // Bob runs the cell as he edited it: the new run holds that source.
    await runCell(bob, 2);
    await expect
      .poll(async () => (await runRows(request, NOTEBOOK)).length, {
        timeout: 30000
      })
      .toBe(2);
    await expect
      .poll(async () => (await readRun(request, NOTEBOOK))?.sources, {
        timeout: 30000
      })
      .toEqual([edited]);
    const firstRun = await readRun(request, NOTEBOOK, first.id);
    expect(firstRun?.sources).toEqual([
      SOURCES[0],
      SOURCES[1],
      SOURCES[1],
      SOURCES[2],
      SOURCES[2]
    ]);
    await expect
      .poll(async () =>
        (await runRows(request, NOTEBOOK)).map(row => [
          row.name,
          row.metrics.rmse
        ])
      )
      .toEqual([
        [first.name, expect.any(Number)],
        ['after-edit', 0.125]
      ]);
  });

  test('should not restore a run into the shared notebook, saying why', async ({
    request
  }) => {
    const [first] = await runRows(request, NOTEBOOK);
    const args = { notebookPath: NOTEBOOK, runId: first.id };
    const before = await Promise.all([0, 1, 2].map(i => cellOf(bob, i)));
    for (const user of [alice, bob]) {
      const command = await user.page.evaluate(
        args => ({
          enabled: window.jupyterapp.commands.isEnabled(
            'jupyterlab-runs:restore-snapshot',
            args
          ),
          caption: window.jupyterapp.commands.caption(
            'jupyterlab-runs:restore-snapshot',
            args
          )
        }),
        args
      );
      expect(command.enabled).toBe(false);
      expect(command.caption).toContain('real-time collaboration');
    }
    // A notebook nobody has open is shared too once opened: the drive says so.
    expect(
      await alice.page.evaluate(() =>
        window.jupyterapp.commands.isEnabled(
          'jupyterlab-runs:restore-snapshot',
          { notebookPath: 'not-open.ipynb', runId: 'any' }
        )
      )
    ).toBe(false);

    // From Alice's Runs panel: the run's menu item is disabled and says why.
    const panel = await runsPanel(alice);
    await panel
      .locator('.jp-RunsPanel-item', { hasText: first.name })
      .click({ button: 'right' });
    const item = alice.page.getByRole('menuitem', {
      name: 'Restore into This Notebook'
    });
    await expect(item).toHaveAttribute('aria-disabled', 'true');
    // Its caption (the status bar and palette tooltip) is the reason.
    expect(
      await alice.page.evaluate(() =>
        window.jupyterapp.commands.caption(
          'jupyterlab-runs:restore-selected-run'
        )
      )
    ).toContain('real-time collaboration');
    await alice.page.keyboard.press('Escape');
    // Run anyway (as another plugin could), it refuses and says why.
    void alice.page.evaluate(
      args =>
        window.jupyterapp.commands.execute(
          'jupyterlab-runs:restore-snapshot',
          args
        ),
      { notebookPath: NOTEBOOK, runId: first.id }
    );
    const dialog = alice.page.locator('.jp-Dialog');
    await expect(dialog).toContainText('Cannot Restore into a Shared Notebook');
    await expect(dialog).toContainText('real-time collaboration');
    await dialog.getByRole('button', { name: 'Ok' }).click();
    await expect(dialog).toHaveCount(0);

    for (const user of [alice, bob]) {
      expect(await Promise.all([0, 1, 2].map(i => cellOf(user, i)))).toEqual(
        before
      );
    }
    // No restore point was kept: there was nothing to undo.
    expect(await runRows(request, NOTEBOOK)).toHaveLength(2);
  });

  test('should go on recording once when the writing page closes', async ({
    request
  }) => {
    const [, second] = await runRows(request, NOTEBOOK);
    // Bob's page, which writes, closes: Alice's takes over.
    await bob.context.close();
    await runCell(alice, 1);
    await expect
      .poll(
        async () => (await readRun(request, NOTEBOOK, second.id))?.sources,
        {
          timeout: 30000
        }
      )
      .toEqual([SOURCES[2].replace('0.25', '0.125'), SOURCES[1]]);
    await waitForQuietStore(request, NOTEBOOK);
    expect(await runRows(request, NOTEBOOK)).toHaveLength(2);
    const run = await readRun(request, NOTEBOOK, second.id);
    expect(run?.sources).toHaveLength(2);
  });
});

test.describe('Real-time collaboration on a kernel that is not Python', () => {
  test.describe.configure({ mode: 'serial' });

  const ECHO = 'shared-echo.ipynb';
  const LINES = ['hello from alice', 'hello from bob', 'bob again'];
  let alice: User;
  let bob: User;

  test.beforeAll(async ({ browser, request }) => {
    const content = {
      ...CONTENT,
      cells: LINES.map((source, index) => ({
        ...CONTENT.cells[0],
        id: `echo-${index}`,
        source
      })),
      metadata: {
        kernelspec: { display_name: 'Echo', language: 'echo', name: 'echo' }
      }
    };
    const put = await request.put(`/api/contents/${ECHO}`, {
      data: { type: 'notebook', format: 'json', content }
    });
    expect(put.ok()).toBe(true);
    // No helper: each page sees every execution of the kernel, and one page
    // of all the users' pages records them. Alice's comes first.
    alice = await openAs(browser, 'alice-echo', ECHO);
    await expect(indicator(alice)).toHaveText('Ready to record', {
      timeout: 30000
    });
    bob = await openAs(browser, 'bob-echo', ECHO);
    await expect(indicator(bob)).toHaveText('Recorded in another tab', {
      timeout: 30000
    });
  });

  test.afterEach(() => {
    for (const user of [alice, bob]) {
      expect(user.problems, `${user.name}'s console`).toEqual([]);
    }
  });

  test.afterAll(async ({ request }) => {
    await alice?.context.close();
    await bob?.context.close();
    const sessions = await (await request.get('/api/sessions')).json();
    for (const session of sessions) {
      await request.delete(`/api/sessions/${session.id}`);
    }
  });

  test('should record each execution once, whoever ran it, and go on when the recording page closes', async ({
    request
  }) => {
    await runCell(alice, 0);
    await runCell(bob, 1);
    await expect
      .poll(async () => (await readRun(request, ECHO))?.sources, {
        timeout: 30000
      })
      .toEqual([LINES[0], LINES[1]]);
    const [row] = await runRows(request, ECHO);
    // Bob's toolbar shows the run Alice's page records.
    await expect(indicator(bob)).toContainText(`run ${row.name}`);

    // Alice's page closes: Bob's takes over, in the same run.
    await alice.context.close();
    await expect(indicator(bob)).toContainText(`run ${row.name}`);
    await expect
      .poll(
        () =>
          bob.page.evaluate(() =>
            window.jupyterapp.commands.isEnabled('jupyterlab-runs:start-run')
          ),
        { timeout: 30000 }
      )
      .toBe(true);
    await runCell(bob, 2);
    await expect
      .poll(async () => (await readRun(request, ECHO, row.id))?.sources, {
        timeout: 30000
      })
      .toEqual(LINES);
    await waitForQuietStore(request, ECHO);
    expect(await runRows(request, ECHO)).toHaveLength(1);
    expect(await storedSessions(request, ECHO)).toBe(1);
  });
});
