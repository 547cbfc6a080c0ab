import type { Contents } from '@jupyterlab/services';

import { DamagedFileError } from './format';
import { fromBase64, gunzipText, gzipText, toBase64 } from './gzip';
import { slotsOf, StoreLayout } from './paths';

/**
 * Reads and writes store files through the Contents API: nothing else
 * touches the server.
 *
 * - A path ending in `.json.gz` names a compressed file kept in two slots
 *   (`slotsOf`): a write goes to the slot that does not hold the current
 *   version, then empties the other one. The Jupyter server writes a file in
 *   place (after copying the old one aside to a hidden file it restores only
 *   when the write raises), so a server killed mid-write can leave a torn
 *   file; with two slots that is never the only copy, and gzip's length and
 *   CRC-32 check tells a torn file from a whole one.
 * - Other paths are plain text files, written once.
 *
 * Writing creates missing folders level by level (the server refuses a file
 * whose folder does not exist) and remembers the folders it knows. Every
 * path is checked to lie inside its store folder before anything is sent.
 */
export class StoreDrive {
  constructor(contents: Contents.IManager) {
    this._contents = contents;
  }

  /**
   * The text of a file, or null when it does not exist.
   *
   * @throws A `DamagedFileError` when a compressed file exists but no slot
   * holds a whole copy; the server's error when it cannot be reached or
   * refuses the request.
   */
  async read(path: string): Promise<string | null> {
    const slots = slotsOf(path);
    if (!slots) {
      return (await this._get(path, 'text')) ?? null;
    }
    const problems: string[] = [];
    const started = Date.now();
    for (const fresh of [false, true]) {
      if (fresh) {
        const listed = this._listings.get(parentOf(path))?.listedAt ?? 0;
        if (listed >= started) {
          break;
        }
        // Another page may have written the other slot since the folder
        // was listed: list it again.
        this._listings.delete(parentOf(path));
        this._current.delete(path);
      }
      for (const slot of await this._slotOrder(path, slots)) {
        const content = await this._get(slot, 'base64');
        if (!content) {
          continue;
        }
        try {
          const text = await gunzipText(fromBase64(content));
          this._current.set(path, slot);
          return text;
        } catch (reason) {
          problems.push(`${baseName(slot)}: ${String(reason)}`);
        }
      }
      if (problems.length > 0) {
        throw new DamagedFileError(problems.join('; '));
      }
    }
    return null;
  }

