// The Jupyter servers the UI tests, the fault suite, the benchmarks and the
// version matrix run against, and what the tests look into.
const path = require('path');

const REPO = path.resolve(__dirname, '..');
const WORK = path.join(REPO, 'build', 'ui-tests');
const PORT = Number(process.env.RUNS_UI_TEST_PORT || 8899);
const SERVER_ROOT = path.join(WORK, 'root');

// Flags for Debian's Chromium (Playwright cannot download its own browsers
// here): no sandbox as root, and no background connections, which this
// machine's closed network refuses.
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run'
];

// Fake credentials in the server's (so the kernels') environment: the capture
// tests check that none of them reaches the store.
const PLANTED_ENV = {
  AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
  AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  GITLAB_TOKEN: 'glpat-Zx9Yw8Vu7Ts6Rq5Po4Nm',
  // tests/secrets.spec.ts: a token, a secret and a key named by suffix only.
  RUNS_PLANTED_DEPLOY_TOKEN: 'tok-runs-Jx4Wq7Zp2Lm9Vd',
  RUNS_PLANTED_SIGNING_SECRET: 'sec-runs-Hb5Nt8Vr1Qs6Ye',
  RUNS_PLANTED_VENDOR_KEY: 'key-runs-Gd3Ky6Wz9Xp2Uf'
};
// ...and the ones notebooks/secrets.ipynb assigns and prints.
const PLANTED_SECRETS = [
  ...Object.values(PLANTED_ENV),
  'sk-proj-abcdefghijklmnopqrstuvwxyz0123456789',
  'ghp_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8'
];

// The pinned Python environment scripts/setup.sh makes (requirements/dev.txt).
const VENV = process.env.RUNS_VENV || path.join(REPO, 'build', 'venvs', 'dev');

// Kernelspecs installed for the test servers only (in their Jupyter data
// folder): `echo`, a kernel that is not Python.
const KERNELS = path.join(__dirname, 'kernels');

/**
 * How to start a Jupyter server the way the extension template's ui-tests do
 * (`jupyter lab --config jupyter_server_test_config.py`) from the virtualenv
 * `venv`: `app` is `lab` or `notebook`; its Jupyter state (runtime, data,
 * config, IPython, settings, temp files) lives in `state`, so nothing reaches
 * the home folder. Returns what `spawn` takes; `prepareState(state)` must
 * have run first. No side effects: playwright.config.js calls it in every
 * worker.
 */
function serverCommand({ app = 'lab', venv = VENV, port, root, state }) {
  const env = { ...process.env };
  for (const name of Object.keys(env)) {
    if (/^(JUPYTER_|IPYTHONDIR$|RUNS_SERVER_)/.test(name)) {
      delete env[name];
    }
  }
  Object.assign(env, {
    JUPYTER_RUNTIME_DIR: path.join(state, 'runtime'),
    JUPYTER_DATA_DIR: path.join(state, 'data'),
    JUPYTER_CONFIG_DIR: path.join(state, 'config'),
    IPYTHONDIR: path.join(state, 'ipython'),
    // galata's config keeps workspaces and a shell rc file in the temp folder.
    TMPDIR: path.join(state, 'tmp'),
    // ipykernel's debugger otherwise warns about frozen modules at every start.
    PYDEVD_DISABLE_FILE_VALIDATION: '1',
    RUNS_SERVER_PORT: String(port),
    RUNS_SERVER_ROOT: root
  });
  return {
    command: path.join(venv, 'bin', 'jupyter'),
    args: [
      app,
      '--config',
      path.join(__dirname, 'jupyter_server_test_config.py')
    ],
    env
  };
}

// Settings every test server starts with (jupyterlab_server reads them from
// <config dir>/labconfig): no "get notified about Jupyter news?" toast over
// the page, and no update check (the machines reach no network but the
// package indexes). galata's fixtures set the same for the UI tests.
const SETTING_OVERRIDES = {
  '@jupyterlab/apputils-extension:notification': {
    fetchNews: 'false',
    checkForUpdates: false
  }
};

/**
 * Make a server's state folders: the test kernelspecs and the setting
 * overrides.
 */
function prepareState(state) {
  const fs = require('fs');
  fs.mkdirSync(path.join(state, 'tmp'), { recursive: true });
  fs.mkdirSync(path.join(state, 'config', 'labconfig'), { recursive: true });
  fs.writeFileSync(
    path.join(state, 'config', 'labconfig', 'default_setting_overrides.json'),
    JSON.stringify(SETTING_OVERRIDES)
  );
  fs.cpSync(KERNELS, path.join(state, 'data', 'kernels'), { recursive: true });
}

const quote = value => `'${String(value).replace(/'/g, "'\\''")}'`;

/**
 * The server of `options` (see serverCommand) as a shell command for a
 * Playwright webServer: a fresh root and Jupyter state every run, so no
 * earlier run leaks in, and its output in `log`. It starts in its state
 * folder, where jupyter-collaboration keeps its document store. Returns
 * Playwright's webServer configuration.
 */
function webServer(options, log) {
  const { root, state } = options;
  const { command, args, env } = serverCommand(options);
  return {
    command:
      `rm -rf ${quote(root)} ${quote(state)} && mkdir -p ${quote(root)} && ` +
      `node -e ${quote(`require(${JSON.stringify(__filename)}).prepareState(${JSON.stringify(state)})`)} && ` +
      `cd ${quote(state)} && exec ${[command, ...args].map(quote).join(' ')} >${quote(log)} 2>&1`,
    env,
    url: `http://127.0.0.1:${options.port}/api/status`,
    timeout: 90000,
    reuseExistingServer: false
  };
}

/** Playwright's `use`: Debian's Chromium against the server on `port`. */
function chromiumUse(port) {
  return {
    baseURL: `http://127.0.0.1:${port}`,
    viewport: { width: 1280, height: 800 },
    // Video needs an ffmpeg build Playwright cannot download here.
    video: 'off',
    trace: 'retain-on-failure',
    launchOptions: { executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS }
  };
}

// The UI tests' server; its log goes to build/ui-tests/server.log.
const uiServer = webServer(
  { port: PORT, root: SERVER_ROOT, state: path.join(WORK, 'jupyter') },
  path.join(WORK, 'server.log')
);
const command = uiServer.command;
const commandEnv = { ...uiServer.env, ...PLANTED_ENV };

module.exports = {
  CHROMIUM_ARGS,
  chromiumUse,
  PLANTED_ENV,
  PLANTED_SECRETS,
  PORT,
  REPO,
  SERVER_ROOT,
  VENV,
  WORK,
  command,
  commandEnv,
  prepareState,
  serverCommand,
  webServer
};
