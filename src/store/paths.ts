import { isDigest, isValidId } from './format';
import { sha256Hex } from './hash';

/**
 * The longest readable part of a notebook key.
 */
const SLUG_LENGTH = 40;

/**
 * How many hex digits of the path's SHA-256 end a notebook key: 48 bits, so
 * two notebooks of one server never share a folder in practice.
 */
const KEY_DIGEST_LENGTH = 12;

/**
 * The folder name of a notebook's runs: a readable ASCII slug of its path (at
 * most 40 characters) and the first 12 hex digits of the path's SHA-256,
 * e.g. `analysis-train-ipynb-3f2a9c01b7de`.
 *
 * #### Notes
 * Whatever the path holds (`../`, an absolute path, NUL, right-to-left marks,
 * emoji, a thousand characters), the key is a plain, visible folder name.
 * The real path is kept inside the files.
 */
export async function notebookKey(notebookPath: string): Promise<string> {
  const digest = await sha256Hex(notebookPath);
  let slug = notebookPath
    .normalize('NFKD')
    // Accents come apart from their letters under NFKD: drop them.
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .toLowerCase();
  if (slug.length > SLUG_LENGTH) {
    // The end of a path (the file name) says more than its first folders.
    slug = slug.slice(-SLUG_LENGTH).replace(/^-+/, '');
  }
  return `${slug || 'notebook'}-${digest.slice(0, KEY_DIGEST_LENGTH)}`;
}

/**
 * A notebook key as `notebookKey` makes them.
 */
const KEY_PATTERN = /^[a-z0-9-]{1,40}-[0-9a-f]{12}$/;

/**
 * Whether one path segment is safe to write: not empty, not `.` or `..`,
 * not hidden, with no control, separator or drive characters.
 */
function isSafeSegment(segment: string): boolean {
  return (
    segment !== '' &&
    !segment.startsWith('.') &&
    // eslint-disable-next-line no-control-regex
    !/[\u0000-\u001f\u007f\\:]/.test(segment)
  );
}

/**
 * Where each file of a store lives, relative to the server root. See
 * docs/FORMAT.md.
 *
 * Every method checks the ids it is given and throws for an invalid one:
 * callers check ids from outside first, so a throw here is a bug, and it
 * happens before anything is written.
 */
export class StoreLayout {
  /**
   * @param folder - The store folder, relative to the server root, already
   * checked by the settings (no `..`, not hidden, not absolute).
   */
  constructor(readonly folder: string) {
    if (!folder.split('/').every(isSafeSegment)) {
      throw new Error(`jupyterlab-runs: unsafe store folder "${folder}"`);
    }
  }

  get storeFile(): string {
    return `${this.folder}/store.json`;
  }

  notebookFolder(key: string): string {
    if (!KEY_PATTERN.test(key)) {
      throw new Error(`jupyterlab-runs: invalid notebook key "${key}"`);
    }
    return `${this.folder}/notebooks/${key}`;
  }

  indexFile(key: string): string {
    return `${this.notebookFolder(key)}/index.json`;
  }

  indexSegment(key: string, segment: number): string {
    return `${this.notebookFolder(key)}/index/${checkNumber(segment)}.json`;
  }

  sessionFile(key: string, session: string): string {
    return `${this.notebookFolder(key)}/sessions/${checkId(session)}.json`;
  }

  runFolder(key: string, run: string): string {
    return `${this.notebookFolder(key)}/runs/${checkId(run)}`;
  }

  runFile(key: string, run: string): string {
    return `${this.runFolder(key, run)}/run.json`;
  }

  metricSegment(key: string, run: string, segment: number): string {
    return `${this.runFolder(key, run)}/metrics/${checkNumber(segment)}.json`;
  }

  snapshot(key: string, run: string, snapshot: number): string {
    return `${this.runFolder(key, run)}/snapshots/${checkNumber(snapshot)}.json`;
  }

  blob(digest: string): string {
    return `${this.folder}/blobs/${checkDigest(digest).slice(0, 2)}/${digest}.json`;
  }

  env(digest: string): string {
    return `${this.folder}/envs/${checkDigest(digest).slice(0, 2)}/${digest}.json`;
  }

  /**
   * Whether a path lies strictly inside the store folder and every segment
   * of it is safe. The file writer checks every path with this.
   */
  contains(path: string): boolean {
    const segments = path.split('/');
    const own = this.folder.split('/');
    return (
      segments.length > own.length &&
      own.every((segment, index) => segments[index] === segment) &&
      segments.every(isSafeSegment)
    );
  }
}

function checkId(id: string): string {
  if (!isValidId(id)) {
    throw new Error(`jupyterlab-runs: invalid id ${JSON.stringify(id)}`);
  }
  return id;
}

function checkDigest(digest: string): string {
  if (!isDigest(digest)) {
    throw new Error(`jupyterlab-runs: invalid digest "${digest}"`);
  }
  return digest;
}

function checkNumber(value: number): number {
  if (!Number.isInteger(value) || value < 0) {
    throw new Error(`jupyterlab-runs: invalid file number ${value}`);
  }
  return value;
}
