import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Plugin } from 'vite';

/*
 * Builds the service worker (src/sw/serviceWorker.ts) as dist/sw.js and prepends the list of files it
 * caches (the shell, every emitted file, everything in public/) and a version: a hash of the contents of
 * all of them, so any change makes a new sw.js, which the browser then installs.
 */

const source = 'src/sw/serviceWorker.ts';
const fileName = 'sw.js';

function listFiles(root: string, dir = root): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? listFiles(root, full) : [path.relative(root, full).split(path.sep).join('/')];
  });
}

export function serviceWorkerPlugin(): Plugin {
  let publicDir = '';
  let entry = '';
  return {
    name: 'unet-studio-service-worker',
    apply: 'build',
    configResolved(config) {
      publicDir = config.publicDir;
      entry = path.resolve(config.root, source);
    },
    buildStart() {
      this.emitFile({ type: 'chunk', id: entry, fileName });
    },
    generateBundle: {
      order: 'post',
      handler(_options, bundle) {
        const sw = bundle[fileName];
        if (!sw || sw.type !== 'chunk') return;
        const publicFiles = publicDir ? listFiles(publicDir) : [];
        const emitted = Object.keys(bundle).filter((f) => f !== fileName);
        const hash = createHash('sha256');
        for (const f of [...emitted].sort()) {
          const item = bundle[f];
          hash.update(f).update(item.type === 'chunk' ? item.code : item.source);
        }
        for (const f of [...publicFiles].sort()) hash.update(f).update(readFileSync(path.join(publicDir, f)));
        // onnxruntime-web's runtimes (WASM ~14 MB, the WebGPU asyncify build ~27 MB) serve only engines the
        // user picks in the settings (tfjs is the default), so they are cached when first used, not at install.
        const onDemand = emitted.filter((f) => path.basename(f).startsWith('ort-wasm-simd-threaded'));
        const files = ['./', ...emitted.filter((f) => !onDemand.includes(f)), ...publicFiles];
        const version = hash.digest('hex').slice(0, 16);
        sw.code = `const BUILD_VERSION = ${JSON.stringify(version)};\nconst BUILD_FILES = ${JSON.stringify(files)};\nconst BUILD_ON_DEMAND = ${JSON.stringify(onDemand)};\n${sw.code}`;
      },
    },
  };
}
