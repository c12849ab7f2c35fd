import { describe, expect, it } from 'vitest';
import { fitView, focusView, imageBoxToScreen, panBy, screenToImage, stepZoom, visibleImageBox, wheelZoomFactor, zoomAround, zoomLabel, zoomTo, MAX_ZOOM, MIN_ZOOM } from './viewMath';

describe('viewMath', () => {
  it('zooming about a point keeps the image pixel under it fixed', () => {
    const view = { zoom: 1.5, x: 37, y: -12 };
    const before = screenToImage(view, 200, 120);
    for (const factor of [0.3, 1.1, 4]) {
      const after = screenToImage(zoomAround(view, factor, 200, 120), 200, 120);
      expect(after.x).toBeCloseTo(before.x, 10);
      expect(after.y).toBeCloseTo(before.y, 10);
    }
  });

  it('clamps the zoom to its limits', () => {
    expect(zoomTo({ zoom: 1, x: 0, y: 0 }, 1e6, 0, 0).zoom).toBe(MAX_ZOOM);
    expect(zoomTo({ zoom: 1, x: 0, y: 0 }, 1e-9, 0, 0).zoom).toBe(MIN_ZOOM);
  });

  it('fits the whole image, centred, inside the margin', () => {
    const v = fitView(400, 200, 1000, 600, 20);
    expect(v.zoom).toBeCloseTo(960 / 400);
    const box = imageBoxToScreen(v, { x: 0, y: 0, width: 400, height: 200 });
    expect(box.x).toBeCloseTo(20);
    expect(box.x + box.width).toBeCloseTo(980);
    expect(box.y + box.height / 2).toBeCloseTo(300);
  });

  it('steps through round zoom levels in both directions', () => {
    expect(stepZoom(1, 1)).toBe(1.5);
    expect(stepZoom(1, -1)).toBeCloseTo(2 / 3);
    expect(stepZoom(1.2, 1)).toBe(1.5);
    expect(stepZoom(1.2, -1)).toBe(1);
    expect(stepZoom(MAX_ZOOM, 1)).toBe(MAX_ZOOM);
  });

  it('reports the visible pixels, clipped to the image', () => {
    const v = { zoom: 2, x: -100, y: 50 };
    expect(visibleImageBox(v, 300, 200, 256, 256)).toEqual({ x: 50, y: 0, width: 150, height: 75 });
    expect(visibleImageBox(panBy(v, 10000, 0), 300, 200, 256, 256).width).toBe(0);
  });

  it('labels zoom as a percentage', () => {
    expect(zoomLabel(1)).toBe('100%');
    expect(zoomLabel(1 / 8)).toBe('13%');
    expect(zoomLabel(1 / 16)).toBe('6.3%');
  });
});

describe('wheel and trackpad zoom', () => {
  it('zooms in on scroll up and out on scroll down, by the same ratio', () => {
    const up = wheelZoomFactor({ deltaY: -100, deltaMode: 0, ctrlKey: false });
    const down = wheelZoomFactor({ deltaY: 100, deltaMode: 0, ctrlKey: false });
    expect(up).toBeGreaterThan(1);
    expect(down).toBeLessThan(1);
    expect(up * down).toBeCloseTo(1, 12);
  });

  it('takes small steps for a mouse notch and steps proportional to small trackpad deltas', () => {
    const notch = wheelZoomFactor({ deltaY: -100, deltaMode: 0, ctrlKey: false });
    expect(notch).toBeGreaterThan(1.05);
    expect(notch).toBeLessThan(1.2);
    // Two events of 2 px zoom as much as one of 4 px: the trackpad's many deltas add up smoothly.
    const two = wheelZoomFactor({ deltaY: -2, deltaMode: 0, ctrlKey: false }) ** 2;
    expect(two).toBeCloseTo(wheelZoomFactor({ deltaY: -4, deltaMode: 0, ctrlKey: false }), 12);
    expect(wheelZoomFactor({ deltaY: -2, deltaMode: 0, ctrlKey: false })).toBeLessThan(1.01);
  });

  it('follows a pinch (ctrlKey) more strongly than a scroll of the same delta', () => {
    const pinch = wheelZoomFactor({ deltaY: -5, deltaMode: 0, ctrlKey: true });
    const scroll = wheelZoomFactor({ deltaY: -5, deltaMode: 0, ctrlKey: false });
    expect(pinch).toBeGreaterThan(scroll);
    expect(pinch).toBeLessThan(1.1);
  });

  it('reads line- and page-mode deltas and clamps one event to at most 1.25x', () => {
    const line = wheelZoomFactor({ deltaY: -1, deltaMode: 1, ctrlKey: false });
    expect(line).toBeGreaterThan(1);
    expect(wheelZoomFactor({ deltaY: -3, deltaMode: 2, ctrlKey: false })).toBeCloseTo(1.25, 12);
    expect(wheelZoomFactor({ deltaY: 10_000, deltaMode: 0, ctrlKey: true })).toBeCloseTo(1 / 1.25, 12);
  });
});

describe('focusView', () => {
  it('centres the box and zooms it to a third of the viewport, at most 800 %', () => {
    const v = focusView({ x: 100, y: 40, width: 20, height: 10 }, 600, 300);
    // 600 / (3 * 20) = 10 and 300 / (3 * 10) = 10: capped at 8.
    expect(v.zoom).toBe(8);
    expect(v.x + 110 * v.zoom).toBeCloseTo(300);
    expect(v.y + 45 * v.zoom).toBeCloseTo(150);
    const big = focusView({ x: 0, y: 0, width: 400, height: 100 }, 600, 300);
    expect(big.zoom).toBeCloseTo(0.5);
  });
});
