/**
 * The ids and names the frontend recorder gives to the sessions and runs of
 * kernels that are not Python (docs/CAPTURE.md, "Kernels that are not
 * Python"). Ids match the store's id rule, `^[A-Za-z0-9][A-Za-z0-9_-]{0,79}$`
 * (docs/FORMAT.md).
 */

/**
 * The words of readable run names: the kernel helper's (`ADJECTIVES` and
 * `NOUNS` in `jupyterlab_runs/helper.py`, which a test keeps equal).
 */
export const ADJECTIVES: readonly string[] = [
  'amber',
  'brave',
  'calm',
  'clever',
  'crisp',
  'daring',
  'eager',
  'fancy',
  'gentle',
  'happy',
  'jolly',
  'keen',
  'lively',
  'lucky',
  'merry',
  'nimble',
  'noble',
  'proud',
  'quick',
  'quiet',
  'rapid',
  'shiny',
  'sleek',
  'smart',
  'snowy',
  'steady',
  'sunny',
  'swift',
  'tidy',
  'vivid',
  'witty',
  'zesty'
];
export const NOUNS: readonly string[] = [
  'badger',
  'bison',
  'cobra',
  'comet',
  'dingo',
  'egret',
  'falcon',
  'finch',
  'heron',
  'koala',
  'lemur',
  'lynx',
  'maple',
  'marten',
  'newt',
  'orca',
  'otter',
  'panda',
  'puffin',
  'quokka',
  'raven',
  'robin',
  'salmon',
  'seal',
  'stork',
  'tapir',
  'tiger',
  'viper',
  'walrus',
  'wren',
  'yak',
  'zebra'
];

/**
 * The session id of one kernel process: the kernel's id and a digest of the
 * kernel process's own protocol session (the `session` of the headers of its
 * messages, new at each start and restart).
 *
 * #### Notes
 * Every tab, and the same tab after a reload, computes the same id for the
 * same kernel process, so a reload resumes the session instead of starting
 * another. A kernel that sends no header session gets a random one: a reload
 * then starts a new session.
 */
export function frontendSessionId(
  kernelId: string,
  kernelSession: string
): string {
  const kernel = kernelId
    .replace(/[^A-Za-z0-9_-]+/g, '-')
    .replace(/^[^A-Za-z0-9]+/, '')
    .slice(0, 40);
  const process = kernelSession || Math.random().toString(36);
  return `${kernel || 'kernel'}-${fnv1a(process)}`;
}

/**
 * The id of run `number` (from 1) of a session.
 */
export function frontendRunId(session: string, number: number): string {
  return `${session}-r${number}`;
}

/**
 * The number of a run of `session` from its id, or 0 for the runs of other
 * sessions.
 */
export function frontendRunNumber(session: string, runId: string): number {
  const prefix = `${session}-r`;
  const number = runId.startsWith(prefix)
    ? Number(runId.slice(prefix.length))
    : NaN;
  return Number.isInteger(number) && number > 0 ? number : 0;
}

/**
 * A readable run name such as `swift-otter-3`, as the helper's
 * `readable_name` gives (`number`: the run's number in its kernel process).
 */
export function readableName(
  number: number,
  random: () => number = Math.random
): string {
  const pick = (words: readonly string[]) =>
    words[Math.floor(random() * words.length) % words.length];
  return `${pick(ADJECTIVES)}-${pick(NOUNS)}-${number}`;
}

/**
 * The 32-bit FNV-1a hash of a text's UTF-16 code units, as 8 hex digits: a
 * short, stable digest (not a cryptographic one).
 */
function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, '0');
}
