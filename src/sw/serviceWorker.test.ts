import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { transformSync } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { serviceWorkerPlugin } from '../../offline.config';

/*
 * Issue 12: a new build replaces the offline cache. The build plugin (offline.config.ts) versions sw.js by
 * the contents of what it caches; the service worker's activate step deletes every older cache of the app.
 */

type Bundle = Record<string, { type: 'chunk'; code: string } | { type: 'asset'; source: string | Uint8Array }>;

const swSource = transformSync(readFileSync(path.resolve(import.meta.dirname, 'serviceWorker.ts'), 'utf8'), { loader: 'ts', format: 'esm' }).code.replace(
  /^export \{\s*\};?$/m,
  '',
);

/** Runs the plugin's bundle step over `assets` (public/ holding `publicFiles`) and returns the sw.js it writes. */
function buildSw(assets: Record<string, string>, publicFiles: Record<string, string>): string {
  const publicDir = mkdtempSync(path.join(tmpdir(), 'sw-public-'));
  try {
    for (const [name, text] of Object.entries(publicFiles)) writeFileSync(path.join(publicDir, name), text);
    const plugin = serviceWorkerPlugin() as unknown as {
      configResolved(config: { publicDir: string; root: string }): void;
      generateBundle: { handler(options: unknown, bundle: Bundle): void };
    };
    plugin.configResolved({ publicDir, root: process.cwd() });
    const bundle: Bundle = { 'sw.js': { type: 'chunk', code: swSource } };
    for (const [name, source] of Object.entries(assets)) bundle[name] = { type: 'asset', source };
    plugin.generateBundle.handler({}, bundle);
    return (bundle['sw.js'] as { code: string }).code;
  } finally {
    rmSync(publicDir, { recursive: true, force: true });
  }
}

const versionOf = (sw: string): string => /const BUILD_VERSION = "([0-9a-f]+)"/.exec(sw)?.[1] ?? '';

/** Runs sw.js's activate handler against caches named `existing`; returns the names left. */
async function activate(sw: string, existing: string[]): Promise<string[]> {
  const names = new Set(existing);
  const listeners = new Map<string, (event: { waitUntil(p: Promise<unknown>): void }) => void>();
  const self = {
    registration: { scope: 'https://app.example/' },
    addEventListener: (type: string, listener: (event: { waitUntil(p: Promise<unknown>): void }) => void) => listeners.set(type, listener),
    clients: { claim: async () => undefined },
    skipWaiting: async () => undefined,
  };
  const caches = {
    keys: async () => [...names],
    delete: async (name: string) => names.delete(name),
  };
  new Function('self', 'caches', sw)(self, caches);
  let done: Promise<unknown> = Promise.resolve();
  listeners.get('activate')?.({ waitUntil: (p) => (done = p) });
  await done;
  return [...names].sort();
}

describe('the service worker of a new build', () => {
  const assets = { 'assets/index-abc.js': 'console.log(1)', 'assets/worker.wasm': 'wasm' };
  const publicFiles = { 'model.json': '{"a":1}' };

  it('has a new version when any cached file changes, and the same one when nothing does', () => {
    const v1 = versionOf(buildSw(assets, publicFiles));
    expect(v1).toMatch(/^[0-9a-f]{16}$/);
    expect(versionOf(buildSw(assets, publicFiles))).toBe(v1);
    expect(versionOf(buildSw({ ...assets, 'assets/worker.wasm': 'wasm2' }, publicFiles))).not.toBe(v1);
    expect(versionOf(buildSw(assets, { 'model.json': '{"a":2}' }))).not.toBe(v1);
  });

  it('deletes the caches of older builds on activate and keeps its own and other apps\u2019', async () => {
    const sw = buildSw(assets, publicFiles);
    const current = `unet-studio-${versionOf(sw)}`;
    const left = await activate(sw, ['unet-studio-0123456789abcdef', 'unet-studio-old', current, 'someone-else']);
    expect(left).toEqual([current, 'someone-else'].sort());
  });
});
