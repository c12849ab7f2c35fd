import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import './styles.css';

const root = document.getElementById('root');
if (!root) throw new Error('index.html lacks #root');
// The built app keeps itself for offline use (src/sw/serviceWorker.ts); the dev server must stay live.
// The worker also adds the COOP/COEP headers a static host may not send (threaded WASM needs them): when this
// load was not cross-origin isolated, reload once as soon as the worker controls the page.
if (import.meta.env.PROD && 'serviceWorker' in navigator) {
  navigator.serviceWorker.register(`${import.meta.env.BASE_URL}sw.js`, { type: 'module' }).catch((e: unknown) => console.warn('No offline copy:', e));
  reloadOnceWhenControlled();
}

function reloadOnceWhenControlled(): void {
  const key = 'unet-studio-isolation-reload';
  if (window.crossOriginIsolated || sessionStorage.getItem(key)) return;
  const reload = () => {
    sessionStorage.setItem(key, '1');
    window.location.reload();
  };
  if (navigator.serviceWorker.controller) reload();
  else navigator.serviceWorker.addEventListener('controllerchange', reload, { once: true });
}

createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
