import type { Runs } from '../tokens';

/**
 * The configuration the kernel helper's `attach(config)` takes, as defined in
 * docs/CAPTURE.md.
 */
export type HelperConfig = {
  readonly notebook_path: string;
  readonly store_folder: string;
  readonly env_allowlist: readonly string[];
  readonly metric_patterns: readonly string[];
  readonly output_cap_bytes: number;
  readonly tracking: boolean;
};

/**
 * The helper configuration for one notebook.
 *
 * @param config - The validated settings.
 * @param notebookPath - The notebook's path relative to the server root.
 * @param tracking - Whether this notebook is tracked (the global setting and
 * the notebook's own switch).
 */
export function helperConfig(
  config: Runs.Config,
  notebookPath: string,
  tracking: boolean
): HelperConfig {
  return {
    notebook_path: notebookPath,
    store_folder: config.storeFolder,
    env_allowlist: config.envAllowlist,
    metric_patterns: config.metricPatterns,
    output_cap_bytes: config.outputCapBytes,
    tracking
  };
}

/**
 * The code sent once per kernel start to attach the helper: exactly the
 * bootstrap of docs/CAPTURE.md, with the configuration and the helper source
 * as Python string literals.
 */
export function bootstrapCode(config: HelperConfig, source: string): string {
  return `def __jupyterlab_runs_attach(config, source):
    import importlib, sys, types
    try:
        helper = importlib.import_module("jupyterlab_runs.helper")
    except ImportError:                      # the kernel's env lacks the package: use the frontend's copy
        helper = types.ModuleType("jupyterlab_runs.helper")
        exec(compile(source, "<jupyterlab_runs.helper>", "exec"), helper.__dict__)
        sys.modules["jupyterlab_runs.helper"] = helper
    return helper.attach(config)
__jupyterlab_runs_attach(${pythonString(JSON.stringify(config))}, ${pythonString(source)}); del __jupyterlab_runs_attach
`;
}

/**
 * A Python string literal for `text`.
 *
 * A JSON string is a valid Python literal with the same value, for every
 * text: JSON's escapes (`\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX`) all exist in
 * Python with the same meaning, surrogate pairs only appear for characters
 * outside the BMP, which `JSON.stringify` leaves unescaped, and it escapes lone
 * surrogates, which Python decodes back to the same lone surrogate. U+2028 and
 * U+2029 are left raw, which Python accepts inside a string.
 */
export function pythonString(text: string): string {
  return JSON.stringify(text);
}
