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
  trackingEnabled: true
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

  return { config: { storeFolder, trackingEnabled }, warnings };
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
    a.storeFolder === b.storeFolder && a.trackingEnabled === b.trackingEnabled
  );
}
