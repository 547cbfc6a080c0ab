import type { Contents } from '@jupyterlab/services';

import { StoreLayout } from './paths';

/**
 * Reads and writes store files through the Contents API: nothing else
 * touches the server.
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
   * @throws When the server cannot be reached or refuses the request.
   */
  async read(path: string): Promise<string | null> {
    if (!(await this.exists(path))) {
      return null;
    }
    try {
      const model = await this._contents.get(path, {
        type: 'file',
        format: 'text',
        content: true
      });
      return typeof model.content === 'string'
        ? model.content
        : JSON.stringify(model.content);
    } catch (reason) {
      if (isNotFound(reason)) {
        // Deleted since its folder was listed.
        this._listings.delete(parentOf(path));
        return null;
      }
      throw reason;
    }
  }

  /**
   * Whether a file exists.
   *
   * #### Notes
   * Answered from the listing of the file's folder, never by asking for the
   * file: a request for a missing file is a 404, which the browser reports
   * as a console error each time the store looks for something not yet
   * written.
   */
  async exists(path: string): Promise<boolean> {
    const names = await this._children(parentOf(path));
    return names !== null && names.has(baseName(path));
  }

  /**
   * Write a text file inside the store folder `folder`, creating the folders
   * on its way.
   *
   * @throws An `Error` without sending anything when the path is not inside
   * the store folder; the server's error when the write fails.
   */
  async write(folder: string, path: string, text: string): Promise<void> {
    if (!new StoreLayout(folder).contains(path)) {
      throw new Error(
        `jupyterlab-runs: refused to write "${path}", outside the store folder "${folder}"`
      );
    }
    const parent = path.slice(0, path.lastIndexOf('/'));
    await this._ensureFolder(parent);
    try {
      await this._contents.save(path, {
        type: 'file',
        format: 'text',
        content: text
      });
      this._noteWritten(path);
    } catch (reason) {
      // The folder may have been deleted since it was created.
      this._forgetFolders(parent);
      throw reason;
    }
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
      this._noteWritten(path);
    }
  }

  /**
   * Keep the cached listing of a folder true after writing into it.
   */
  private _noteWritten(path: string): void {
    const parent = this._listings.get(parentOf(path));
    if (parent?.names) {
      parent.names.add(baseName(path));
    } else {
      this._listings.delete(parentOf(path));
    }
    this._listings.delete(path);
  }

  /**
   * The names in a folder, or null when the folder does not exist; listings
   * are trusted for a short while, and folders the store created for good.
   */
  private async _children(folder: string): Promise<Set<string> | null> {
    const cached = this._listings.get(folder);
    if (cached && Date.now() - cached.listedAt < LISTING_TTL_MS) {
      return cached.names;
    }
    if (folder !== '' && !this._folders.has(folder)) {
      const siblings = await this._children(parentOf(folder));
      if (!siblings?.has(baseName(folder))) {
        this._listings.set(folder, { listedAt: Date.now(), names: null });
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
    const names = new Set(children.map(child => child.name));
    this._listings.set(folder, { listedAt: Date.now(), names });
    return names;
  }

  private _forgetFolders(folder: string): void {
    for (const known of [...this._folders]) {
      if (folder === known || folder.startsWith(`${known}/`)) {
        this._folders.delete(known);
      }
    }
    this._listings.clear();
  }

  private readonly _contents: Contents.IManager;
  private readonly _folders = new Set<string>();
  private readonly _listings = new Map<
    string,
    { listedAt: number; names: Set<string> | null }
  >();
}

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
