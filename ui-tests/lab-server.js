// The Lab server the UI tests run against, shared by playwright.config.js
// and the tests that look into its folders.
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

// Kernelspecs installed for the test server only (in its Jupyter data
// folder): `echo`, a kernel that is not Python.
const KERNELS = path.join(__dirname, 'kernels');

// A fresh server root and Jupyter state every run, so no earlier run leaks in.
// The server's log goes to build/ui-tests/server.log.
const command =
  `rm -rf '${SERVER_ROOT}' '${WORK}/jupyter' && mkdir -p '${SERVER_ROOT}' && ` +
  `mkdir -p '${WORK}/jupyter/data/kernels' && ` +
  `cp -R '${KERNELS}/echo' '${WORK}/jupyter/data/kernels/echo' && ` +
  `exec /usr/bin/python3 '${REPO}/devlab/server.py' --port ${PORT} --no-auth ` +
  `--root-dir '${SERVER_ROOT}' --state-dir '${WORK}/jupyter' ` +
  `--labextensions-path '${REPO}/build/labextensions' ` +
  `--labextensions-path '${REPO}/build/test-labextensions' ` +
  `>'${WORK}/server.log' 2>&1`;

module.exports = {
  CHROMIUM_ARGS,
  PLANTED_ENV,
  PLANTED_SECRETS,
  PORT,
  REPO,
  SERVER_ROOT,
  WORK,
  command
};