  /**
   * Whether a file exists (for a compressed file: either slot).
   *
   * #### Notes
   * Answered from the listing of the file's folder, never by asking for the
   * file: a request for a missing file is a 404, which the browser reports
   * as a console error each time the store looks for something not yet
   * written.
   */
  async exists(path: string): Promise<boolean> {
    const paths = slotsOf(path) ?? [path];
    for (const each of paths) {
      if (await this._isListed(each)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Forget what the listing of a folder said, so the next look at it asks
   * the server (and fails when the server is away).
   */
  forget(folder: string): void {
    this._listings.delete(folder);
  }

  /**
   * The names of the files in a folder, or an empty list when it does not
   * exist. A compressed file is listed once, by its own name.
   */
  async list(folder: string): Promise<string[]> {
    const listing = await this._children(folder);
    const names = new Set<string>();
    for (const name of listing?.keys() ?? []) {
      const slots = slotsOf(`${folder}/${logicalName(name)}`);
      names.add(slots ? logicalName(name) : name);
    }
    return [...names].sort();
  }

  /**
   * The files in a folder by the names `list` gives, each with when it was
   * last modified (epoch milliseconds; of a compressed file, its newer
   * slot).
   */
  async modified(folder: string): Promise<Map<string, number>> {
    const listing = await this._children(folder);
    const times = new Map<string, number>();
    for (const [name, entry] of listing ?? []) {
      const slots = slotsOf(`${folder}/${logicalName(name)}`);
      const logical = slots ? logicalName(name) : name;
      times.set(logical, Math.max(times.get(logical) ?? 0, entry.modified));
    }
    return times;
  }

  /**
   * Write a text file inside the store folder `folder`, creating the folders
   * on its way; a compressed file is gzipped into its other slot.
   *
   * @throws An `Error` without sending anything when the path is not inside
   * the store folder; the server's error when the write fails.
   */
  async write(folder: string, path: string, text: string): Promise<void> {
    const layout = new StoreLayout(folder);
    const slots = slotsOf(path);
    for (const target of slots ?? [path]) {
      if (!layout.contains(target)) {
        throw new Error(
          `jupyterlab-runs: refused to write "${target}", outside the store folder "${folder}"`
        );
      }
    }
    const parent = parentOf(path);
    await this._ensureFolder(parent);
    try {
      if (!slots) {
        await this._save(path, text, 'text');
        return;
      }
      const current = await this._currentSlot(path);
      const target = current === slots[0] ? slots[1] : slots[0];
      await this._save(target, toBase64(await gzipText(text)), 'base64');
      this._current.set(path, target);
      const other = target === slots[0] ? slots[1] : slots[0];
      if (await this._isListed(other)) {
        // Emptied, not deleted: the server sends deleted files to the trash.
        await this._save(other, '', 'text');
      }
    } catch (reason) {
      // The folder may have been deleted since it was created.
      this._forgetFolders(parent);
      throw reason;
    }
  }

  /**
   * Whether the listing of its folder shows a file (a slot, for a
   * compressed file).
   */
  private async _isListed(path: string): Promise<boolean> {
    const listing = await this._children(parentOf(path));
    return listing?.has(baseName(path)) ?? false;
  }

  /**
   * The slot holding the current version of a compressed file, or null when
   * neither does: this drive's last read or write, or else what the server
   * holds.
   */
  private async _currentSlot(path: string): Promise<string | null> {
    const known = this._current.get(path);
    if (known) {
      return known;
    }
    try {
      await this.read(path);
    } catch (reason) {
      if (!(reason instanceof DamagedFileError)) {
        throw reason;
      }
    }
    return this._current.get(path) ?? null;
  }

  /**
   * The slots of a compressed file to try, best first: the one this drive
   * last used, then those the listing shows, not empty first, newest first.
   */
  private async _slotOrder(
    path: string,
    slots: [string, string]
  ): Promise<string[]> {
    const listing = await this._children(parentOf(path));
    const known = this._current.get(path);
    const present = slots
      .map(slot => ({ slot, entry: listing?.get(baseName(slot)) }))
      .filter(({ slot, entry }) => entry !== undefined || slot === known);
    const rank = (item: (typeof present)[number]): number[] => [
      item.slot === known ? 0 : 1,
      item.entry?.size === 0 ? 1 : 0,
      -(item.entry?.modified ?? 0)
    ];
    return present
      .sort((a, b) => {
        const [x, y] = [rank(a), rank(b)];
        return x[0] - y[0] || x[1] - y[1] || x[2] - y[2];
      })
      .map(({ slot }) => slot);
  }

  /**
   * A file's content in the given format, or undefined when it is missing.
   */
  private async _get(
    path: string,
    format: 'text' | 'base64'
  ): Promise<string | undefined> {
    if (!(await this._isListed(path))) {
      return undefined;
    }
    try {
      const model = await this._contents.get(path, {
        type: 'file',
        format,
        content: true
      });
      return typeof model.content === 'string'
        ? model.content
        : JSON.stringify(model.content);
    } catch (reason) {
      if (isNotFound(reason)) {
        // Deleted since its folder was listed.
        this._listings.delete(parentOf(path));
        return undefined;
      }
      throw reason;
    }
  }

  private async _save(
    path: string,
    content: string,
    format: 'text' | 'base64'
  ): Promise<void> {
    await this._contents.save(path, { type: 'file', format, content });
    this._noteWritten(path, format === 'text' ? content.length : 1);
  }

  /**
   * Create a folder and its parents, one level at a time from the server
   * root, skipping the ones already known.
   */
  private async _ensureFolder(folder: string): Promise<void> {
    const segments = folder.split('/');
    for (let depth = 1; depth <= segments.length; depth++) {
      const path = segments.slice(0, depth).join('/');
      if (this._folders.has(path)) {
        continue;
      }
      // Saving a folder that exists leaves it as it is.
      await this._contents.save(path, { type: 'directory' });
      this._folders.add(path);
      this._noteWritten(path, null);
    }
  }

  /**
   * Keep the cached listing of a folder true after writing into it.
   */
  private _noteWritten(path: string, size: number | null): void {
    const parent = this._listings.get(parentOf(path));
    if (parent?.entries) {
      parent.entries.set(baseName(path), { size, modified: Date.now() });
    } else {
      this._listings.delete(parentOf(path));
    }
    this._listings.delete(path);
  }

  /**
   * The entries of a folder, or null when the folder does not exist;
   * listings are trusted for a short while, and folders the store created
   * for good.
   */
  private async _children(folder: string): Promise<Listing | null> {
    const cached = this._listings.get(folder);
    if (cached && Date.now() - cached.listedAt < LISTING_TTL_MS) {
      return cached.entries;
    }
    if (folder !== '' && !this._folders.has(folder)) {
      const siblings = await this._children(parentOf(folder));
      if (!siblings?.has(baseName(folder))) {
        this._listings.set(folder, { listedAt: Date.now(), entries: null });
        return null;
      }
    }
    const model = await this._contents.get(folder, {
      type: 'directory',
      content: true
    });
    const children = Array.isArray(model.content)
      ? (model.content as Contents.IModel[])
      : [];
    const entries: Listing = new Map(
      children.map(child => [
        child.name,
        {
          size: typeof child.size === 'number' ? child.size : null,
          modified: Date.parse(child.last_modified) || 0
        }
      ])
    );
    this._listings.set(folder, { listedAt: Date.now(), entries });
    return entries;
  }

  private _forgetFolders(folder: string): void {
    for (const known of [...this._folders]) {
      if (folder === known || folder.startsWith(`${known}/`)) {
        this._folders.delete(known);
      }
    }
    this._listings.clear();
    this._current.clear();
  }

  private readonly _contents: Contents.IManager;
  /** The slot holding the current version of each compressed file. */
  private readonly _current = new Map<string, string>();
  private readonly _folders = new Set<string>();
  private readonly _listings = new Map<
    string,
    { listedAt: number; entries: Listing | null }
  >();
}

/**
 * A folder's entries by name: size in bytes (null when unknown) and when
 * last modified, epoch milliseconds.
 */
type Listing = Map<string, { size: number | null; modified: number }>;

/**
 * How long a folder listing answers for the files in it. Another tab may
 * write meanwhile; for this long the store may miss its new files.
 */
const LISTING_TTL_MS = 2000;

function parentOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? '' : path.slice(0, slash);
}

function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/**
 * The name of the compressed file a slot file belongs to
 * (`x.a.json.gz` → `x.json.gz`); other names unchanged.
 */
function logicalName(name: string): string {
  return name.replace(/\.[ab](\.json\.gz)$/, '$1');
}

/**
 * The HTTP status of a failed Contents request, or null for a network error.
 */
export function responseStatus(reason: unknown): number | null {
  const status = (reason as { response?: { status?: unknown } } | null)
    ?.response?.status;
  return typeof status === 'number' ? status : null;
}

function isNotFound(reason: unknown): boolean {
  return responseStatus(reason) === 404;
}
