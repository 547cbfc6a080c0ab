// The version matrix (scripts/matrix.sh): one entry per run, named by the
// RUNS_MATRIX_* environment variables; its server is `jupyter lab` or
// `jupyter notebook` from the entry's venv, which has only the wheel, started
// as the UI tests start theirs (lab-server.js).
const path = require('path');
const { REPO, chromiumUse, webServer } = require('./lab-server');

const {
  APP,
  NAME,
  PORT,
  SERVER_ROOT,
  STATE,
  VENV,
  WORK
} = require('./matrix/server');
const RESULTS = path.join(REPO, 'build', 'matrix', 'results');

// A fresh root and Jupyter state for each entry; the log beside them.
const server = webServer(
  { app: APP, venv: VENV, port: PORT, root: SERVER_ROOT, state: STATE },
  `${WORK}.log`
);

module.exports = {
  testDir: './matrix',
  outputDir: path.join(REPO, 'build', 'matrix', 'test-results', NAME),
  workers: 1,
  retries: process.env.CI ? 1 : 0,
  timeout: 180000,
  reporter: [
    ['list'],
    ['json', { outputFile: path.join(RESULTS, `${NAME}.report.json`) }]
  ],
  use: chromiumUse(PORT),
  webServer: server
};
