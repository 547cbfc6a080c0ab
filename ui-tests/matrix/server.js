// The matrix entry a run of playwright.matrix.config.js tests, as
// scripts/matrix.sh names it in the environment, and its server's folders.
const path = require('path');
const { REPO } = require('../lab-server');

/** The entry's name (lab-4.2, notebook-7, …). */
const NAME = process.env.RUNS_MATRIX_NAME || 'lab-4.6';
/** `lab` or `notebook`: which app the venv's server runs. */
const APP = process.env.RUNS_MATRIX_APP === 'notebook' ? 'notebook' : 'lab';
/** The entry's virtualenv, with the wheel installed. */
const VENV =
  process.env.RUNS_MATRIX_VENV ||
  path.join(REPO, 'build', 'matrix', 'venvs', NAME);
const PORT = Number(process.env.RUNS_MATRIX_PORT || 8896);
/** Where the entry's server keeps its root and Jupyter state. */
const WORK = path.join(REPO, 'build', 'matrix', 'servers', NAME);
const SERVER_ROOT = path.join(WORK, 'root');
const STATE = path.join(WORK, 'jupyter');

module.exports = { APP, NAME, PORT, SERVER_ROOT, STATE, VENV, WORK };
