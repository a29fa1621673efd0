/**
 * Calls `onExit` once this process's parent has exited, seen as a change of `process.ppid` (the orphan is
 * re-parented to init or a subreaper), checked every `intervalMs` on a timer that keeps nothing alive.
 *
 * Why: `npm start` runs the worker under `sh -c`, and a shell such as dash neither execs the command nor forwards
 * signals. npm passes a SIGTERM on to that shell, the shell dies, npm exits, and the worker would run on,
 * orphaned, holding its requests. Only used when an npm script started the worker: someone who detaches it on
 * purpose (`nohup … &`) also changes its parent, and wants it to keep running.
 *
 * @returns a function that stops watching
 */
export function whenParentExits(onExit: () => void, intervalMs = 500): () => void {
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(timer);
    onExit();
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
