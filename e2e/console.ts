import type { Page } from '@playwright/test';

/**
 * Collects console errors from the page and its workers. WGSL compile errors and uncaptured WebGPU errors
 * surface here; tfjs can otherwise return all-zero tensors silently, so every e2e test fails on them.
 */
export function watchConsole(page: Page): { errors: string[]; all: string[] } {
  const errors: string[] = [];
  const all: string[] = [];
  page.on('console', (msg) => {
    const text = msg.text();
    all.push(`${msg.type()}: ${text}`);
    if (msg.type() === 'error' || /WGSL|ShaderModule|GPUValidationError|Invalid ComputePipeline/i.test(text)) {
      errors.push(text);
    }
  });
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  return { errors, all };
}

/** Console errors that are about GPU shaders or validation (the ones that mean wrong numbers). */
export function gpuErrors(errors: readonly string[]): string[] {
  return errors.filter((e) => /WGSL|shader|GPU|WebGPU|pipeline/i.test(e));
}
