import { beforeEach, describe, expect, it } from 'vitest';
import { useStudio } from './store';

const kinds = () => useStudio.getState().toasts.map((t) => t.kind);

describe('toasts', () => {
  beforeEach(() => useStudio.setState({ toasts: [] }));

  it('info goes after a few seconds, a warning later, an error never by itself', () => {
    const t0 = 1_000_000;
    const { notify, expireToasts } = useStudio.getState();
    notify('info', 'Loaded 1 image.', t0);
    notify('warning', 'Not segmented yet.', t0);
    notify('error', 'Could not open a.tif.', t0);
    expireToasts(t0 + 1000);
    expect(kinds()).toEqual(['info', 'warning', 'error']);
    expireToasts(t0 + 10_000);
    expect(kinds()).toEqual(['warning', 'error']);
    expireToasts(t0 + 60_000);
    expect(kinds()).toEqual(['error']);
    expireToasts(t0 + 3_600_000);
    expect(kinds()).toEqual(['error']);
  });

  it('an error goes only when dismissed', () => {
    useStudio.getState().notify('error', 'Export failed.', 0);
    const [error] = useStudio.getState().toasts;
    useStudio.getState().dismissToast(error.id);
    expect(useStudio.getState().toasts).toEqual([]);
  });

  it('when more than six pile up, passing ones make room before any error', () => {
    const { notify } = useStudio.getState();
    for (let k = 0; k < 3; k++) notify('error', `error ${k}`, 0);
    for (let k = 0; k < 6; k++) notify('info', `info ${k}`, 0);
    const { toasts } = useStudio.getState();
    expect(toasts).toHaveLength(6);
    expect(toasts.filter((t) => t.kind === 'error').map((t) => t.message)).toEqual(['error 0', 'error 1', 'error 2']);
    expect(toasts.filter((t) => t.kind === 'info').map((t) => t.message)).toEqual(['info 3', 'info 4', 'info 5']);
  });

  it('errors are never dropped: past six, the oldest error absorbs the next, one message per line', () => {
    const { notify } = useStudio.getState();
    for (let k = 0; k < 9; k++) notify('error', `error ${k}`, 0);
    const { toasts } = useStudio.getState();
    expect(toasts).toHaveLength(6);
    expect(toasts.map((t) => t.message).join('\n').split('\n')).toEqual(Array.from({ length: 9 }, (_, k) => `error ${k}`));
    expect(toasts[0].message).toBe('error 0\nerror 1\nerror 2\nerror 3');
  });
});
