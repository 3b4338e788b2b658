/**
 * Last words of a process that exits at once (a second Ctrl-C, a signal
 * outside a stoppable phase): synchronous clean-ups run from process 'exit',
 * e.g. killing a child and removing a private folder. Each owner removes its
 * task when it cleaned up itself.
 */
const tasks = new Set<() => void>();
let installed = false;

export function onExit(task: () => void): () => void {
  if (!installed) {
    installed = true;
    process.on('exit', () => {
      for (const t of [...tasks]) {
        try {
          t();
        } catch {
          // one failed clean-up must not stop the others
        }
      }
    });
  }
  tasks.add(task);
  return () => void tasks.delete(task);
}
