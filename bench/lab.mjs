// What the browser benchmarks share: PyPI's JupyterLab started as the UI tests
// start it (ui-tests/lab-server.js: 127.0.0.1 only, no auth) with a fresh root,
// Debian's Chromium through the ui-tests' Playwright, and a few Contents API
// calls. Everything is stopped by PID.
import { spawn } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '..'
);

// The ui-tests' Playwright and Chromium flags; Playwright cannot download
// browsers here.
const requireFromUiTests = createRequire(
  path.join(REPO, 'ui-tests', 'package.json')
);
const { chromium } = requireFromUiTests('@playwright/test');
const { CHROMIUM_ARGS, prepareState, serverCommand } =
  requireFromUiTests('./lab-server.js');

export const log = (...args) => console.error('[bench]', ...args);

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2
    ? sorted[middle]
    : (sorted[middle - 1] + sorted[middle]) / 2;
}

function portInUse(port) {
  return new Promise(resolve => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

/**
 * Start the Lab server on `port` with a fresh root and Jupyter state under
 * `work`, open the Lab in Chromium, run `body({ page, base, root, api })`, and
 * stop everything, whatever happens.
 */
export async function withLab({ port, work, url = '/lab?reset' }, body) {
  if (await portInUse(port)) {
    throw new Error(
      `port ${port} on 127.0.0.1 is in use; pass another with --port`
    );
  }
  const root = path.join(work, 'root');
  rmSync(work, { recursive: true, force: true });
  mkdirSync(root, { recursive: true });
  const base = `http://127.0.0.1:${port}`;
  const state = path.join(work, 'jupyter');
  prepareState(state);
  const { command, args, env } = serverCommand({ port, root, state });
  const server = spawn(command, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env
  });
  let serverLog = '';
  server.stdout.on('data', chunk => (serverLog += chunk));
  server.stderr.on('data', chunk => (serverLog += chunk));
  const exited = new Promise(resolve => server.once('exit', resolve));
  let browser = null;
  try {
    await waitFor(
      async () => {
        if (server.exitCode !== null) {
          throw new Error(`the Lab server exited:\n${serverLog.slice(-2000)}`);
        }
        return (await fetch(`${base}/api/status`).catch(() => null))?.ok;
      },
      60000,
      'the Lab server to answer'
    );
    const api = contentsApi(base);
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: CHROMIUM_ARGS
    });
    const page = await browser.newPage({
      viewport: { width: 1280, height: 800 }
    });
    return await body({
      page,
      base,
      root,
      api,
      open: () => openLab(page, base + url)
    });
  } finally {
    await browser?.close().catch(() => undefined);
    // Shut the kernels down through the server, then stop the server itself.
    await shutdownKernels(base).catch(() => undefined);
    server.kill('SIGTERM');
    const stopped = await Promise.race([exited.then(() => true), sleep(10000)]);
    if (!stopped) {
      server.kill('SIGKILL');
      await exited;
    }
  }
}

/** Load the Lab at `url` and wait until it is restored. */
export async function openLab(page, url) {
  await page.goto(url);
  await page.waitForFunction(() => !!window.jupyterapp, null, {
    timeout: 60000
  });
  await page.evaluate(() => window.jupyterapp.restored);
}

async function shutdownKernels(base) {
  const kernels = await (await fetch(`${base}/api/kernels`)).json();
  await Promise.all(
    kernels.map(kernel =>
      fetch(`${base}/api/kernels/${kernel.id}`, { method: 'DELETE' })
    )
  );
}

/** Contents API calls the benchmarks need. */
function contentsApi(base) {
  const url = p =>
    `${base}/api/contents/${p.split('/').map(encodeURIComponent).join('/')}`;
  return {
    async putNotebook(p, notebook) {
      const response = await fetch(url(p), {
        method: 'PUT',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({
          type: 'notebook',
          format: 'json',
          content: notebook
        })
      });
      if (!response.ok) {
        throw new Error(
          `PUT ${p}: ${response.status} ${await response.text()}`
        );
      }
    }
  };
}

/**
 * Make the Lab's own run store (the service of the `jupyterlab-runs:store`
 * plugin) `window.benchStore` in the page. It is not exported; its plugin's
 * token is the way to it.
 */
export async function exposeRunStore(page) {
  await page.evaluate(async () => {
    const app = window.jupyterapp;
    const plugin = app.pluginRegistry._plugins.get('jupyterlab-runs:store');
    window.benchStore = await app.resolveRequiredService(plugin.provides);
  });
}

export const sleep = ms => new Promise(resolve => setTimeout(resolve, ms));

export async function waitFor(check, timeout, what) {
  const deadline = Date.now() + timeout;
  for (;;) {
    if (await check()) {
      return;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}`);
    }
    await sleep(100);
  }
}

/** `--name value` command-line options, with defaults. */
export function options(defaults) {
  const result = { ...defaults };
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i].replace(/^--/, '');
    if (!(name in defaults)) {
      throw new Error(
        `unknown option ${argv[i]}; known: ${Object.keys(defaults).join(', ')}`
      );
    }
    result[name] =
      typeof defaults[name] === 'boolean'
        ? true
        : typeof defaults[name] === 'number'
          ? Number(argv[++i])
          : argv[++i];
  }
  return result;
}
