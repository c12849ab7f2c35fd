import { useEffect } from 'react';
import { backendFromUrl } from '../state/backendSlice';
import { useStudio } from '../state/store';
import { Header } from './components/Header';
import { StatusBar } from './components/StatusBar';
import { Toasts } from './components/Toasts';
import { Workspace } from './components/Workspace';

export function App() {
  const startBackend = useStudio((s) => s.startBackend);
  useEffect(() => {
    void startBackend(backendFromUrl(window.location.search));
  }, [startBackend]);
  return (
    <div className="app">
      <Header />
      <Workspace />
      <StatusBar />
      <Toasts />
    </div>
  );
}
