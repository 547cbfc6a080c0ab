import { isPackName } from './format';
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
 * How the name of a compressed store file ends: gzip of JSON text.
 */
export const COMPRESSED = '.json.gz';

/**
 * The two files that hold a compressed store file `<name>.json.gz`:
 * `<name>.a.json.gz` and `<name>.b.json.gz`. A new version is written to the
 * slot that does not hold the current one, and the other is then emptied, so
 * a write cut short never damages the only good copy. Null for a path that
 * is not a compressed file.
 */
export function slotsOf(path: string): [string, string] | null {
  if (!path.endsWith(COMPRESSED)) {
    return null;
  }
  const stem = path.slice(0, -COMPRESSED.length);
  return [`${stem}.a${COMPRESSED}`, `${stem}.b${COMPRESSED}`];
}

/**
 * A notebook key as `notebookKey` makes them.
 */
const KEY_PATTERN = /^[a-z0-9-]{1,40}-[0-9a-f]{12}$/;

/**
 * Whether a folder name is a notebook key as `notebookKey` makes them.
 */
export function isNotebookKey(name: string): boolean {
  return KEY_PATTERN.test(name);
}

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

  /**
   * The folder holding one folder per notebook.
   */
  get notebooksFolder(): string {
    return `${this.folder}/notebooks`;
  }

  notebookFolder(key: string): string {
    if (!KEY_PATTERN.test(key)) {
      throw new Error(`jupyterlab-runs: invalid notebook key "${key}"`);
    }
    return `${this.notebooksFolder}/${key}`;
  }

  /**
   * The index head (a compressed file, kept in two slots: see `slotsOf`).
   */
  indexFile(key: string): string {
    return `${this.notebookFolder(key)}/index${COMPRESSED}`;
  }

  /**
   * The user's changes to the notebook's runs (a compressed file).
   */
  annotationsFile(key: string): string {
    return `${this.notebookFolder(key)}/annotations${COMPRESSED}`;
  }

  indexSegment(key: string, segment: number): string {
    return `${this.notebookFolder(key)}/index/${checkNumber(segment)}${COMPRESSED}`;
  }

  packsFolder(key: string): string {
    return `${this.notebookFolder(key)}/packs`;
  }

  packFile(key: string, pack: string): string {
    return `${this.packsFolder(key)}/${checkPack(pack)}${COMPRESSED}`;
  }

  /**
   * The long metric series of a pack (a compressed file).
   */
  pointsFile(key: string, pack: string): string {
    return `${this.notebookFolder(key)}/points/${checkPack(pack)}${COMPRESSED}`;
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

function checkPack(pack: string): string {
  if (!isPackName(pack)) {
    throw new Error(
      `jupyterlab-runs: invalid pack name ${JSON.stringify(pack)}`
    );
  }
  return pack;
}

function checkNumber(value: number): number {
  if (!Number.isInteger(value) || value < 0) {
    throw new Error(`jupyterlab-runs: invalid file number ${value}`);
  }
  return value;
}
