import { capturePlugin } from './capture/plugin';
import { comparePlugin } from './compare/plugin';
import { detailPlugin } from './detail/plugin';
import { historyPlugin } from './history/plugin';
import { provenancePlugin } from './provenance/plugin';
import { reproducePlugin } from './reproduce/plugin';
import { restorePlugin } from './restore/plugin';
import { trackingPlugin } from './settings/plugin';
import { snapshotPlugin } from './snapshot/plugin';
import { spoolPlugin } from './spool/plugin';
import { storeHealthPlugin, storePlugin } from './store/plugin';

export default [
  trackingPlugin,
  storePlugin,
  storeHealthPlugin,
  capturePlugin,
  historyPlugin,
  spoolPlugin,
  detailPlugin,
  comparePlugin,
  reproducePlugin,
  provenancePlugin,
  restorePlugin,
  snapshotPlugin
];
