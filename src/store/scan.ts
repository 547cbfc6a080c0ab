import type { TranslationBundle } from '@jupyterlab/translation';

import type { BlobAddress } from './codec';
import type { StoreFormat } from './format';
import { checkRunBlock } from './format';
import { canonicalJSON, sha256Hex } from './hash';

/**
 * What a page finds in a notebook's packs before it writes its own.
 */
export type PackScan = {
  /**
   * Where each blob is, by the digest of its canonical JSON: a blob found
   * here is referred to, not stored again.
   */
  readonly blobs: Map<string, BlobAddress>;
  /**
   * The blocks of each run: a page that died after writing its pack but
   * before the index left more here than the index says.
   */
  readonly runs: Map<
    string,
    { readonly block: StoreFormat.RunBlock; readonly pack: string }[]
  >;
  /** The highest kernel event `seq` of each session. */
  readonly sessions: Map<string, number>;
};

/**
 * Scan packs: blobs by digest (the first pack listing a blob wins), valid
 * run blocks by run, and the highest `seq` of each session.
 */
export async function scanPacks(
  packs: readonly StoreFormat.PackFile[],
  trans: TranslationBundle
): Promise<PackScan> {
  const scan: PackScan = {
    blobs: new Map(),
    runs: new Map(),
    sessions: new Map()
  };
  for (const pack of packs) {
    for (const [index, blob] of pack.blobs.entries()) {
      const digest = await digestOf(blob);
      if (!scan.blobs.has(digest)) {
        scan.blobs.set(digest, { pack: pack.pack, index });
      }
    }
    for (const session of pack.sessions) {
      noteSeq(scan.sessions, session.id, session.seq);
    }
    pack.runs.forEach((raw, index) => {
      const checked = checkRunBlock(
        raw,
        `runs[${index}]`,
        pack.blobs.length,
        trans
      );
      if (checked.ok) {
        const blocks = scan.runs.get(checked.value.run) ?? [];
        blocks.push({ block: checked.value, pack: pack.pack });
        scan.runs.set(checked.value.run, blocks);
      }
    });
  }
  for (const blocks of scan.runs.values()) {
    const session = blocks.find(item => item.block.session)?.block.session;
    if (session) {
      blocks.forEach(({ block }) => noteSeq(scan.sessions, session, block.seq));
    }
  }
  return scan;
}

/**
 * The SHA-256 of a blob's canonical JSON: equal content, equal digest.
 */
export function digestOf(data: unknown): Promise<string> {
  return sha256Hex(canonicalJSON(data));
}

/**
 * Keep the highest `seq` of a session.
 */
function noteSeq(
  seqs: Map<string, number>,
  session: string,
  seq: number
): void {
  seqs.set(session, Math.max(seqs.get(session) ?? 0, seq));
}
