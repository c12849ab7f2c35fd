// One lint for the whole tree. The per-folder no-restricted-imports blocks enforce the layer rule of
// DEVELOPERS.md: image <- model <- worker <- state <- app, each importing only downward.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

const tfjs = ['@tensorflow/*', '@tensorflow/**'];
// The ONNX runtimes live in the worker (onnxruntime-web) and the CLIs (onnxruntime-node), like tfjs.
const ort = ['onnxruntime-web', 'onnxruntime-web/*', 'onnxruntime-node', 'onnxruntime-common'];
const layer = (name) => [`**/${name}/*`, `**/${name}`, `../${name}/*`, `../../${name}/*`];
// Node tools and tests sit beside src, never under it: nothing in src imports them.
const tools = [...layer('cli'), ...layer('bench'), ...layer('e2e')];
// Of the worker layer, the UI side may see only the clients and the message types.
const workerInternals = [
  '**/worker/*',
  '!**/worker/client',
  '!**/worker/protocol',
  '!**/worker/decodeClient',
  '!**/worker/decodeProtocol',
];

const restrict = (patterns, message) => ({
  'no-restricted-imports': ['error', { patterns: [{ group: patterns, message }] }],
});

export default tseslint.config(
  { ignores: ['dist', 'node_modules', 'test-results', 'playwright-report', 'public', 'bench/out', 'runs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        { selector: 'ExportDefaultDeclaration', message: 'No default exports (house style).' },
      ],
    },
  },
  {
    files: ['*.config.ts', '*.config.js'],
    rules: { 'no-restricted-syntax': 'off' },
  },
  {
    files: ['src/image/**'],
    rules: restrict(
      [...tfjs, ...ort, 'react', 'react-dom', 'zustand', ...layer('model'), ...layer('worker'), ...layer('state'), ...layer('app'), ...tools],
      'src/image is the bottom layer: no tfjs, no React, nothing above it.',
    ),
  },
  {
    files: ['src/model/**'],
    rules: restrict(
      ['react', 'react-dom', 'zustand', ...layer('worker'), ...layer('state'), ...layer('app'), ...tools],
      'src/model may import only src/image and tfjs.',
    ),
  },
  {
    files: ['src/worker/**'],
    rules: restrict(
      ['react', 'react-dom', 'zustand', ...layer('state'), ...layer('app'), ...tools],
      'src/worker may import only model, image and tfjs.',
    ),
  },
  {
    files: ['src/state/**'],
    rules: restrict(
      [...tfjs, ...ort, ...layer('model'), ...layer('app'), ...tools, ...workerInternals],
      'src/state reaches the workers only through their clients and protocols (worker/client, worker/protocol, worker/decodeClient, worker/decodeProtocol); never tfjs or model.',
    ),
  },
  {
    files: ['src/app/**'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      ...restrict(
        [...tfjs, ...ort, ...layer('model'), ...tools, ...workerInternals],
        'src/app never imports tfjs, model or worker internals: go through src/state (worker protocol types are allowed).',
      ),
    },
  },
  {
    // Every e2e test runs under the guard (CSP violations, requests to other origins fail it).
    files: ['e2e/**/*.spec.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [{ name: '@playwright/test', importNames: ['test', 'expect'], message: "Import test and expect from './guard'." }] },
      ],
    },
  },
  {
    files: ['cli/**', 'bench/**'],
    rules: restrict([...layer('state'), ...layer('app'), ...layer('worker')], 'Node tools use model and image, never worker, state or app.'),
  },
);
