// Worker threads do not inherit tsx's loader from `npm run segment`; this registers it, then loads the
// TypeScript entry named in workerData.entry (cli/engineWorker.ts).
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
