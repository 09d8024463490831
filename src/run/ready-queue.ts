// Which of a stage's steps may start now, in time linear in the steps and their needs: each step
// counts the needs it still waits on, and a step whose count reaches zero joins a queue ordered
// by its place in the playbook — so among ready steps the earlier-written one starts first, the
// same order a plan shows, whatever order their needs finished in.
import type { StepDef } from "../playbook/model.js";

export class ReadyQueue {
  private readonly waitingOn: number[];
  private readonly dependents: number[][];
  private readonly indexOf = new Map<string, number>();
  private readonly started: boolean[];
  private unstarted: number;
  /** A binary min-heap of step indexes. */
  private readonly heap: number[] = [];

  constructor(private readonly steps: readonly StepDef[]) {
    steps.forEach((step, index) => this.indexOf.set(step.id, index));
    this.waitingOn = steps.map(() => 0);
    this.dependents = steps.map(() => []);
    this.started = steps.map(() => false);
    this.unstarted = steps.length;
    steps.forEach((step, index) => {
      // Needs outside the stage do not hold a step: those stages are over before this one starts.
      for (const need of new Set(step.dependsOn)) {
        const needIndex = this.indexOf.get(need);
        if (needIndex === undefined) continue;
        this.waitingOn[index]!++;
        this.dependents[needIndex]!.push(index);
      }
    });
    steps.forEach((_, index) => {
      if (this.waitingOn[index] === 0) this.push(index);
    });
  }

  /** The earliest-written step whose needs are all over, marked started; undefined when none. */
  take(): StepDef | undefined {
    const index = this.pop();
    if (index === undefined) return undefined;
    this.started[index] = true;
    this.unstarted--;
    return this.steps[index];
  }

  /** A step is over (whatever its status): the steps that needed only it become ready. */
  finished(id: string): void {
    const index = this.indexOf.get(id);
    if (index === undefined) return;
    for (const dependent of this.dependents[index]!) {
      if (--this.waitingOn[dependent]! === 0) this.push(dependent);
    }
  }

  /** Steps never started, in playbook order; afterwards nothing is left to take. */
  drainUnstarted(): StepDef[] {
    this.heap.length = 0;
    const left = this.steps.filter((_, index) => !this.started[index]);
    this.started.fill(true);
    this.unstarted = 0;
    return left;
  }

  get hasUnstarted(): boolean {
    return this.unstarted > 0;
  }

  private push(index: number): void {
    const heap = this.heap;
    heap.push(index);
    let child = heap.length - 1;
    while (child > 0) {
      const parent = (child - 1) >> 1;
      if (heap[parent]! <= heap[child]!) break;
      [heap[parent], heap[child]] = [heap[child]!, heap[parent]!];
      child = parent;
    }
  }

  private pop(): number | undefined {
    const heap = this.heap;
    if (heap.length === 0) return undefined;
    const top = heap[0]!;
    const last = heap.pop()!;
    if (heap.length > 0) {
      heap[0] = last;
      let parent = 0;
      for (;;) {
        const left = parent * 2 + 1;
        const right = left + 1;
        let smallest = parent;
        if (left < heap.length && heap[left]! < heap[smallest]!) smallest = left;
        if (right < heap.length && heap[right]! < heap[smallest]!) smallest = right;
        if (smallest === parent) break;
        [heap[parent], heap[smallest]] = [heap[smallest]!, heap[parent]!];
        parent = smallest;
      }
    }
    return top;
  }
}
