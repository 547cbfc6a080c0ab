/**
 * What the wheel does in the environment it is installed in (scripts/matrix.sh
 * runs this in the newest Lab's entry, whose venv has papermill and the demo's
 * libraries): the extension comes only from the venv's
 * share/jupyter/labextensions, and the wheel's IPython startup file loads the
 * kernel helper in the venv's kernels, so the demo notebook executed by papermill or
 * `jupyter execute`, with no browser, is recorded and listed in the Runs panel.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { expect, test } from '@playwright/test';
import { watchConsole } from '../console';
import { REPO } from '../lab-server';
import { runRows } from '../tests/store-files';
import { SERVER_ROOT, STATE, VENV } from './server';

const VENV_PYTHON = path.join(VENV, 'bin', 'python');
const VENV_LABEXTENSIONS = path.join(VENV, 'share', 'jupyter', 'labextensions');
const DEMO = path.join(REPO, 'demo', 'train-with-seed.ipynb');
const JOBS = 'jobs';

/**
 * Run a command of the venv as a scheduled job would: in the notebook's
 * folder, with the server's Jupyter folders (its runtime folder is where the
 * kernel finds the server's root, and so the store).
 */
function job(command: string, args: string[]) {
  const done = spawnSync(path.join(VENV, 'bin', command), args, {
    cwd: path.join(SERVER_ROOT, JOBS),
    encoding: 'utf-8',
    timeout: 180000,
    env: {
      ...process.env,
      JUPYTER_RUNTIME_DIR: path.join(STATE, 'runtime'),
      JUPYTER_CONFIG_DIR: path.join(STATE, 'config'),
      JUPYTER_DATA_DIR: path.join(STATE, 'data'),
      IPYTHONDIR: path.join(STATE, 'ipython'),
      PYDEVD_DISABLE_FILE_VALIDATION: '1'
    }
  });
  expect(done.status, `${command} ${args.join(' ')}:\n${done.stderr}`).toBe(0);
  return done;
}

test.describe('The wheel in its environment', () => {
  test('should install the extension only into the venv', () => {
    const script = [
      'import json, os',
      'from jupyter_core.paths import jupyter_path',
      "print(json.dumps([p for p in jupyter_path('labextensions')",
      "  if os.path.isfile(os.path.join(p, 'jupyterlab-runs', 'package.json'))]))"
    ].join('\n');
    const found = spawnSync(VENV_PYTHON, ['-c', script], { encoding: 'utf-8' });
    expect(JSON.parse(found.stdout)).toEqual([VENV_LABEXTENSIONS]);
    const installed = JSON.parse(
      fs.readFileSync(
        path.join(VENV_LABEXTENSIONS, 'jupyterlab-runs', 'install.json'),
        'utf-8'
      )
    );
    expect(installed.packageName).toBe('jupyterlab_runs');
    // The wheel's IPython startup file loads the helper in the venv's kernels,
    // and the environment's IPython config stays the user's.
    const startup = path.join(VENV, 'etc', 'ipython', 'startup');
    expect(fs.readdirSync(startup)).toContain('jupyterlab-runs.py');
    expect(
      fs.existsSync(
        path.join(VENV, 'etc', 'ipython', 'ipython_kernel_config.json')
      )
    ).toBe(false);
  });

  test('should record the demo run by papermill and by jupyter execute', async ({
    browser,
    request
  }) => {
    fs.mkdirSync(path.join(SERVER_ROOT, JOBS), { recursive: true });
    fs.copyFileSync(DEMO, path.join(SERVER_ROOT, JOBS, 'train.ipynb'));

    // papermill with a parameter, into a new notebook, as a pipeline does...
    job('papermill', [
      'train.ipynb',
      'train-seed-42.ipynb',
      '-p',
      'seed',
      '42'
    ]);
    // ...and the notebook itself with nbclient.
    job('jupyter-execute', ['train.ipynb']);

    const spool = path.join(SERVER_ROOT, 'jupyter-runs', 'spool');
    const spooled = () =>
      fs.existsSync(spool)
        ? fs.readdirSync(spool).filter(name => name.endsWith('.jsonl'))
        : [];
    expect(spooled()).toHaveLength(2);

    // An open Lab imports both: each notebook's run, with its seed and metric.
    const context = await browser.newContext();
    const problems = watchConsole(context);
    const page = await context.newPage();
    await page.goto(`/lab/tree/${JOBS}/train-seed-42.ipynb?reset`);
    await page.waitForFunction(() => !!(window as any).jupyterapp);
    await page.evaluate(() => (window as any).jupyterapp.restored);
    await expect.poll(spooled, { timeout: 60000 }).toEqual([]);

    const papermilled = await runRows(request, `${JOBS}/train-seed-42.ipynb`);
    const executed = await runRows(request, `${JOBS}/train.ipynb`);
    expect(papermilled.map(row => [row.status, row.params.seed])).toEqual([
      ['finished', 42]
    ]);
    expect(executed.map(row => [row.status, row.params.seed])).toEqual([
      ['finished', 69]
    ]);
    expect(papermilled[0].metrics.rmse).toEqual(expect.any(Number));
    expect(executed[0].metrics.rmse).toEqual(expect.any(Number));

    await page.evaluate(() =>
      (window as any).jupyterapp.commands.execute('jupyterlab-runs:show-panel')
    );
    const panel = page.getByRole('region', { name: 'Runs' });
    const row = panel.locator('.jp-RunsPanel-item');
    await expect(row).toHaveCount(1);
    await expect(row).toContainText(papermilled[0].name);
    await expect(panel).toContainText('rmse');
    expect(problems).toEqual([]);
    await context.close();
  });
});
