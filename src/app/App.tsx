import { useEffect } from 'react';
import { backendFromUrl } from '../state/backendSlice';
import { useStudio } from '../state/store';
import { DropOverlay } from './components/DropOverlay';
import { Header } from './components/Header';
import { HelpOverlay } from './components/HelpOverlay';
import { StatusBar } from './components/StatusBar';
import { Toasts } from './components/Toasts';
import { Workspace } from './components/Workspace';
import { useClassNamesFromModel } from './hooks/useClassNamesFromModel';
import { useFileDrop } from './hooks/useFileDrop';
import { useInstancesSync } from './hooks/useInstancesSync';
import { usePersistence } from './hooks/usePersistence';
import { useShortcuts } from './hooks/useShortcuts';
import { useUnsavedGuard } from './hooks/useUnsavedGuard';

export function App() {
  const startBackend = useStudio((s) => s.startBackend);
  useEffect(() => {
    void startBackend(backendFromUrl(window.location.search));
  }, [startBackend]);
  useShortcuts();
  useInstancesSync();
  useClassNamesFromModel();
  useUnsavedGuard();
  usePersistence();
  const dragging = useFileDrop();
  return (
    <div className="app">
      <Header />
      <Workspace />
      <StatusBar />
      <Toasts />
      <HelpOverlay />
      {dragging && <DropOverlay />}
    </div>
  );
}
