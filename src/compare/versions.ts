/**
 * Version order, PEP 440 style (what pip reports): enough to tell an
 * upgrade from a downgrade, not a full implementation.
 */

/**
 * A parsed version; see `compareVersions`.
 */
type Version = {
  readonly epoch: number;
  readonly release: readonly number[];
  /** -1 for a dev release of the release itself, 0/1/2 for a/b/rc, 3 final. */
  readonly stage: number;
  readonly stageNumber: number;
  /** -1 when not a post release. */
  readonly post: number;
  /** Infinity when not a dev release. */
  readonly dev: number;
  readonly local: string;
};

const VERSION =
  /^v?(?:(\d+)!)?(\d+(?:\.\d+)*)(?:[-_.]?(a|alpha|b|beta|c|rc|pre|preview)[-_.]?(\d*))?(?:-(\d+)|[-_.]?(?:post|rev|r)[-_.]?(\d*))?(?:[-_.]?dev[-_.]?(\d*))?(?:\+([a-z0-9]+(?:[-_.][a-z0-9]+)*))?$/i;

const STAGES: Record<string, number> = {
  a: 0,
  alpha: 0,
  b: 1,
  beta: 1,
  c: 2,
  rc: 2,
  pre: 2,
  preview: 2
};

/**
 * Parses a version such as `1.26.4`, `2.0.0rc1`, `1!2.0.post1.dev3` or
 * `2.1.0+cu118`; null when it is not one.
 */
export function parseVersion(text: string): Version | null {
  const match = VERSION.exec(text.trim());
  if (!match) {
    return null;
  }
  const [, epoch, release, stage, stageNumber, implicitPost, post, dev, local] =
    match;
  const isPost = implicitPost !== undefined || post !== undefined;
  const isDev = dev !== undefined;
  return {
    epoch: epoch ? Number(epoch) : 0,
    release: release.split('.').map(Number),
    stage:
      stage !== undefined
        ? STAGES[stage.toLowerCase()]
        : isDev && !isPost
          ? -1
          : 3,
    stageNumber: Number(stageNumber || 0),
    post: isPost ? Number(implicitPost ?? (post || 0)) : -1,
    dev: isDev ? Number(dev || 0) : Infinity,
    local: (local ?? '').toLowerCase()
  };
}

/**
 * Whether going from `from` to `to` is an upgrade or a downgrade; null when
 * either is not a version or they differ only in ways that do not order
 * (local labels such as `+cpu` and `+cu118`, or spelling).
 */
export function versionDirection(
  from: string,
  to: string
): 'upgrade' | 'downgrade' | null {
  const a = parseVersion(from);
  const b = parseVersion(to);
  if (!a || !b) {
    return null;
  }
  const order = compareVersions(a, b);
  return order < 0 ? 'upgrade' : order > 0 ? 'downgrade' : null;
}

function compareVersions(a: Version, b: Version): number {
  const length = Math.max(a.release.length, b.release.length);
  const keys = (v: Version): number[] => [
    v.epoch,
    ...Array.from({ length }, (_, i) => v.release[i] ?? 0),
    v.stage,
    v.stageNumber,
    v.post,
    v.dev
  ];
  const left = keys(a);
  const right = keys(b);
  for (let i = 0; i < left.length; i++) {
    if (left[i] !== right[i]) {
      return left[i] < right[i] ? -1 : 1;
    }
  }
  return 0;
}
