import { useStudio } from '../../state/store';
import { formatBytes } from '../formatBytes';


/** The chosen backend and device, always visible: users must know whether their GPU is used. */
export function BackendBadge() {
  const status = useStudio((s) => s.backendStatus);
  const stage = useStudio((s) => s.backendStage);
  const info = useStudio((s) => s.backendInfo);
  if (status !== 'ready' || !info) {
    return (
      <div className="badge badge-pending" data-testid="backend-status" data-status={status}>
        <span className="spinner" aria-hidden="true" />
        {status === 'error' ? 'no backend' : stage || 'starting…'}
      </div>
    );
  }
  const gpu = info.gpu;
  const accelerated = info.backend === 'webgpu' && gpu && !gpu.isFallbackAdapter;
  return (
    <div
      className={`badge ${accelerated ? 'badge-gpu' : 'badge-cpu'}`}
      data-testid="backend-status"
      data-status={status}
      title={info.reason}
    >
      <span className="badge-dot" aria-hidden="true" />
      <span data-testid="backend-name">{info.backend}</span>
      {gpu && info.backend === 'webgpu' && (
        <span className="badge-detail">
          <span data-testid="backend-vendor">{gpu.vendor || 'unknown'}</span> ·{' '}
          <span data-testid="backend-arch">{gpu.architecture || 'unknown'}</span>
          {' · '}
          <span data-testid="backend-fallback">fallback={String(gpu.isFallbackAdapter)}</span>
          {' · '}
          {formatBytes(gpu.deviceMaxStorageBufferBindingSize)} binding
        </span>
      )}
      {info.wasm && (
        <span className="badge-detail">
          {info.wasm.simd ? 'SIMD' : 'no SIMD'} ·{' '}
          <span data-testid="backend-threads" data-threads={info.wasm.threads} data-isolated={String(info.crossOriginIsolated)}>
            {info.wasm.threads} thread{info.wasm.threads === 1 ? '' : 's'}
          </span>
        </span>
      )}
    </div>
  );
}
