// Durations relctl waits on — step timeouts, retry backoffs, canary holds, wait.sleep, probe and
// gate timings — are at most 24 days (Node's timers end at 24.8), and a timeout is longer than 0.
// Lint refuses the rest at their file:line:column, once each, with a hint.
import { describe, expect, it } from "vitest";
import { diagnose, lines } from "../../helpers/playbook.js";
import { doc, expectDiagnostics, step, type Expected } from "./cases.js";

const LIMIT_HINT = "relctl waits at most 24d";

/** Stage build (lines 3–5) with `body` as its steps from line 6. */
const steps = (...body: string[]): string => doc("stages:", "  build:", "    steps:", ...body);

/** A step `a` that uses `uses` with `with` (the value of `with:` is at column 15, line 8). */
const using = (uses: string, input: string): string =>
  steps("      - id: a", `        uses: ${uses}`, `        with: ${input}`);

describe("durations relctl waits on", () => {
  it.each<{ name: string; text: string; expected: Expected[] }>([
    {
      name: "a step timeout over 24 days",
      text: steps(...step("a", "        timeout: 25d")),
      expected: [
        {
          code: "invalid-value",
          at: "relctl.yaml:9:18",
          path: "stages.build.steps[0].timeout",
          message: "25d is longer than relctl waits: at most 24d",
          hint: LIMIT_HINT,
        },
      ],
    },
    {
      name: "a step timeout over 24 days written in seconds",
      text: steps(...step("a", "        timeout: 2073601")),
      expected: [
        {
          code: "invalid-value",
          at: "relctl.yaml:9:18",
          message: "2073601s is longer than relctl waits: at most 24d",
          hint: LIMIT_HINT,
        },
      ],
    },
    {
      name: "a step timeout of 0",
      text: steps(...step("a", "        timeout: 0")),
      expected: [
        {
          code: "invalid-value",
          at: "relctl.yaml:9:18",
          path: "stages.build.steps[0].timeout",
          message: "must be longer than 0s",
          hint: "leave it out for none",
        },
      ],
    },
    {
      name: "a step timeout of 0s",
      text: steps(...step("a", "        timeout: 0s")),
      expected: [{ code: "invalid-value", at: "relctl.yaml:9:18", message: "must be longer than 0s" }],
    },
    {
      name: "a negative step timeout, once",
      text: steps(...step("a", "        timeout: -5")),
      expected: [
        {
          code: "invalid-value",
          at: "relctl.yaml:9:18",
          path: "stages.build.steps[0].timeout",
          message: "a duration cannot be negative",
        },
      ],
    },
    {
      name: "retry waits over 24 days",
      text: steps(...step("a", "        retry: { attempts: 2, backoff: 30d, max_backoff: 25d }")),
      expected: [
        {
          code: "invalid-value",
          at: "relctl.yaml:9:40",
          path: "stages.build.steps[0].retry.backoff",
          message: "30d is longer than relctl waits: at most 24d",
          hint: LIMIT_HINT,
        },
        {
          code: "invalid-value",
          at: "relctl.yaml:9:58",
          path: "stages.build.steps[0].retry.max_backoff",
          message: "25d is longer than relctl waits: at most 24d",
          hint: LIMIT_HINT,
        },
      ],
    },
    {
      name: "a canary hold over 24 days, once (not again for each weight's hold step)",
      text: doc(
        "stages:",
        "  canary:",
        "    canary:",
        "      weights: [10, 100]",
        "      hold: 30d", // 7
        "      steps:",
        ...step("shift"),
      ),
      expected: [
        {
          code: "invalid-value",
          at: "relctl.yaml:7:13",
          path: "stages.canary.canary.hold",
          message: "30d is longer than relctl waits: at most 24d",
          hint: LIMIT_HINT,
        },
      ],
    },
    {
      name: "a wait.sleep over 24 days",
      text: using("wait.sleep", "{ duration: 25d }"),
      expected: [
        {
          code: "invalid-value",
          at: "relctl.yaml:8:27",
          path: "stages.build.steps[0].with.duration",
          message: "wait.sleep: 25d is longer than relctl waits: at most 24d",
          hint: LIMIT_HINT,
          stepId: "a",
        },
      ],
    },
    {
      name: "a negative wait.sleep, once",
      text: using("wait.sleep", "{ duration: -1 }"),
      expected: [
        {
          code: "invalid-value",
          at: "relctl.yaml:8:27",
          message: "wait.sleep: a duration cannot be negative",
          stepId: "a",
        },
      ],
    },
    {
      name: "an http.probe with a 0 timeout and an interval over 24 days",
      text: using("http.probe", "{ url: 'http://localhost/', timeout: 0, interval: 30d }"),
      expected: [
        {
          code: "invalid-value",
          at: "relctl.yaml:8:52",
          path: "stages.build.steps[0].with.timeout",
          message: "http.probe: must be longer than 0s",
          stepId: "a",
        },
        {
          code: "invalid-value",
          at: "relctl.yaml:8:65",
          path: "stages.build.steps[0].with.interval",
          message: "http.probe: 30d is longer than relctl waits: at most 24d",
          hint: LIMIT_HINT,
          stepId: "a",
        },
      ],
    },
    {
      name: "a prometheus.gate whose interval and query timeout are over 24 days",
      text: using(
        "prometheus.gate",
        "{ url: 'http://localhost:9090', interval: 25d, query_timeout: 25d, metrics: [{ name: up, query: up, min: 1 }] }",
      ),
      expected: [
        {
          code: "invalid-value",
          at: "relctl.yaml:8:57",
          path: "stages.build.steps[0].with.interval",
          message: "prometheus.gate: 25d is longer than relctl waits: at most 24d",
          hint: LIMIT_HINT,
          stepId: "a",
        },
        {
          code: "invalid-value",
          at: "relctl.yaml:8:77",
          path: "stages.build.steps[0].with.query_timeout",
          message: "prometheus.gate: 25d is longer than relctl waits: at most 24d",
          stepId: "a",
        },
      ],
    },
  ])("refuses $name", async ({ text, expected }) => {
    expectDiagnostics(await diagnose(text), expected);
  });

  it("accepts exactly 24 days everywhere, and a 30-day lookback, which is a window of the past and not a wait", async () => {
    const text = doc(
      "stages:",
      "  canary:",
      "    canary:",
      "      weights: [10, 100]",
      "      hold: 24d",
      "      steps:",
      ...step(
        "shift",
        "        timeout: 24d",
        "        retry: { attempts: 2, backoff: 24d, max_backoff: 2073600 }",
      ),
      "    steps:",
      "      - id: pause",
      "        uses: wait.sleep",
      "        with: { duration: 24d }",
      "      - id: past",
      "        uses: prometheus.gate",
      "        with: { url: 'http://localhost:9090', interval: 5m, lookback: 30d, metrics: [{ name: up, query: up, min: 1 }] }",
    );
    expect(await diagnose(text)).toEqual([]);
  });

  it("leaves a duration from a var to the run, where the rendered input is checked", async () => {
    const text = doc(
      "vars: { hold: 30d }",
      "stages:",
      "  canary:",
      "    canary:",
      "      weights: [10, 100]",
      "      hold: '${{ vars.hold }}'",
      "      steps:",
      ...step("shift"),
    );
    expect(await diagnose(text)).toEqual([]);
  });

  it("refuses a freeze calendar's incident timeout over 24 days in the calendar file", async () => {
    const playbook = doc("freeze_calendar: freeze.yaml", "stages:", "  promote:", "    steps: []");
    const calendar = lines(
      "timezone: UTC",
      "environments: [production]",
      "incidents:",
      "  - { url: 'http://localhost/incidents', timeout: 2073601 }",
    );
    expectDiagnostics(await diagnose(playbook, { "freeze.yaml": calendar }), [
      { code: "too_big", at: "freeze.yaml:4:51", message: "at most 2073600 seconds (24d)" },
    ]);
  });
});
