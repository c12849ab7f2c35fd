import { useEffect, useRef, useState } from 'react';
import { useStudio } from '../../state/store';
import { engineToUrl } from '../../state/engineSetting';
import type { BackendPreference, InferenceEnginePreference } from '../../worker/protocol';

const choices: { value: BackendPreference; label: string }[] = [
  { value: 'auto', label: 'Automatic (fastest available)' },
  { value: 'webgpu', label: 'WebGPU' },
  { value: 'webgl', label: 'WebGL' },
  { value: 'wasm', label: 'WASM (SIMD)' },
  { value: 'cpu', label: 'CPU (plain JavaScript)' },
];

const engines: { value: InferenceEnginePreference; label: string }[] = [
  { value: 'auto', label: 'Automatic (measured: tfjs; onnxruntime-web was not faster)' },
  { value: 'tfjs', label: 'tfjs (the backend above)' },
  { value: 'ort-wasm', label: 'onnxruntime-web, WASM' },
  { value: 'ort-webgpu', label: 'onnxruntime-web, WebGPU' },
];

/** Backend override and diagnostics. The choice goes into the URL so a reload keeps it. */
export function SettingsMenu() {
  const [open, setOpen] = useState(false);
  const panel = useRef<HTMLDivElement>(null);
  const info = useStudio((s) => s.backendInfo);
  const status = useStudio((s) => s.backendStatus);
  const startBackend = useStudio((s) => s.startBackend);
  const selfTest = useStudio((s) => s.selfTest);
  const benchmark = useStudio((s) => s.benchmark);
  const progress = useStudio((s) => s.benchmarkProgress);
  const runSelfTest = useStudio((s) => s.runSelfTest);
  const runBenchmark = useStudio((s) => s.runBenchmark);
  const notify = useStudio((s) => s.notify);
  const [busy, setBusy] = useState<'conv' | 'model' | 'benchmark' | null>(null);
  const modelReady = useStudio((s) => s.modelStatus === 'ready');
  const engine = useStudio((s) => s.segmentOptions.engine ?? 'auto');
  const lastEngine = useStudio((s) => s.lastEngine);
  const setSegmentOptions = useStudio((s) => s.setSegmentOptions);

  useEffect(() => {
    if (!open) return;
    const close = (e: MouseEvent) => {
      if (panel.current && !panel.current.contains(e.target as Node)) setOpen(false);
    };
    window.addEventListener('mousedown', close);
    return () => window.removeEventListener('mousedown', close);
  }, [open]);

  const choose = (value: BackendPreference) => {
    const url = new URL(window.location.href);
    if (value === 'auto') url.searchParams.delete('backend');
    else url.searchParams.set('backend', value);
    window.history.replaceState(null, '', url);
    void startBackend(value);
  };

  const run = async (what: 'conv' | 'model' | 'benchmark') => {
    setBusy(what);
    try {
      if (what === 'benchmark') await runBenchmark(3000);
      else await runSelfTest(what);
    } catch (error) {
      notify('error', `${what === 'benchmark' ? 'Benchmark' : 'Backend check'} failed: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      setBusy(null);
    }
  };

  return (
    <div className="settings" ref={panel}>
      <button className="icon-button" aria-label="Settings" aria-expanded={open} onClick={() => setOpen(!open)} data-testid="settings-button">
        <svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true">
          <path fill="currentColor" d="M12 8a4 4 0 1 0 0 8 4 4 0 0 0 0-8Zm9 4-2.1-.7a7 7 0 0 0-.6-1.5l1-2-1.6-1.6-2 1a7 7 0 0 0-1.5-.6L13.5 3h-3l-.7 2.1a7 7 0 0 0-1.5.6l-2-1L4.7 6.3l1 2a7 7 0 0 0-.6 1.5L3 10.5v3l2.1.7c.1.5.3 1 .6 1.5l-1 2 1.6 1.6 2-1c.5.3 1 .5 1.5.6l.7 2.1h3l.7-2.1c.5-.1 1-.3 1.5-.6l2 1 1.6-1.6-1-2c.3-.5.5-1 .6-1.5l2.1-.7Z" />
        </svg>
      </button>
      {open && (
        <div className="menu" role="dialog" aria-label="Settings">
          <h3>Compute backend</h3>
          <label className="field">
            <span>Run the model on</span>
            <select
              data-testid="backend-select"
              value={info?.requested ?? 'auto'}
              disabled={status === 'starting'}
              onChange={(e) => choose(e.target.value as BackendPreference)}
            >
              {choices.map((c) => (
                <option key={c.value} value={c.value}>
                  {c.label}
                </option>
              ))}
            </select>
          </label>
          {info && (
            <p className="muted small" data-testid="backend-reason-menu">
              {info.reason}
            </p>
          )}
          {info && info.probes.length > 0 && (
            <table className="probe-table">
              <tbody>
                {info.probes.map((p) => (
                  <tr key={p.backend}>
                    <td>{p.backend}</td>
                    <td>{p.ms === null ? `unavailable (${p.error ?? ''})` : `${p.ms.toFixed(1)} ms / probe conv`}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <label className="field">
            <span>Segment with</span>
            <select
              data-testid="engine-select"
              value={engine}
              onChange={(e) => {
                const value = e.target.value as InferenceEnginePreference;
                engineToUrl(value);
                setSegmentOptions({ engine: value });
              }}
            >
              {engines.map((c) => (
                <option key={c.value} value={c.value}>
                  {c.label}
                </option>
              ))}
            </select>
          </label>
          {lastEngine && (
            <p className="muted small" data-testid="engine-reason" data-engine={lastEngine.engine}>
              Last segmentation: {lastEngine.reason}
            </p>
          )}
          <h3>Diagnostics</h3>
          <div className="row">
            <button onClick={() => void run('conv')} disabled={status !== 'ready' || busy !== null} data-testid="selftest-button">
              Check conv vs CPU
            </button>
            <button onClick={() => void run('model')} disabled={status !== 'ready' || !modelReady || busy !== null} data-testid="selftest-model-button">
              Check model vs CPU
            </button>
            <button onClick={() => void run('benchmark')} disabled={status !== 'ready' || busy !== null} data-testid="benchmark-button">
              Measure speed (3 s)
            </button>
          </div>
          {busy === 'benchmark' && <progress value={progress} max={1} />}
          {selfTest && (
            <p className="small" data-testid="selftest-result" data-maxdiff={selfTest.maxAbsDiff} data-sum={selfTest.outputSum}>
              {selfTest.target === 'model' ? 'model on' : 'conv2d on'} {selfTest.backend} vs CPU: max |Δ| = {selfTest.maxAbsDiff.toExponential(2)} ({selfTest.ms.toFixed(0)} ms)
              {selfTest.perOp && (
                <span className="op-diffs" data-testid="selftest-ops">
                  {Object.entries(selfTest.perOp)
                    .map(([op, d]) => `${op} ${d.toExponential(1)}`)
                    .join(' · ')}
                </span>
              )}
            </p>
          )}
          {benchmark && (
            <p className="small" data-testid="benchmark-result" data-iterations={benchmark.iterations}>
              {benchmark.backend}: {benchmark.gflops.toFixed(2)} GFLOP/s ({benchmark.iterations} convs in {(benchmark.ms / 1000).toFixed(1)} s)
            </p>
          )}
        </div>
      )}
    </div>
  );
}
