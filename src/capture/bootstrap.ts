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
 * bootstrap of docs/CAPTURE.md, with the configuration, the helper source and
 * its version as Python string literals.
 */
export function bootstrapCode(config: HelperConfig, source: string): string {
  return `def __jupyterlab_runs_attach(config, source, version):
    import importlib, importlib.util, os, sys, types
    def shadowed(path):                      # in the notebook's folder, which a kernel puts first on sys.path
        try:
            here = os.path.realpath(os.getcwd())
            return os.path.dirname(os.path.realpath(path)) in (here, os.path.join(here, "jupyterlab_runs"))
        except OSError:
            return True
    helper = sys.modules.get("jupyterlab_runs.helper")
    attached = getattr(getattr(helper, "_RECORDER", None), "shell", None) is not None
    if helper is not None and (getattr(helper, "__file__", None) and shadowed(helper.__file__) or
                               not attached and getattr(helper, "HELPER_VERSION", None) != version):
        helper = None                        # keep one of this version, or the one attached: one recorder a kernel
    if helper is None:
        try:                                 # found, then imported only when installed outside the notebook's folder
            spec = importlib.util.find_spec("jupyterlab_runs")
            if spec is not None and spec.origin and not shadowed(spec.origin):
                helper = importlib.import_module("jupyterlab_runs.helper")
        except Exception:
            helper = None
        if getattr(helper, "HELPER_VERSION", None) != version:   # absent, shadowed or another version: our copy
            helper = types.ModuleType("jupyterlab_runs.helper")
            exec(compile(source, "<jupyterlab_runs.helper>", "exec"), helper.__dict__)
            sys.modules["jupyterlab_runs.helper"] = helper
    return helper.attach(config)
__jupyterlab_runs_attach(${pythonString(JSON.stringify(config))}, ${pythonString(source)}, ${pythonString(helperVersion(source))}); del __jupyterlab_runs_attach
`;
}

/**
 * The `HELPER_VERSION` a helper source declares, or `''` when it declares
 * none (then no importable package matches it, and the source is used).
 */
export function helperVersion(source: string): string {
  return /^HELPER_VERSION = "([^"\\\n]*)"/m.exec(source)?.[1] ?? '';
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
