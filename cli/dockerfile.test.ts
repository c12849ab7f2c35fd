/**
 * The container of the command-line tools (Dockerfile), checked without Docker: everything it COPYs exists
 * and is not excluded by .dockerignore; every file the tools import (followed from cli/segment.ts and
 * cli/evaluate.ts, and the worker threads' entry) lies in what it copies; every package they import is a
 * runtime dependency or one of theirs (what npm ci --omit=dev installs) or tsx, installed at the lock file's version; the command it runs
 * exists; and its Node satisfies package.json's engines.
 */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '..');
const dockerfile = readFileSync(path.join(root, 'Dockerfile'), 'utf8');
const ignored = readFileSync(path.join(root, '.dockerignore'), 'utf8')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l !== '' && !l.startsWith('#'));
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; engines: { node: string } };
const lock = JSON.parse(readFileSync(path.join(root, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version: string; dev?: boolean }> };

/** Dockerfile instructions, continuation lines joined. */
const instructions = dockerfile
  .replace(/\\\n/g, ' ')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l !== '' && !l.startsWith('#'))
  .map((l) => {
    const [op, ...rest] = l.split(/\s+/);
    return { op: op.toUpperCase(), args: rest };
  });

const copies = instructions.filter((i) => i.op === 'COPY').map((i) => ({ sources: i.args.slice(0, -1), target: i.args[i.args.length - 1] }));
const copiedPaths = copies.flatMap((c) => c.sources);

/** Whether .dockerignore excludes a repository path (the patterns used there: names, dirs, **\/ globs). */
function isIgnored(rel: string): boolean {
  return ignored.some((pattern) => {
    const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*\*\//g, '\0').replace(/\*/g, '[^/]*').replace(/\0/g, '(?:.*/)?')}(?:/.*)?$`);
    return re.test(rel);
  });
}

const inImage = (rel: string) => copiedPaths.some((src) => rel === src || rel.startsWith(`${src.replace(/\/$/, '')}/`)) && !isIgnored(rel);

/** Relative imports of a TypeScript/JS file, resolved to repository paths; bare package names apart. */
function imports(rel: string): { files: string[]; packages: string[] } {
  const text = readFileSync(path.join(root, rel), 'utf8');
  const specs = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+'([^']+)'|import\(\s*'([^']+)'\s*\)|new URL\('(\.[^']+)', import\.meta\.url\)/g)].map((m) => m[1] ?? m[2] ?? m[3]);
  const files: string[] = [];
  const packages: string[] = [];
  for (const spec of specs) {
    if (spec.startsWith('node:')) continue;
    if (spec.startsWith('.')) {
      const base = path.join(path.dirname(rel), spec).replace(/\.js$/, '');
      const found = [`${base}.ts`, base, `${base}/index.ts`].find((f) => existsSync(path.join(root, f)) && !f.endsWith('/'));
      if (!found) throw new Error(`${rel} imports ${spec}, which does not resolve`);
      files.push(found.split(path.sep).join('/'));
    } else packages.push(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]);
  }
  return { files, packages };
}

describe('Dockerfile', () => {
  it('copies only paths that exist and that .dockerignore lets through', () => {
    expect(copiedPaths.length).toBeGreaterThan(0);
    for (const src of copiedPaths) {
      expect(existsSync(path.join(root, src)), src).toBe(true);
      expect(isIgnored(src), `${src} is excluded by .dockerignore`).toBe(false);
    }
    expect(isIgnored('node_modules')).toBe(true);
    expect(isIgnored('src/model/unet.test.ts')).toBe(true);
  });

  it('holds every file the tools import, and they import only runtime dependencies (and tsx)', () => {
    const seen = new Set<string>();
    const packages = new Set<string>();
    const queue = ['cli/segment.ts', 'cli/evaluate.ts'];
    while (queue.length > 0) {
      const file = queue.pop() as string;
      if (seen.has(file)) continue;
      seen.add(file);
      const found = imports(file);
      found.packages.forEach((p) => packages.add(p));
      queue.push(...found.files.filter((f) => /\.(ts|mjs)$/.test(f)));
    }
    expect(seen).toContain('cli/engineWorker.ts');
    expect(seen).toContain('cli/workerBoot.mjs');
    for (const file of seen) expect(inImage(file), `${file} is not in the image`).toBe(true);
    for (const name of packages) {
      if (name === 'tsx') continue;
      // A runtime dependency, or one of theirs (e.g. @tensorflow/tfjs-layers of @tensorflow/tfjs): not dev-only in the lock.
      const locked = lock.packages[`node_modules/${name}`];
      expect(locked && !locked.dev, `${name} is not installed by npm ci --omit=dev`).toBe(true);
    }
    expect(packages).toContain('tsx');
  });

  it('installs tsx at the lock file version and runs a tool that exists', () => {
    const run = instructions.filter((i) => i.op === 'RUN').map((i) => i.args.join(' ')).join(' && ');
    expect(run).toContain('npm ci --omit=dev');
    expect(run).toContain(`tsx@${lock.packages['node_modules/tsx'].version}`);
    const entry = JSON.parse(instructions.find((i) => i.op === 'ENTRYPOINT')?.args.join(' ') ?? '[]') as string[];
    const cmd = JSON.parse(instructions.find((i) => i.op === 'CMD')?.args.join(' ') ?? '[]') as string[];
    expect(entry).toEqual(['node', '--import', 'tsx']);
    expect(existsSync(path.join(root, cmd[0]))).toBe(true);
    expect(inImage(cmd[0])).toBe(true);
    for (const model of ['public/models/nuclei', 'public/models/em-membranes']) expect(inImage(`${model}/model.json`)).toBe(true);
  });

  it('uses a Node that package.json allows', () => {
    const from = instructions.find((i) => i.op === 'FROM')?.args[0] ?? '';
    const major = Number(/^node:(\d+)/.exec(from)?.[1]);
    const min = Number(/>=\s*(\d+)/.exec(pkg.engines.node)?.[1]);
    expect(major).toBeGreaterThanOrEqual(min);
  });
});
