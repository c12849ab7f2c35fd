/**
 * Resolves in a later task, so that work split across awaits of it leaves the main thread free in between
 * (a copy of a 2048x2048 plane in one go is a 20-60 ms task).
 */
export const nextTask = (): Promise<void> => new Promise<void>((resolve) => setTimeout(resolve, 0));
