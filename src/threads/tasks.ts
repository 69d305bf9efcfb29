import { setImmediate as nextTask } from "node:timers/promises";

/**
 * Drains a stepped analysis (a generator that yields after each step and
 * returns its result), ending the task between steps. V8 keeps every object a
 * WeakRef was made for or read in until the task ends, and the diagrams'
 * unique table does both, so one synchronous run of a large estate would hold
 * every diagram it ever made; ending the task lets the collector have them.
 * A server stays responsive in between as well.
 */
export async function inTasks<S, R>(
  steps: Generator<S, R>,
  onStep?: (step: S) => void,
): Promise<R> {
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    onStep?.(step.value);
    await nextTask();
  }
}
