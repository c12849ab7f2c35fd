/**
 * Worker protocol, export family: a model's files as tfjs writes them (exportHandlers.ts). Types only (see
 * protocol.ts).
 */

/** The raw export command. */
export interface ExportCommands {
  /** Model `id` (possibly fine-tuned) as files: model.json, weights, model-card.json (transferred). */
  exportModel: {
    params: { readonly id: string };
    result: { readonly name: string; readonly files: readonly { readonly name: string; readonly bytes: Uint8Array }[]; readonly backend: string };
    progress: never;
  };
}
