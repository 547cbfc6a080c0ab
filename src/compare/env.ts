/**
 * The diff of two runs' kernel environments (docs/CAPTURE.md, ENV): the
 * packages, the Python version, and the platform, kernel and git state. Any
 * part may be missing or null, the environment itself too; odd values are
 * skipped, never thrown on.
 */
import { versionDirection } from './versions';

/**
 * The shapes of an environment diff.
 */
export namespace EnvDiff {
  /**
   * A package that differs. `direction` says whether a changed version went
   * up or down; null when either version cannot be ordered.
   */
  export type Package = {
    /** The new environment's spelling of the name, else the old one's. */
    readonly name: string;
    readonly status: 'added' | 'removed' | 'changed';
    readonly oldVersion: string | null;
    readonly newVersion: string | null;
    readonly direction: 'upgrade' | 'downgrade' | null;
  };

  /**
   * The values compared besides packages.
   */
  export type Field =
    | 'python'
    | 'python.implementation'
    | 'language'
    | 'kernel.implementation'
    | 'kernel.ipykernel'
    | 'kernel.ipython'
    | 'platform'
    | 'git.commit'
    | 'git.branch'
    | 'git.dirty';

  /**
   * A value that differs; null where it is missing.
   */
  export type FieldChange = {
    readonly field: Field;
    readonly old: string | null;
    readonly new: string | null;
  };

  /**
   * How many packages differ, by kind; `changed` counts every version
   * change, `upgraded` and `downgraded` those that could be ordered.
   */
  export type PackageCounts = {
    readonly added: number;
    readonly removed: number;
    readonly changed: number;
    readonly upgraded: number;
    readonly downgraded: number;
  };

  /**
   * The diff of two environments.
   */
  export type Result = {
    /** Sorted by name. */
    readonly packages: readonly Package[];
    readonly counts: PackageCounts;
    /** In the order of `Field`. */
    readonly fields: readonly FieldChange[];
    /**
     * True when either side's package list was cut short, so a package may
     * look added or removed only because it was left out.
     */
    readonly packagesTruncated: boolean;
    readonly identical: boolean;
  };
}

/**
 * Where each field is read from; a field that is missing or not a scalar is
 * null.
 */
const FIELDS: readonly [EnvDiff.Field, (env: Env) => string | null][] = [
  ['python', pythonVersion],
  ['python.implementation', env => scalar(env.python, 'implementation')],
  ['language', env => scalar(env.language, 'name')],
  ['kernel.implementation', env => scalar(env.kernel, 'implementation')],
  ['kernel.ipykernel', env => scalar(env.kernel, 'ipykernel')],
  ['kernel.ipython', env => scalar(env.kernel, 'ipython')],
  ['platform', platform],
  ['git.commit', env => scalar(env.git, 'commit')],
  ['git.branch', env => scalar(env.git, 'branch')],
  ['git.dirty', env => scalar(env.git, 'dirty')]
];

type Env = Readonly<Record<string, unknown>>;

/**
 * The diff of two environments, as recorded in runs (`StoredRun.Run.env`).
 */
export function diffEnvironments(
  oldEnv: unknown,
  newEnv: unknown
): EnvDiff.Result {
  const a = asObject(oldEnv);
  const b = asObject(newEnv);
  const packages = diffPackages(packageVersions(a), packageVersions(b));
  const fields = FIELDS.map(([field, read]) => ({
    field,
    old: read(a),
    new: read(b)
  })).filter(change => change.old !== change.new);
  const counts = {
    added: packages.filter(item => item.status === 'added').length,
    removed: packages.filter(item => item.status === 'removed').length,
    changed: packages.filter(item => item.status === 'changed').length,
    upgraded: packages.filter(item => item.direction === 'upgrade').length,
    downgraded: packages.filter(item => item.direction === 'downgrade').length
  };
  return {
    packages,
    counts,
    fields,
    packagesTruncated:
      a.packages_truncated === true || b.packages_truncated === true,
    identical: packages.length === 0 && fields.length === 0
  };
}

/**
 * A package name as pip compares them (PEP 503): `PyYAML`, `pyyaml` and
 * `py_yaml` differ in spelling only.
 */
export function packageKey(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

/**
 * The packages of an environment by key, with their names as spelled; a
 * version that is not text (a failed probe) is null.
 */
function packageVersions(
  env: Env
): Map<string, { name: string; version: string | null }> {
  const versions = new Map<string, { name: string; version: string | null }>();
  for (const [name, version] of Object.entries(asObject(env.packages))) {
    versions.set(packageKey(name), {
      name,
      version:
        typeof version === 'string' || typeof version === 'number'
          ? String(version)
          : null
    });
  }
  return versions;
}

function diffPackages(
  oldPackages: ReadonlyMap<string, { name: string; version: string | null }>,
  newPackages: ReadonlyMap<string, { name: string; version: string | null }>
): EnvDiff.Package[] {
  const keys = [...new Set([...oldPackages.keys(), ...newPackages.keys()])];
  keys.sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
  const changes: EnvDiff.Package[] = [];
  for (const key of keys) {
    const old = oldPackages.get(key);
    const added = newPackages.get(key);
    const either = added ?? old;
    if (!either || (old && added && old.version === added.version)) {
      continue;
    }
    changes.push({
      name: either.name,
      status: !old ? 'added' : !added ? 'removed' : 'changed',
      oldVersion: old?.version ?? null,
      newVersion: added?.version ?? null,
      direction:
        old?.version && added?.version
          ? versionDirection(old.version, added.version)
          : null
    });
  }
  return changes;
}

/**
 * The Python version: `language.version` (`platform.python_version()`) for
 * a Python kernel, else the first word of `python.version` (`sys.version`).
 */
function pythonVersion(env: Env): string | null {
  const language = asObject(env.language);
  const short = scalar(language, 'version');
  if (short !== null && scalar(language, 'name') === 'python') {
    return short;
  }
  return scalar(env.python, 'version')?.split(/\s/)[0] || null;
}

/**
 * The platform's description, else its system, release and machine.
 */
function platform(env: Env): string | null {
  const description = scalar(env.platform, 'description');
  if (description !== null) {
    return description;
  }
  const parts = (['system', 'release', 'machine'] as const)
    .map(key => scalar(env.platform, key))
    .filter((part): part is string => part !== null && part !== '');
  return parts.length > 0 ? parts.join(' ') : null;
}

/**
 * A scalar member of an object as text; null when the object or the member
 * is missing or not a scalar.
 */
function scalar(object: unknown, key: string): string | null {
  const value = asObject(object)[key];
  return typeof value === 'string' ||
    typeof value === 'number' ||
    typeof value === 'boolean'
    ? String(value)
    : null;
}

function asObject(value: unknown): Env {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Env)
    : {};
}
