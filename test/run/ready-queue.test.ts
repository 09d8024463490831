// The stage scheduler's queue: a step is ready once the in-stage steps it needs are over, and
// among ready steps the one written first starts first.
import { describe, expect, it } from "vitest";
import type { StepDef } from "../../src/playbook/model.js";
import { ReadyQueue } from "../../src/run/ready-queue.js";

function step(id: string, dependsOn: string[] = []): StepDef {
  return { id, dependsOn } as unknown as StepDef;
}

function takeAll(queue: ReadyQueue): string[] {
  const taken: string[] = [];
  for (let next = queue.take(); next; next = queue.take()) taken.push(next.id);
  return taken;
}

describe("ReadyQueue", () => {
  it("offers the steps without in-stage needs first, in the order written", () => {
    const queue = new ReadyQueue([step("c"), step("a", ["c"]), step("b"), step("d", ["outside"])]);
    expect(takeAll(queue)).toEqual(["c", "b", "d"]);
    queue.finished("c");
    expect(takeAll(queue)).toEqual(["a"]);
    expect(queue.hasUnstarted).toBe(false);
  });

  it("holds a step until every one of its needs is over, a need named twice counted once", () => {
    const queue = new ReadyQueue([step("a"), step("b"), step("c", ["a", "b", "a"])]);
    expect(takeAll(queue)).toEqual(["a", "b"]);
    queue.finished("b");
    expect(queue.take()).toBeUndefined();
    queue.finished("a");
    expect(takeAll(queue)).toEqual(["c"]);
  });

  it("prefers the earlier-written step when several become ready out of order", () => {
    const queue = new ReadyQueue([step("root"), step("x", ["root"]), step("y", ["root"]), step("z")]);
    expect(takeAll(queue)).toEqual(["root", "z"]);
    queue.finished("z");
    queue.finished("root");
    expect(takeAll(queue)).toEqual(["x", "y"]);
  });

  it("hands back the steps never started, in playbook order, and then has nothing left", () => {
    const queue = new ReadyQueue([step("a"), step("b", ["a"]), step("c", ["b"]), step("d")]);
    expect(queue.take()?.id).toBe("a");
    expect(queue.drainUnstarted().map((left) => left.id)).toEqual(["b", "c", "d"]);
    expect(queue.take()).toBeUndefined();
    expect(queue.hasUnstarted).toBe(false);
  });

  it("walks a chain of 20,000 steps one at a time", () => {
    const steps = Array.from({ length: 20_000 }, (_, i) => step(`s${i}`, i === 0 ? [] : [`s${i - 1}`]));
    const queue = new ReadyQueue(steps);
    let count = 0;
    for (let next = queue.take(); next; next = queue.take()) {
      count++;
      expect(queue.take()).toBeUndefined();
      queue.finished(next.id);
    }
    expect(count).toBe(20_000);
  });
});
