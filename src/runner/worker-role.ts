/** Which of the pair a worker process is: a leaf, so workers.ts and worker-bundle.ts need not import each other. */
export type WorkerRole = 'sender' | 'receiver';
