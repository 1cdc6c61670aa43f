/**
 * Acks first, answers one at a time. Work a listener does after its ack waits here for its turn:
 * at most one such continuation starts per event-loop turn, so between two of them Node polls
 * its sockets again, accepting a waiting connection and acking the requests that arrived.
 *
 * Why: libuv accepts ONE new connection per loop turn (libuv PR #3696, Node >= 20). A burst of
 * /gpu commands whose answers are ready at once (plans from the cache) used to run all its answers
 * in the same turn (setImmediate callbacks queued in a turn all run in that turn's check phase):
 * one turn of 50 answers is hundreds of milliseconds on a loaded machine, and each new connection
 * Slack opened meanwhile waited for a turn of its own in the kernel's accept queue, unacked.
 */
const waiting: Array<() => void> = [];
let scheduled = false;

/** Resolves in a later loop turn than the caller's, after the turns of those who asked before. */
export function answerTurn(): Promise<void> {
  return new Promise<void>((resolve) => {
    waiting.push(resolve);
    if (!scheduled) {
      scheduled = true;
      setImmediate(releaseOne);
    }
  });
}

function releaseOne(): void {
  const next = waiting.shift();
  // queued from inside a check-phase callback, this runs in the NEXT loop turn, after a poll
  if (waiting.length > 0) setImmediate(releaseOne);
  else scheduled = false;
  next?.();
}
