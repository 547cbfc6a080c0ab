import type { TranslationBundle } from '@jupyterlab/translation';

import type { StoreFormat } from './format';
import { checkRunBlock, readStoreFile } from './format';
import { readIndexText } from './indexmerge';
import type { StoreLayout } from './paths';
import { rowFromBlocks } from './reader';

/**
 * How many of a notebook's most recently written packs are looked through
 * for runs the index lacks. A row is lost when two pages write the index at
 * the same moment, so its run is in a pack written about then.
 */
const RECENT_PACKS = 8;

const SUFFIX = '.json.gz';

type Block = { readonly block: StoreFormat.RunBlock; readonly pack: string };

/**
 * What one version of a pack holds that the finder looks at.
 */
type PackRead = {
  readonly blocks: readonly Block[];
  readonly sessions: readonly StoreFormat.PackSession[];
};

/**
 * Finds the runs that a notebook's recent packs hold and its index lacks
 * (a page's index write replaced by another page's at the same moment),
 * and makes their rows again from their blocks. Each version of a pack is
 * read once per page.
 */
export class OrphanFinder {
  constructor(options: OrphanFinder.IOptions) {
    this._options = options;
  }

  /**
   * The rows of runs in the recent packs (those whose pack `wanted` accepts)
   * that the run list lacks: `listed` gives the ids of the whole run list,
   * read only when a pack holds a run the index head lacks and the head has
   * segments.
   *
   * @throws When the head cannot be read whole: nothing is repaired then.
   */
  async find(
    layout: StoreLayout,
    key: string,
    wanted: (pack: string) => boolean,
    listed: () => Promise<Set<string>>
  ): Promise<StoreFormat.IndexRow[]> {
    const blocks: Block[] = [];
    for (const read of await this._recent(layout, key, wanted)) {
      blocks.push(...read.blocks);
    }
    if (blocks.length === 0) {
      return [];
    }
    const known = await this._head(layout.indexFile(key));
    let missing = blocks.filter(item => !known.ids.has(item.block.run));
    if (missing.length > 0 && known.sealed) {
      const ids = await listed();
      missing = missing.filter(item => !ids.has(item.block.run));
    }
    const found = new Map<string, Block[]>();
    for (const item of missing) {
      found.set(item.block.run, [...(found.get(item.block.run) ?? []), item]);
    }
    return [...found.values()].map(items => rowFromBlocks(items));
  }

  /**
   * The highest kernel event `seq` of `session` in the recent packs that
   * `wanted` accepts, read from the server now (not from a listing kept for
   * a while): what other pages stored of the session even when their index
   * write has not landed yet. `sessionOf` names the session of a run whose
   * blocks here do not say it.
   */
  async sessionSeq(
    layout: StoreLayout,
    key: string,
    wanted: (pack: string) => boolean,
    session: string,
    sessionOf: (run: string) => string | null
  ): Promise<number> {
    let seq = 0;
    for (const read of await this._recent(layout, key, wanted, true)) {
      for (const entry of read.sessions) {
        if (entry.id === session) {
          seq = Math.max(seq, entry.seq);
        }
      }
      for (const { block } of read.blocks) {
        if ((block.session ?? sessionOf(block.run)) === session) {
          seq = Math.max(seq, block.seq);
        }
      }
    }
    return seq;
  }

  /**
   * The most recently written packs that `wanted` accepts, each version
   * read once per page.
   */
  private async _recent(
    layout: StoreLayout,
    key: string,
    wanted: (pack: string) => boolean,
    fresh = false
  ): Promise<PackRead[]> {
    const folder = layout.packsFolder(key);
    const packs = [...(await this._options.packs(folder, fresh))]
      .filter(([file]) => file.endsWith(SUFFIX))
      .map(
        ([file, modified]) => [file.slice(0, -SUFFIX.length), modified] as const
      )
      .filter(([name]) => wanted(name))
      .sort((a, b) => b[1] - a[1])
      .slice(0, RECENT_PACKS);
    const reads: PackRead[] = [];
    for (const [name, modified] of packs) {
      const path = layout.packFile(key, name);
      const cacheKey = `${path}\n${modified}`;
      let read = this._seen.get(cacheKey);
      if (!read) {
        read = await this._read(path, name);
        this._seen.set(cacheKey, read);
      }
      reads.push(read);
    }
    return reads;
  }

  /**
   * The ids of the runs the index head names (a row that cannot be read
   * still names its run, which is then never rewritten), and whether it has
   * segments.
   */
  private async _head(
    path: string
  ): Promise<{ ids: Set<string>; sealed: boolean }> {
    const head = readIndexText(
      await this._options.read(path),
      this._options.trans
    );
    if (head === null || typeof head === 'string') {
      // Unreadable, or of another version: nothing to repair.
      throw new Error(`${path} cannot be read`);
    }
    const ids = new Set(head.file.runs.map(row => row.id));
    for (const row of head.unreadable) {
      const id = (row as { id?: unknown } | null)?.id;
      if (typeof id === 'string') {
        ids.add(id);
      }
    }
    return { ids, sealed: head.file.segments.length > 0 };
  }

  private async _read(path: string, name: string): Promise<PackRead> {
    const { read, trans } = this._options;
    const parsed = await readStoreFile('pack', path, read, trans).catch(
      () => null
    );
    if (!parsed?.ok || parsed.value.pack !== name) {
      return { blocks: [], sessions: [] };
    }
    const pack = parsed.value;
    const blocks: Block[] = [];
    pack.runs.forEach((raw, index) => {
      const checked = checkRunBlock(
        raw,
        `runs[${index}]`,
        pack.blobs.length,
        trans
      );
      if (checked.ok) {
        blocks.push({ block: checked.value, pack: name });
      }
    });
    return { blocks, sessions: pack.sessions };
  }

  private readonly _options: OrphanFinder.IOptions;
  private readonly _seen = new Map<string, PackRead>();
}

export namespace OrphanFinder {
  export interface IOptions {
    /**
     * The files of a folder, with when each was last modified; asked of the
     * server when `fresh`.
     */
    packs: (folder: string, fresh?: boolean) => Promise<Map<string, number>>;
    read: (path: string) => Promise<string | null>;
    trans: TranslationBundle;
  }
}
