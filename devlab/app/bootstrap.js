/*
 * Entry point of the devlab JupyterLab host (same job as JupyterLab's
 * dev_mode/bootstrap.js): set the public path, load the prebuilt (federated)
 * extensions listed in the page config, then start the app from index.js.
 *
 * This file must not import anything statically: nothing may touch the
 * shared modules before every extension container has joined the share scope.
 */

// Read the page config by hand: @jupyterlab/coreutils must not load yet.
let configData = null;
function getOption(name) {
  if (configData === null) {
    const el = document.getElementById('jupyter-config-data');
    configData = el ? JSON.parse(el.textContent || '{}') : {};
  }
  return configData[name] || '';
}

// Chunks are served by the server under /static/lab/ (whatever base_url is).
// eslint-disable-next-line no-undef
__webpack_public_path__ = getOption('fullStaticUrl') + '/';

function loadScript(url) {
  return new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.onerror = () => reject(new Error(`Failed to load ${url}`));
    script.onload = resolve;
    script.async = true;
    script.src = url;
    document.head.appendChild(script);
  });
}

// A prebuilt extension's remoteEntry.js defines window._JUPYTERLAB[name], a
// webpack container that must be given the host's share scope before use.
async function loadContainer(url, scope) {
  await loadScript(url);
  // eslint-disable-next-line no-undef
  await __webpack_init_sharing__('default');
  const container = window._JUPYTERLAB[scope];
  // eslint-disable-next-line no-undef
  await container.init(__webpack_share_scopes__.default);
}

void (async function bootstrap() {
  const extensions = getOption('federated_extensions') || [];
  const baseUrl = getOption('fullLabextensionsUrl');
  const results = await Promise.allSettled(
    extensions.map(data =>
      loadContainer(`${baseUrl}/${data.name}/${data.load}`, data.name)
    )
  );
  results.forEach(r => {
    if (r.status === 'rejected') {
      console.error(r.reason);
    }
  });

  // Only now may code that consumes shared modules run.
  const { main } = await import('./index.js');
  // The page body (token scrubbing script) must be complete before start.
  if (document.readyState === 'complete') {
    void main();
  } else {
    window.addEventListener('load', () => void main());
  }
})();
