// Real-time collaboration: two users (two browser contexts) on one notebook,
// against `jupyter lab` from build/venvs/rtc (the dev environment plus
// jupyter-collaboration, which turns RTC on for every JupyterLab there),
// started as the UI tests start theirs (lab-server.js). Its own port, root
// and Jupyter state, so it runs beside the UI tests' server.
//
//   bash -c 'source scripts/lib.sh && ensure_venv rtc && develop_extension build/venvs/rtc'
//   cd ui-tests && npx playwright test -c playwright.rtc.config.js
const path = require('path');
const { CHROMIUM_ARGS, REPO, serverCommand } = require('./lab-server');

const PORT = Number(process.env.RUNS_RTC_PORT || 8897);
const VENV =
  process.env.RUNS_RTC_VENV || path.join(REPO, 'build', 'venvs', 'rtc');
const WORK = path.join(REPO, 'build', 'ui-tests-rtc');
const SERVER_ROOT = path.join(WORK, 'root');
const STATE = path.join(WORK, 'jupyter');
const KERNELS = path.join(__dirname, 'kernels');

const server = serverCommand({
  app: 'lab',
  venv: VENV,
  port: PORT,
  root: SERVER_ROOT,
  state: STATE
});
const quote = value => `'${String(value).replace(/'/g, "'\\''")}'`;

module.exports = {
  testDir: './rtc',
  outputDir: path.join(WORK, 'test-results'),
  // One server, 2 cores, and the specs share its kernels: run serially.
  workers: 1,
  retries: process.env.CI ? 1 : 0,
  timeout: 120000,
  reporter: [
    ['list'],
    ['json', { outputFile: path.join(WORK, 'results.json') }]
  ],
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    viewport: { width: 1280, height: 800 },
    // Video needs an ffmpeg build Playwright cannot download here.
    video: 'off',
    trace: 'retain-on-failure',
    launchOptions: { executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS }
  },
  webServer: {
    // A fresh root and Jupyter state every run, the test kernelspecs in its
    // data folder (installKernels), and the server started from the state
    // folder: jupyter-collaboration keeps its document store
    // (.jupyter_ystore.db) in the working folder. Its log beside them.
    command:
      `rm -rf ${quote(SERVER_ROOT)} ${quote(STATE)} && ` +
      `mkdir -p ${quote(SERVER_ROOT)} ${quote(path.join(STATE, 'tmp'))} ${quote(path.join(STATE, 'data'))} && ` +
      `cp -R ${quote(KERNELS)} ${quote(path.join(STATE, 'data', 'kernels'))} && ` +
      `cd ${quote(STATE)} && ` +
      `exec ${[server.command, ...server.args].map(quote).join(' ')} ` +
      `>${quote(path.join(WORK, 'server.log'))} 2>&1`,
    env: server.env,
    url: `http://127.0.0.1:${PORT}/api/status`,
    timeout: 90000,
    reuseExistingServer: false
  }
};
