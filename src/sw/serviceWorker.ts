/*
 * The app's service worker (production builds only): it keeps the app shell, every file the build emits,
 * the WASM binaries and the shipped models in one cache, so the app starts and segments offline after its
 * first load. The build (offline.config.ts) prepends BUILD_VERSION, a hash of everything it lists, and
 * BUILD_FILES: a new build is a new sw.js, which installs a new cache and deletes the old ones.
 */

export {};

declare const self: ServiceWorkerGlobalScope;
declare const BUILD_VERSION: string;
declare const BUILD_FILES: readonly string[];
/** Files cached when first used, not at install: onnxruntime-web's WebGPU runtime (~27 MB; an optional engine). */
declare const BUILD_ON_DEMAND: readonly string[];

const prefix = 'unet-studio-';
const cacheName = `${prefix}${BUILD_VERSION}`;
const scoped = (file: string) => new URL(file, self.registration.scope).href;

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(cacheName)
      .then((cache) => cache.addAll(BUILD_FILES.map(scoped)))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith(prefix) && k !== cacheName).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

/**
 * Cross-origin isolation on any static host: the threaded WASM backend needs SharedArrayBuffer, which needs
 * COOP + COEP on the page and its workers. A host that sends no headers still gets them from here (the
 * coi-serviceworker approach); main.tsx reloads once when the first load was not yet isolated.
 */
function isolated(response: Response): Response {
  if (response.status === 0 || response.type === 'opaque') return response;
  const headers = new Headers(response.headers);
  headers.set('Cross-Origin-Opener-Policy', 'same-origin');
  headers.set('Cross-Origin-Embedder-Policy', 'require-corp');
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

/**
 * Cache first: every page of the app is its one shell (the query only picks a backend). ignoreVary: the
 * server varies on Origin, which a module script's request carries and the install's request did not.
 */
async function respond(request: Request): Promise<Response> {
  const cache = await caches.open(cacheName);
  const key = request.mode === 'navigate' ? scoped('./') : request;
  return isolated((await cache.match(key, { ignoreSearch: request.mode === 'navigate', ignoreVary: true })) ?? (await fetch(request)));
}

const onDemand = new Set(BUILD_ON_DEMAND.map(scoped));

/** An on-demand file answered from the network is put into the cache too, so it works offline from then on. */
function keepOnDemand(event: FetchEvent, response: Promise<Response>): Promise<Response> {
  if (!onDemand.has(event.request.url)) return response;
  return response.then((r) => {
    if (r.ok) {
      const copy = r.clone();
      event.waitUntil(
        caches.open(cacheName).then(async (cache) => {
          if (!(await cache.match(event.request, { ignoreVary: true }))) await cache.put(event.request, copy);
        }),
      );
    }
    return r;
  });
}

self.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET' || new URL(request.url).origin !== self.location.origin) return;
  event.respondWith(keepOnDemand(event, respond(request)));
});
