/**
 * A run's snapshot in the real Lab: opened read-only and untrusted from what
 * the store holds, then saved as a new notebook that runs again in the real
 * kernel.
 */
import { spawnSync } from 'child_process';
import * as path from 'path';
import type { IJupyterLabPageFixture } from '@jupyterlab/galata';
import {
  expect,
  serverKernelsTest as test,
  waitForIdleKernel
} from './fixtures';
import { SERVER_ROOT, VENV } from '../lab-server';
import { readSnapshots, runRows, storedSessions } from './store-files';

const FIRST_SOURCE = 'print("hello from run one")';
const EDITED_SOURCE = 'print("hello from run two")';
// Run live (trusted) the image's handler runs; in the snapshot it must not.
// `x` exists beside the notebook (not an image), so no request fails.
const HTML_SOURCE = [
  'from IPython.display import HTML, display',
  'display(HTML(\'<b class="snapshot-html">bold html</b>\'',
  '             \'<img src=x onerror="window.__snapshotXss=1">\'',
  "             '<script>window.__snapshotXss=2</script>'))"
].join('\n');

function notebook(): Record<string, unknown> {
  const cell = (id: string, source: string) => ({
    cell_type: 'code',
    id,
    metadata: {},
    source,
    outputs: [],
    execution_count: null
  });
  return {
    cells: [cell('printing', FIRST_SOURCE), cell('html', HTML_SOURCE)],
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
}

/** The snapshot view of a run, opened by its command. */
async function openSnapshot(
  page: IJupyterLabPageFixture,
  args: { notebookPath: string; runId: string }
) {
  // The command resolves with the widget, which cannot leave the page.
  await page.evaluate(async args => {
    await window.jupyterapp.commands.execute(
      'jupyterlab-runs:open-snapshot',
      args
    );
  }, args);
  return page.locator(`#jupyterlab-runs-snapshot-${args.runId}`);
}

/** The sources of the cells of the snapshot view, from its cell models. */
function shownSources(page: IJupyterLabPageFixture, runId: string) {
  return page.evaluate(id => {
    const widget = [...window.jupyterapp.shell.widgets('main')].find(
      w => w.id === id
    ) as any;
    return widget.content.notebook.widgets.map((cell: any) =>
      cell.model.sharedModel.getSource()
    ) as string[];
  }, `jupyterlab-runs-snapshot-${runId}`);
}

/** End the notebook's run and start one named `name`. */
async function startRun(page: IJupyterLabPageFixture, name: string) {
  await page.evaluate(async name => {
    await window.jupyterapp.commands.execute('jupyterlab-runs:start-run', {
      name
    });
  }, name);
}

const pwned = (page: IJupyterLabPageFixture) =>
  page.evaluate(() => (window as any).__snapshotXss);

test.describe('Run snapshot', () => {
  test.describe.configure({ timeout: 180000 });

  test('should reopen a run as it stood and save it as a notebook that runs', async ({
    page,
    request,
    tmpPath
  }) => {
    const notebookPath = `${tmpPath}/train.ipynb`;
    await page.contents.uploadContent('not an image', 'text', `${tmpPath}/x`);
    await page.contents.uploadContent(
      JSON.stringify(notebook()),
      'text',
      notebookPath
    );
    expect(await page.notebook.openByPath(notebookPath)).toBe(true);
    await waitForIdleKernel(page);
    const rows = () => runRows(request, notebookPath);

    // Run 1, named so that it looks the same every time: both cells, then a
    // save. The helper is attached once its kernel session is stored.
    await expect
      .poll(() => storedSessions(request, notebookPath), { timeout: 30000 })
      .toBe(1);
    await startRun(page, 'run-one');
    await page.notebook.run();
    await expect.poll(async () => (await rows()).length).toBe(1);
    // Live outputs are trusted: the payload is real.
    await expect.poll(() => pwned(page)).toBe(1);
    await page.notebook.save();

    // Run 2: the user starts a new run, edits the first cell and runs it.
    await startRun(page, 'run-two');
    await expect
      .poll(async () => (await rows()).map(row => row.status))
      .toEqual(['finished', 'running']);
    await page.notebook.setCell(0, 'code', EDITED_SOURCE);
    await page.notebook.runCell(0);
    await page.notebook.save();
    const [first] = await rows();
    await expect
      .poll(
        async () =>
          (await readSnapshots(request, notebookPath, first.id)).length
      )
      .toBeGreaterThan(0);
    const snapshots = await readSnapshots(request, notebookPath, first.id);
    const stored = snapshots[snapshots.length - 1];
    expect(stored.cells.map(cell => cell.source)).toEqual([
      FIRST_SOURCE,
      HTML_SOURCE
    ]);
    expect(stored.cells[0].outputs).toEqual([
      expect.objectContaining({ name: 'stdout', text: 'hello from run one\n' })
    ]);
    const html = stored.cells[1].outputs?.[0];
    expect(html?.data['text/html']).toContain('onerror');

    // The notebook as it is now differs from what run 1 left.
    const current = await (
      await request.get(`/api/contents/${notebookPath}?content=1`)
    ).json();
    expect(current.content.cells[0].source).toBe(EDITED_SOURCE);

    // Nothing of the live notebook can set the flag any more.
    await page.notebook.close(true);
    await page.evaluate(() => delete (window as any).__snapshotXss);

    const args = { notebookPath, runId: first.id };
    const view = await openSnapshot(page, args);
    const cells = view.locator('.jp-RunSnapshot-notebook .jp-Cell');
    await expect(cells).toHaveCount(2);
    const banner = view.locator('.jp-RunSnapshot-header');
    expect(first.name).toBe('run-one');
    await expect(banner.locator('.jp-RunSnapshot-name')).toHaveText(first.name);
    await expect(banner).toContainText(notebookPath);

    // Sources bit for bit as stored, shown line by line in the editors.
    expect(await shownSources(page, first.id)).toEqual(
      stored.cells.map(cell => cell.source)
    );
    for (const [index, cell] of stored.cells.entries()) {
      await expect(
        cells.nth(index).locator('.jp-InputArea-editor .cm-line')
      ).toHaveText(cell.source.split('\n'), { useInnerText: true });
    }
    // Highlighted as Python (keywords are tokens of their own), read-only.
    await expect(cells.nth(1).locator('.cm-content')).toHaveAttribute(
      'data-language',
      'python'
    );
    await expect(
      cells.nth(1).locator('.cm-line span', { hasText: /^import$/ })
    ).toBeVisible();
    await expect(cells.first().locator('.cm-content')).toHaveAttribute(
      'aria-readonly',
      'true'
    );

    // Outputs as stored, untrusted: the markup shows, no script ran.
    await expect(cells.nth(0).locator('.jp-OutputArea-output')).toHaveText(
      stored.cells[0].outputs![0].text.trim()
    );
    const htmlOutput = cells.nth(1).locator('.jp-OutputArea-output');
    await expect(htmlOutput.locator('b')).toHaveText('bold html');
    expect(await htmlOutput.locator('script').count()).toBe(0);
    expect(await htmlOutput.locator('img[onerror]').count()).toBe(0);
    await page.waitForTimeout(1000);
    expect(await pwned(page)).toBeUndefined();

    // The view in both themes, its times masked.
    const mask = [banner.locator('.jp-RunSnapshot-facts dd')];
    await expect(view).toHaveScreenshot('snapshot-light.png', { mask });
    await page.theme.setDarkTheme();
    await expect(view).toHaveScreenshot('snapshot-dark.png', { mask });

    // Typing into an editor changes nothing.
    await cells.first().locator('.cm-content').click();
    await page.keyboard.type('typed');
    await page.keyboard.press('Backspace');
    expect(await shownSources(page, first.id)).toEqual(
      stored.cells.map(cell => cell.source)
    );

    // Opening it again shows the same tab; so does the run view's button.
    await openSnapshot(page, args);
    await page.evaluate(async args => {
      await window.jupyterapp.commands.execute(
        'jupyterlab-runs:open-run',
        args
      );
    }, args);
    const detail = page.locator('.jp-RunDetail');
    await detail.getByRole('button', { name: 'Open Snapshot' }).click();
    await expect(page.locator('.jp-RunSnapshot')).toHaveCount(1);
    await expect(view).toBeVisible();

    // Save as New Notebook: a valid notebook beside the original, opened.
    await view.getByRole('button', { name: 'Save as New Notebook' }).click();
    const listing = async () =>
      (
        await (await request.get(`/api/contents/${tmpPath}?content=1`)).json()
      ).content.map((item: { name: string }) => item.name) as string[];
    await expect
      .poll(async () =>
        (await listing()).filter(name => name.startsWith('train ('))
      )
      .toHaveLength(1);
    const savedName = (await listing()).find(name =>
      name.startsWith('train (')
    )!;
    expect(savedName).toMatch(
      /^train \(run-one \d{4}-\d\d-\d\d \d\d-\d\d\)\.ipynb$/
    );
    const savedPath = `${tmpPath}/${savedName}`;
    const saved = await (
      await request.get(
        `/api/contents/${encodeURIComponent(tmpPath)}/${encodeURIComponent(savedName)}?type=file&format=text&content=1`
      )
    ).json();
    const restored = JSON.parse(saved.content);
    // Valid for nbformat's own validator, as the server wrote it.
    const validation = spawnSync(
      path.join(VENV, 'bin', 'python'),
      [
        '-c',
        'import sys, nbformat; nbformat.validate(nbformat.read(sys.argv[1], as_version=nbformat.NO_CONVERT))',
        path.join(SERVER_ROOT, savedPath)
      ],
      { encoding: 'utf-8' }
    );
    expect(validation.stderr).toBe('');
    expect(validation.status).toBe(0);
    expect(restored.nbformat).toBe(4);
    expect(restored.nbformat_minor).toBeGreaterThanOrEqual(5);
    expect(restored.metadata.kernelspec.name).toBe('python3');
    expect(restored.metadata.language_info.name).toBe('python');
    expect(restored.metadata.jupyterlab_runs.restored_from).toEqual({
      notebook: notebookPath,
      run: first.id,
      run_name: first.name,
      snapshot_time: new Date(stored.time).toISOString()
    });
    expect(restored.cells.map((cell: any) => cell.id)).toEqual(
      stored.cells.map(cell => cell.id)
    );
    // On disk nbformat splits texts into lines.
    const joined = (text: string | string[]) =>
      Array.isArray(text) ? text.join('') : text;
    expect(restored.cells.map((cell: any) => joined(cell.source))).toEqual(
      stored.cells.map(cell => cell.source)
    );
    expect(restored.cells.map((cell: any) => cell.execution_count)).toEqual(
      stored.cells.map(cell => cell.count)
    );
    expect(
      restored.cells[0].outputs.map((output: any) => ({
        ...output,
        text: joined(output.text)
      }))
    ).toEqual([
      {
        output_type: 'stream',
        name: 'stdout',
        text: stored.cells[0].outputs![0].text
      }
    ]);
    expect(joined(restored.cells[1].outputs[0].data['text/html'])).toBe(
      joined(html?.data['text/html'])
    );
    for (const cell of restored.cells) {
      expect(cell.metadata.trusted).toBeUndefined();
    }

    // It is open, untrusted, and runs whole in the real kernel.
    await page.waitForFunction(
      path =>
        (window.jupyterapp.shell.currentWidget as any)?.context?.path === path,
      savedPath
    );
    await waitForIdleKernel(page);
    expect(await pwned(page)).toBeUndefined();
    await page.notebook.run();
    expect((await page.notebook.getCellTextOutput(0))?.join('')).toContain(
      'hello from run one'
    );
    const panel = page.locator('.jp-NotebookPanel:visible');
    await expect(
      panel.locator(
        '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]'
      )
    ).toHaveCount(0);
    await expect(panel.locator('.jp-InputPrompt').first()).toContainText('[1]');
    await expect(panel.locator('.jp-InputPrompt').nth(1)).toContainText('[2]');
    // A new notebook, tracked: its own run is recorded.
    await expect
      .poll(async () => (await runRows(request, savedPath)).length, {
        timeout: 30000
      })
      .toBe(1);
  });

  test('should say when the store holds no such run', async ({
    page,
    tmpPath
  }) => {
    const view = await openSnapshot(page, {
      notebookPath: `${tmpPath}/missing.ipynb`,
      runId: 'no-such-run'
    });
    await expect(view.locator('.jp-RunSnapshot-notice')).toContainText(
      'The store holds no run no-such-run'
    );
    await expect(view.locator('.jp-RunSnapshot-notebook')).toHaveCount(0);
  });
});
