// Real-time collaboration: two users (two browser contexts) on one notebook,
// against `jupyter lab` from build/venvs/rtc (the dev environment plus
// jupyter-collaboration, which turns RTC on for every JupyterLab there),
// started as the UI tests start theirs (lab-server.js). Its own port, root
// and Jupyter state, so it runs beside the UI tests' server.
//
//   npm run test:rtc   (scripts/rtc.sh: the venv, the development install, then this)
const path = require('path');
const { REPO, chromiumUse, webServer } = require('./lab-server');

const PORT = Number(process.env.RUNS_RTC_PORT || 8897);
const VENV =
  process.env.RUNS_RTC_VENV || path.join(REPO, 'build', 'venvs', 'rtc');
const WORK = path.join(REPO, 'build', 'ui-tests-rtc');
const SERVER_ROOT = path.join(WORK, 'root');
const STATE = path.join(WORK, 'jupyter');
const server = webServer(
  { venv: VENV, port: PORT, root: SERVER_ROOT, state: STATE },
  path.join(WORK, 'server.log')
);

module.exports = {
  testDir: './rtc',
  outputDir: path.join(WORK, 'test-results'),
  // One server, 2 cores, and the specs share its kernels: run serially.
  workers: 1,
  retries: process.env.CI ? 1 : 0,
  timeout: 120000,
  // Two browsers, a server and two kernels on 2 cores: what one user does
  // reaches the other's page in seconds, not milliseconds.
  expect: { timeout: 20000 },
  reporter: [
    ['list'],
    ['json', { outputFile: path.join(WORK, 'results.json') }]
  ],
  use: chromiumUse(PORT),
  webServer: server
};
