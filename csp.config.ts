import type { Plugin } from 'vite';

/*
 * The Content-Security-Policy of the built app. Nothing leaves the machine and nothing but the app's own
 * files runs: every source below is 'self' or a URL the page made itself (blob:, data:), and the one kind
 * of code generation allowed is compiling WebAssembly.
 */

const directives: readonly (readonly [string, ...string[]])[] = [
  ['default-src', "'self'"],
  // 'wasm-unsafe-eval' compiles the tfjs WASM binaries (and nothing else: eval and new Function stay
  // blocked). blob: is for the threaded WASM backend: each pthread worker runs importScripts() on a blob
  // that tfjs-backend-wasm builds from the source text of its Emscripten factory.
  ['script-src', "'self'", "'wasm-unsafe-eval'", 'blob:'],
  // The model and image workers are the app's own files; the pthread workers start from a blob: URL.
  ['worker-src', "'self'", 'blob:'],
  // The models, the WASM binaries; blob:/data: for files the page itself made. No other origin.
  ['connect-src', "'self'", 'blob:', 'data:'],
  // Thumbnails are blob: URLs; the favicon is a data: URL.
  ['img-src', "'self'", 'blob:', 'data:'],
  // React and uPlot set styles through the CSSOM (element.style), which no style-src restricts.
  ['style-src', "'self'"],
  ['object-src', "'none'"],
  ['base-uri', "'none'"],
  ['form-action', "'none'"],
];

/** The policy as one header value. */
export const contentSecurityPolicy = directives.map((d) => d.join(' ')).join('; ');

/** Where `vite preview` asks the browser to report violations; the e2e guard answers there (a <meta> policy cannot report). */
export const cspReportPath = '/__csp-report';

/** The header `vite preview` sends: the policy, reporting to cspReportPath, so violations inside workers surface too. */
export const previewCspHeader = `${contentSecurityPolicy}; report-uri ${cspReportPath}`;

/**
 * Puts the policy into the built index.html as a <meta http-equiv>, so it holds on any static host too.
 * Build only: the dev server injects inline scripts (HMR, React refresh) that this policy would block.
 * A <meta> policy binds the document and the blob: workers it makes, not workers loaded from a URL; those
 * get the policy from the response header (vite preview sends it; a static host should too).
 */
export function cspMetaPlugin(): Plugin {
  return {
    name: 'unet-studio-csp-meta',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler: () => [
        { tag: 'meta', attrs: { 'http-equiv': 'Content-Security-Policy', content: contentSecurityPolicy }, injectTo: 'head-prepend' },
      ],
    },
  };
}
