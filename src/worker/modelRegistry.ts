/**
 * The models of a worker session, keyed by model id: shipped models load on demand (once, even when two
 * requests ask at the same time), fine-tuned copies are added by the training job. A job holds a lease on
 * every model it uses; removing a model that is leased only marks it, and it is disposed when the last
 * lease is released, so no request can pull weights from under a running job.
 *
 * Generic over the held value (anything disposable), so the rules are tested in Node with fakes; the worker
 * keeps tfjs segmenters in it. Growing it into persistent storage (the next issue) means a loader per id.
 */

export interface Disposable {
  dispose(): void;
}

/** A model in use by one job. Release it exactly once (in a finally). */
export interface Lease<M> {
  readonly id: string;
  readonly model: M;
  release(): void;
}

export interface ModelRegistry<M extends Disposable> {
  /** Leases model `id`, loading it with `load` when it is not there yet. Unknown id without a loader: an error. */
  acquire(id: string, load?: () => Promise<M>): Promise<Lease<M>>;
  /** The model if it is loaded (no lease: only for reading facts, never across an await). */
  peek(id: string): M | undefined;
  /** Adds a model made in the worker (a fine-tuned copy). An id may not be reused. */
  add(id: string, model: M): void;
  /** Disposes model `id` now, or when its last lease is released. */
  remove(id: string): void;
  /** Ids of the loaded models, in the order they arrived. */
  ids(): string[];
  /** Leases held on `id` (tests and diagnostics). */
  leases(id: string): number;
  /**
   * Puts `model` in the place of model `id` and returns the old one, which the caller disposes (a backend
   * switch rebuilds the weights on the new backend). Refused while a job holds a lease on it.
   */
  swap(id: string, model: M): M;
}

interface Slot<M> {
  model: M;
  leases: number;
  removed: boolean;
}

export function createModelRegistry<M extends Disposable>(): ModelRegistry<M> {
  const slots = new Map<string, Slot<M>>();
  const loading = new Map<string, Promise<M>>();

  const lease = (id: string, slot: Slot<M>): Lease<M> => {
    slot.leases++;
    let released = false;
    return {
      id,
      model: slot.model,
      release() {
        if (released) return;
        released = true;
        slot.leases--;
        if (slot.removed && slot.leases === 0) slot.model.dispose();
      },
    };
  };

  const loadOnce = (id: string, load: () => Promise<M>): Promise<M> => {
    let pending = loading.get(id);
    if (!pending) {
      pending = load().then(
        (model) => {
          loading.delete(id);
          slots.set(id, { model, leases: 0, removed: false });
          return model;
        },
        (error: unknown) => {
          loading.delete(id);
          throw error;
        },
      );
      loading.set(id, pending);
    }
    return pending;
  };

  return {
    async acquire(id, load) {
      let slot = slots.get(id);
      if (!slot) {
        if (!load) throw new Error(`The model "${id}" is not loaded in this session (a fine-tuned model lives until the page is reloaded).`);
        await loadOnce(id, load);
        slot = slots.get(id);
        if (!slot) throw new Error(`The model "${id}" was removed while it loaded.`);
      }
      return lease(id, slot);
    },

    peek: (id) => slots.get(id)?.model,

    add(id, model) {
      if (slots.has(id) || loading.has(id)) throw new Error(`A model with id "${id}" exists already.`);
      slots.set(id, { model, leases: 0, removed: false });
    },

    remove(id) {
      const slot = slots.get(id);
      if (!slot) return;
      slots.delete(id);
      slot.removed = true;
      if (slot.leases === 0) slot.model.dispose();
    },

    ids: () => [...slots.keys()],

    leases: (id) => slots.get(id)?.leases ?? 0,

    swap(id, model) {
      const slot = slots.get(id);
      if (!slot) throw new Error(`The model "${id}" is not loaded.`);
      if (slot.leases > 0) throw new Error(`Cannot replace the model "${id}" while a job uses it.`);
      const old = slot.model;
      slot.model = model;
      return old;
    },
  };
}
