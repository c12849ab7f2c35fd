import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import './styles.css';

const root = document.getElementById('root');
if (!root) throw new Error('index.html lacks #root');
// The built app keeps itself for offline use (src/sw/serviceWorker.ts); the dev server must stay live.
if (import.meta.env.PROD && 'serviceWorker' in navigator) {
  navigator.serviceWorker.register(`${import.meta.env.BASE_URL}sw.js`, { type: 'module' }).catch((e: unknown) => console.warn('No offline copy:', e));
}

createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
