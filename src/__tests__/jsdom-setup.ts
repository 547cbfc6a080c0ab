// jsdom has no Clipboard API, and @jupyterlab/apputils warns about it when it
// is imported. No test here uses the clipboard: an inert stand-in is enough.
const clipboard: Pick<Clipboard, 'readText' | 'writeText'> = {
  readText: async () => '',
  writeText: async () => undefined
};
Object.defineProperty(navigator, 'clipboard', {
  value: clipboard,
  configurable: true
});
