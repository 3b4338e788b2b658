/**
 * The checker thread's entry (bundled as checker.mjs beside the receiver
 * worker): checks every byte the read loop hands over through the ring.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { runChecker, type RingShared } from './checker-ring.ts';
import { nowMs } from './messages.ts';

runChecker(workerData as RingShared, (r) => parentPort!.postMessage(r), nowMs);
