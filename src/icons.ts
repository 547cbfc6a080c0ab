import { LabIcon } from '@jupyterlab/ui-components';

import runsSvgstr from '../style/icons/runs.svg';

/**
 * The Runs icon, used by the sidebar tab and the Settings Editor.
 */
export const runsIcon = new LabIcon({
  name: 'jupyterlab-runs:runs',
  svgstr: runsSvgstr
});
