import type { TranslationBundle } from '@jupyterlab/translation';

import type { PendingWrite } from './local';

/**
 * What to tell the user about writes this browser keeps for another server
 * or another store: one sentence per store they belong to.
 */
export function heldWritesText(
  writes: readonly PendingWrite[],
  why: 'server' | 'store',
  trans: TranslationBundle
): string[] {
  const byStore = new Map<string, { write: PendingWrite; count: number }>();
  for (const write of writes) {
    const key = [write.server, write.folder, write.store].join('\n');
    const known = byStore.get(key);
    byStore.set(key, { write, count: (known?.count ?? 0) + 1 });
  }
  return [...byStore.values()].map(({ write, count }) => {
    const [address, root] = (write.server ?? '').split('\n');
    const where = root
      ? trans.__('the Jupyter server at %1 serving %2', address, root)
      : trans.__('the Jupyter server at %1', address || '?');
    const store = write.store ?? trans.__('(no id)');
    return why === 'server'
      ? trans._n(
          'One unsaved run-store write in this browser belongs to the store "%2" (id %3) of %4, not to this server. It is kept, and saved when that server is open in this browser again.',
          '%1 unsaved run-store writes in this browser belong to the store "%2" (id %3) of %4, not to this server. They are kept, and saved when that server is open in this browser again.',
          count,
          write.folder,
          store,
          where
        )
      : trans.__(
          'Unsaved run-store writes in this browser belong to the store with id %1, but the folder "%2" of this server holds another store or none. They are not written here; they are kept, and saved when that store is back.',
          store,
          write.folder
        );
  });
}
