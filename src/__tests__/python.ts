import * as path from 'path';

/**
 * The Python of the pinned environment scripts/setup.sh makes
 * (requirements/dev.txt): the one whose kernels the extension records in the
 * UI tests, so the unit tests that run the helper or nbformat use it too.
 */
export const PYTHON =
  process.env.RUNS_PYTHON ||
  path.join(__dirname, '..', '..', 'build', 'venvs', 'dev', 'bin', 'python');

/**
 * A Python without the `jupyterlab_runs` package (the machine's, which made
 * the venvs): what a kernel whose environment lacks the package is like. The
 * development venv has the package installed in editable mode, as the
 * extension template's development install does.
 */
export const BARE_PYTHON = process.env.RUNS_BASE_PYTHON || 'python3';
