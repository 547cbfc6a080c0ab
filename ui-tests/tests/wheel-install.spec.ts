/**
 * The install path users take: build the wheel, pip-install it into a fresh
 * venv, and start the Lab with that venv's Python, so the extension can only
 * come from the venv's share/jupyter/labextensions.
 */
import type { ChildProcess } from 'child_process';
import { execFileSync, spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { expect, test } from '@playwright/test';
import { watchConsole } from './fixtures';

const REPO = path.resolve(__dirname, '..', '..');
const WORK = path.join(REPO, 'build', 'wheel-test');
const VENV = path.join(WORK, 'venv');
const VENV_PYTHON = path.join(VENV, 'bin', 'python');
const VENV_LABEXTENSIONS = path.join(VENV, 'share', 'jupyter', 'labextensions');
const PORT = Number(process.env.RUNS_WHEEL_TEST_PORT || 8898);
const JUPYTER_ENV = {
  ...process.env,
  JUPYTER_RUNTIME_DIR: path.join(WORK, 'jupyter', 'runtime'),
  JUPYTER_DATA_DIR: path.join(WORK, 'jupyter', 'data'),
  JUPYTER_CONFIG_DIR: path.join(WORK, 'jupyter', 'config'),
  IPYTHONDIR: path.join(WORK, 'jupyter', 'ipython')
};

let server: ChildProcess | null = null;

function run(command: string, args: string[]): string {
  return execFileSync(command, args, {
    cwd: REPO,
    env: JUPYTER_ENV,
    encoding: 'utf-8',
    stdio: ['ignore', 'pipe', 'pipe']
  });
}

function buildAndInstallWheel(): string {
  const dist = path.join(WORK, 'dist');
  run('/usr/bin/python3', [
    '-m',
    'build',
    '--no-isolation',
    '--skip-dependency-check',
    '--wheel',
    '--outdir',
    dist,
    REPO
  ]);
  const wheels = fs.readdirSync(dist).filter(name => name.endsWith('.whl'));
  expect(wheels).toHaveLength(1);
  run('/usr/bin/python3', ['-m', 'venv', '--system-site-packages', VENV]);
  const wheel = path.join(dist, wheels[0]);
  run(path.join(VENV, 'bin', 'pip'), [
    'install',
    '--no-index',
    '--no-deps',
    wheel
  ]);
  return wheel;
}

/** Every labextensions folder the venv's Jupyter searches that holds jupyterlab-runs. */
function foldersHoldingTheExtension(): string[] {
  const script = [
    'import json, os',
    'from jupyter_core.paths import jupyter_path',
    "print(json.dumps([p for p in jupyter_path('labextensions')",
    "  if os.path.isfile(os.path.join(p, 'jupyterlab-runs', 'package.json'))]))"
  ].join('\n');
  return JSON.parse(run(VENV_PYTHON, ['-c', script]));
}

function startLab(): Promise<ChildProcess> {
  fs.mkdirSync(path.join(WORK, 'root'), { recursive: true });
  // No --labextensions-path: the server searches jupyter_path('labextensions')
  // of the venv's Python, exactly like `jupyter lab` would.
  const child = spawn(
    VENV_PYTHON,
    [
      path.join(REPO, 'devlab', 'server.py'),
      '--port',
      String(PORT),
      '--no-auth',
      '--root-dir',
      path.join(WORK, 'root'),
      '--state-dir',
      path.join(WORK, 'jupyter')
    ],
    { env: JUPYTER_ENV, stdio: ['ignore', 'pipe', 'pipe'] }
  );
  return new Promise((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Lab ready:')) {
        resolve(child);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('exit', code =>
      reject(new Error(`Lab server exited with ${code}:\n${output}`))
    );
  });
}

test.describe('The wheel', () => {
  test.describe.configure({ timeout: 180000 });

  test.beforeAll(async () => {
    fs.rmSync(WORK, { recursive: true, force: true });
    fs.mkdirSync(WORK, { recursive: true });
    buildAndInstallWheel();
    server = await startLab();
  });

  test.afterAll(async () => {
    if (server && server.exitCode === null) {
      const exited = new Promise(resolve => server?.once('exit', resolve));
      server.kill('SIGTERM');
      await exited;
    }
  });

  test('should install the extension only into the venv', () => {
    expect(foldersHoldingTheExtension()).toEqual([VENV_LABEXTENSIONS]);
    const installed = JSON.parse(
      fs.readFileSync(
        path.join(VENV_LABEXTENSIONS, 'jupyterlab-runs', 'install.json'),
        'utf-8'
      )
    );
    expect(installed.packageName).toBe('jupyterlab_runs');
  });

  test('should load into the Lab from the venv', async ({ browser }) => {
    const context = await browser.newContext();
    const problems = watchConsole(context);
    const page = await context.newPage();
    await page.goto(`http://127.0.0.1:${PORT}/lab?reset`);
    await page.waitForFunction(() => !!(window as any).jupyterapp);
    await page.evaluate(() => (window as any).jupyterapp.restored);

    const pageConfig = JSON.parse(
      (await page.locator('#jupyter-config-data').textContent()) ?? '{}'
    );
    const names = pageConfig.federated_extensions.map(
      (extension: { name: string }) => extension.name
    );
    expect(names).toEqual(['jupyterlab-runs']);
    await expect
      .poll(() =>
        page.evaluate(() =>
          (window as any).jupyterapp.isPluginActivated(
            'jupyterlab-runs:history'
          )
        )
      )
      .toBe(true);

    await page.locator('.jp-SideBar [title="Runs"]').click();
    await expect(page.getByRole('region', { name: 'Runs' })).toContainText(
      'Open a notebook to see its runs'
    );
    expect(problems).toEqual([]);
    await context.close();
  });

  test('should record a notebook executed headless in the venv', async ({
    browser
  }) => {
    // The wheel's IPython config loads the helper in the venv's kernels.
    const config = path.join(
      VENV,
      'etc',
      'ipython',
      'ipython_kernel_config.json'
    );
    expect(JSON.parse(fs.readFileSync(config, 'utf-8'))).toEqual({
      InteractiveShellApp: { extensions: ['jupyterlab_runs'] }
    });
    // A kernel of the venv's Python (Debian's own kernelspec runs /usr/bin/python3).
    run(VENV_PYTHON, [
      '-m',
      'ipykernel',
      'install',
      '--prefix',
      VENV,
      '--name',
      'runs-venv'
    ]);
    const folder = path.join(WORK, 'root', 'jobs');
    fs.mkdirSync(folder, { recursive: true });
    fs.copyFileSync(
      path.join(REPO, 'ui-tests', 'notebooks', 'headless.ipynb'),
      path.join(folder, 'headless.ipynb')
    );
    run(VENV_PYTHON, [
      '-c',
      [
        'import sys, nbclient, nbformat',
        'notebook = nbformat.read(sys.argv[1], 4)',
        "nbclient.execute(notebook, cwd=sys.argv[2], kernel_name='runs-venv')"
      ].join('\n'),
      path.join(folder, 'headless.ipynb'),
      folder
    ]);
    const spool = path.join(WORK, 'root', 'jupyter-runs', 'spool');
    const spooled = () =>
      fs.readdirSync(spool).filter(name => name.endsWith('.jsonl'));
    expect(spooled()).toHaveLength(1);

    // An open Lab imports it: the Runs panel lists the run.
    const context = await browser.newContext();
    const problems = watchConsole(context);
    const page = await context.newPage();
    await page.goto(`http://127.0.0.1:${PORT}/lab/tree/jobs/headless.ipynb`);
    await page.waitForFunction(() => !!(window as any).jupyterapp);
    await page.evaluate(() => (window as any).jupyterapp.restored);
    await expect.poll(spooled, { timeout: 60000 }).toEqual([]);
    await page.locator('.jp-SideBar [title="Runs"]').click();
    const row = page.locator('.jp-RunsPanel-item');
    await expect(row).toHaveCount(1);
    await expect(row.locator('.jp-RunsPanel-status')).toHaveClass(
      /jp-mod-finished/
    );
    // Its metric is one of the table's columns.
    await expect(page.getByRole('region', { name: 'Runs' })).toContainText(
      'validation-rmse'
    );
    expect(problems).toEqual([]);
    await context.close();
  });
});
