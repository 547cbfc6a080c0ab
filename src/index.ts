import { historyPlugin } from './history/plugin';
import { trackingPlugin } from './settings/plugin';

export default [trackingPlugin, historyPlugin];
