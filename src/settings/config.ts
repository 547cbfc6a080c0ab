import type { ReadonlyPartialJSONObject } from '@lumino/coreutils';

import type { Runs } from '../tokens';

/**
 * The configuration used when the user has set nothing.
 *
 * #### Notes
 * The store folder is not a dot-folder because the Jupyter server's Contents
 * API refuses to create hidden paths.
 */
export const DEFAULT_CONFIG: Runs.Config = {
  storeFolder: 'jupyter-runs',
  trackingEnabled: true,
  envAllowlist: [
    'PATH',
    'LANG',
    'VIRTUAL_ENV',
    'CONDA_DEFAULT_ENV',
    'CUDA_VISIBLE_DEVICES',
    'PYTHONHASHSEED',
    'OMP_NUM_THREADS'
  ],
  metricPatterns: [],
  outputCapBytes: 100000
};

/**
 * A configuration read from raw settings, with what had to be corrected.
 */
export type ParsedConfig = {
  readonly config: Runs.Config;
  readonly warnings: readonly string[];
};

/**
 * The outcome of checking a store folder setting.
 */
export type StoreFolderCheck =
  | { readonly ok: true; readonly folder: string }
  | { readonly ok: false; readonly problem: string };

/**
 * Read raw settings into a complete, valid configuration.
 *
 * Invalid values fall back to their defaults; each fallback is explained in
 * `warnings` so the caller can tell the user what was ignored.
 */
export function parseConfig(raw: ReadonlyPartialJSONObject): ParsedConfig {
  const warnings: string[] = [];

  let storeFolder = DEFAULT_CONFIG.storeFolder;
  if (raw.storeFolder !== undefined) {
    const check = checkStoreFolder(raw.storeFolder);
    if (check.ok) {
      storeFolder = check.folder;
    } else {
      warnings.push(
        `jupyterlab-runs: the "storeFolder" setting ${JSON.stringify(raw.storeFolder)} ${check.problem}; using "${DEFAULT_CONFIG.storeFolder}" instead.`
      );
    }
  }

  let trackingEnabled = DEFAULT_CONFIG.trackingEnabled;
  if (typeof raw.trackingEnabled === 'boolean') {
    trackingEnabled = raw.trackingEnabled;
  } else if (raw.trackingEnabled !== undefined) {
    warnings.push(
      `jupyterlab-runs: the "trackingEnabled" setting must be true or false; using ${DEFAULT_CONFIG.trackingEnabled} instead.`
    );
  }

  const envAllowlist = readStringList(
    raw.envAllowlist,
    'envAllowlist',
    DEFAULT_CONFIG.envAllowlist,
    checkEnvName,
    warnings
  );
  const metricPatterns = readStringList(
    raw.metricPatterns,
    'metricPatterns',
    DEFAULT_CONFIG.metricPatterns,
    checkMetricPattern,
    warnings
  );

  let outputCapBytes = DEFAULT_CONFIG.outputCapBytes;
  if (isByteCount(raw.outputCapBytes)) {
    outputCapBytes = raw.outputCapBytes;
  } else if (raw.outputCapBytes !== undefined) {
    warnings.push(
      `jupyterlab-runs: the "outputCapBytes" setting must be a whole number of bytes, 0 or more; using ${DEFAULT_CONFIG.outputCapBytes} instead.`
    );
  }

  return {
    config: {
      storeFolder,
      trackingEnabled,
      envAllowlist,
      metricPatterns,
      outputCapBytes
    },
    warnings
  };
}

/**
 * Why a list entry is unusable, or `null` when it is fine.
 */
type EntryCheck = (entry: string) => string | null;

/**
 * Read a list of strings, dropping (and explaining) the entries `check`
 * refuses; a value that is not a list falls back to `fallback` entirely.
 */
function readStringList(
  value: unknown,
  name: string,
  fallback: readonly string[],
  check: EntryCheck,
  warnings: string[]
): readonly string[] {
  if (value === undefined) {
    return fallback;
  }
  if (!Array.isArray(value)) {
    warnings.push(
      `jupyterlab-runs: the "${name}" setting must be a list of text values; using the default list instead.`
    );
    return fallback;
  }
  const kept: string[] = [];
  for (const entry of value) {
    const problem =
      typeof entry === 'string' ? check(entry) : 'is not a text value';
    if (problem !== null) {
      warnings.push(
        `jupyterlab-runs: ignoring the "${name}" entry ${JSON.stringify(entry)}, which ${problem}.`
      );
    } else if (!kept.includes(entry)) {
      kept.push(entry);
    }
  }
  return kept;
}

/**
 * An environment variable name: not empty, and no `=`, NUL or white space,
 * which no operating system allows in a name.
 */
function checkEnvName(entry: string): string | null {
  return /^[^=\0\s]+$/.test(entry)
    ? null
    : 'is not an environment variable name';
}

/**
 * A metric name pattern. The kernel helper compiles it with Python's `re`,
 * where a bad pattern could only be skipped silently; checking it here tells
 * the user. JavaScript shares Python's common syntax once the Python-only
 * spellings of named groups and leading flags are translated.
 */
function checkMetricPattern(entry: string): string | null {
  if (entry === '') {
    return 'is empty';
  }
  const asJavaScript = entry
    .replace(/^\(\?[aiLmsux]+\)/, '')
    .replace(/\(\?P</g, '(?<')
    .replace(/\(\?P=(\w+)\)/g, '\\k<$1>');
  try {
    new RegExp(asJavaScript);
    return null;
  } catch {
    return 'is not a valid regular expression';
  }
}

/**
 * Whether a value is a whole, non-negative number of bytes.
 */
function isByteCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/**
 * Check that a store folder is a relative path that stays inside the server
 * root, and normalise it (no `.` segments, no repeated or trailing `/`).
 */
export function checkStoreFolder(value: unknown): StoreFolderCheck {
  if (typeof value !== 'string') {
    return { ok: false, problem: 'is not a text value' };
  }
  const path = value.trim();
  if (path.includes('\0')) {
    return { ok: false, problem: 'contains a NUL character' };
  }
  if (path.includes('\\')) {
    return {
      ok: false,
      problem: 'contains a backslash; separate folders with "/"'
    };
  }
  if (path.startsWith('/') || /^[A-Za-z]:/.test(path)) {
    return {
      ok: false,
      problem: 'is absolute; give a path relative to the server root'
    };
  }
  const segments = path
    .split('/')
    .filter(segment => segment !== '' && segment !== '.');
  if (segments.includes('..')) {
    return { ok: false, problem: 'leaves the server root with ".."' };
  }
  if (segments.some(segment => segment.startsWith('.'))) {
    return {
      ok: false,
      problem:
        'names a hidden folder, which the Jupyter server refuses to create'
    };
  }
  if (segments.length === 0) {
    return { ok: false, problem: 'is empty' };
  }
  return { ok: true, folder: segments.join('/') };
}

/**
 * Whether two configurations hold the same values.
 */
export function sameConfig(a: Runs.Config, b: Runs.Config): boolean {
  return (
    a.storeFolder === b.storeFolder &&
    a.trackingEnabled === b.trackingEnabled &&
    sameList(a.envAllowlist, b.envAllowlist) &&
    sameList(a.metricPatterns, b.metricPatterns) &&
    a.outputCapBytes === b.outputCapBytes
  );
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((entry, i) => entry === b[i]);
}
