/**
 * The vega packages declare their types only under `exports`, which the
 * project's `"moduleResolution": "node"` does not read. These declarations
 * point the bare names at the same files; with `"moduleResolution":
 * "bundler"` in tsconfig.json they are not needed.
 */
declare module 'vega-lite' {
  export * from 'vega-lite/build/index';
}
declare module 'vega-embed' {
  export * from 'vega-embed/build/embed';
  export { default } from 'vega-embed/build/embed';
}
declare module 'vega-tooltip' {
  export * from 'vega-tooltip/build/index';
}
