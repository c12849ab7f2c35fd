import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { cspMetaPlugin, previewCspHeader } from './csp.config.ts';
import { serviceWorkerPlugin } from './offline.config.ts';

// Cross-origin isolation (COOP/COEP) makes SharedArrayBuffer available, which the WASM backend needs for
// its threaded build. Served both by the dev server and by `vite preview` (what `npm start` runs).
const isolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  plugins: [react(), cspMetaPlugin(), serviceWorkerPlugin()],
  server: { headers: isolation },
  // The built app is served with its Content-Security-Policy (csp.config.ts): the header also binds the
  // workers, which a <meta> policy does not reach. The dev server goes without (HMR needs inline scripts).
  preview: { headers: { ...isolation, 'Content-Security-Policy': previewCspHeader } },
  // The worker bundle is not minified: tfjs-backend-wasm starts its pthreads from the *source text* of its
  // Emscripten factory (Function.prototype.toString), and minified identifiers there no longer resolve
  // inside the thread's blob ("e is not defined"), which kills the threaded WASM backend.
  worker: { format: 'es', rolldownOptions: { output: { minify: false } } },
  build: { target: 'es2022', chunkSizeWarningLimit: 4000 },
  optimizeDeps: { exclude: ['@tensorflow/tfjs-backend-wasm'] },
});
