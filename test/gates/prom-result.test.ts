import { describe, expect, it } from "vitest";
import { parsePrometheusResponse, parseSampleValue } from "../../src/gates/prom-result.js";

const success = (data: unknown, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ status: "success", data, ...extra });

describe("reading Prometheus answers", () => {
  it.each([
    ["0.0049", 0.0049],
    ["0", 0],
    ["-1.5", -1.5],
    ["1e-7", 1e-7],
    ["NaN", Number.NaN],
    ["+Inf", Number.POSITIVE_INFINITY],
    ["-Inf", Number.NEGATIVE_INFINITY],
  ])("reads the sample value %s as a number, keeping NaN and infinities", (raw, expected) => {
    expect(parseSampleValue(raw)).toBe(expected);
  });

  it.each(["", " ", "abc", "0.1.2", "null"])("refuses %j as a sample value", (raw) => {
    expect(parseSampleValue(raw)).toBeUndefined();
  });

  it("keeps every series of a vector with its labels and raw value", () => {
    const text = success({
      resultType: "vector",
      result: [
        { metric: { pod: "a" }, value: [1795341600, "0.004"] },
        { metric: { pod: "b" }, value: [1795341600, "NaN"] },
      ],
    });
    expect(parsePrometheusResponse(200, text)).toEqual({
      ok: true,
      resultType: "vector",
      warnings: [],
      samples: [
        { labels: { pod: "a" }, raw: "0.004", value: 0.004, time: 1795341600 },
        { labels: { pod: "b" }, raw: "NaN", value: Number.NaN, time: 1795341600 },
      ],
    });
  });

  it("reads a scalar as one unlabelled sample", () => {
    const outcome = parsePrometheusResponse(
      200,
      success({ resultType: "scalar", result: [1795341600, "+Inf"] }),
    );
    expect(outcome).toMatchObject({
      ok: true,
      resultType: "scalar",
      samples: [{ labels: {}, value: Infinity }],
    });
  });

  it("flattens a matrix into samples that keep their labels and times", () => {
    const text = success({
      resultType: "matrix",
      result: [
        {
          metric: { track: "canary" },
          values: [
            [1, "0.1"],
            [61, "0.2"],
          ],
        },
      ],
    });
    const outcome = parsePrometheusResponse(200, text);
    expect(outcome.ok && outcome.samples.map((s) => [s.time, s.value, s.labels.track])).toEqual([
      [1, 0.1, "canary"],
      [61, 0.2, "canary"],
    ]);
  });

  it("keeps Prometheus' warnings with the samples", () => {
    const text = success(
      { resultType: "vector", result: [] },
      { warnings: ["PromQL info: metric might not be a counter"] },
    );
    expect(parsePrometheusResponse(200, text)).toMatchObject({
      ok: true,
      warnings: ["PromQL info: metric might not be a counter"],
    });
  });

  it.each([
    [
      "a bad query (400)",
      400,
      JSON.stringify({
        status: "error",
        errorType: "bad_data",
        error: "parse error: unclosed left parenthesis",
      }),
      "HTTP 400: bad_data: parse error: unclosed left parenthesis",
    ],
    [
      "an expression that cannot run (422)",
      422,
      JSON.stringify({ status: "error", errorType: "execution", error: "many-to-many matching not allowed" }),
      "HTTP 422: execution: many-to-many matching not allowed",
    ],
    [
      "a timed-out query (503)",
      503,
      JSON.stringify({
        status: "error",
        errorType: "timeout",
        error: "query timed out in expression evaluation",
      }),
      "HTTP 503: timeout: query timed out in expression evaluation",
    ],
    [
      "an HTML page from a proxy",
      502,
      "<html><body>Bad Gateway</body></html>",
      'HTTP 502: the answer is not JSON: "<html><body>Bad Gateway</body></html>"',
    ],
    [
      "a truncated body",
      200,
      '{"status":"success","data":{"resultType":"vec',
      "HTTP 200: the answer is not JSON",
    ],
    ["an empty body", 200, "", "HTTP 200: the answer is not JSON: (empty body)"],
    ["JSON that is not an API answer", 200, '{"hello":"world"}', "HTTP 200: not a Prometheus API answer"],
    [
      "a success body with an error status",
      500,
      success({ resultType: "vector", result: [] }),
      "HTTP 500 with a success body",
    ],
    [
      "a result of an unknown type",
      200,
      success({ resultType: "histogram", result: [] }),
      "HTTP 200: unexpected result shape",
    ],
    [
      "a sample without a value (a native histogram)",
      200,
      success({ resultType: "vector", result: [{ metric: {}, histogram: [1, { count: "1" }] }] }),
      "HTTP 200: unexpected result shape",
    ],
    [
      "a sample value that is not a number",
      200,
      success({ resultType: "vector", result: [{ metric: {}, value: [1, "fast"] }] }),
      'sample value "fast" is not a number',
    ],
    [
      "a string result",
      200,
      success({ resultType: "string", result: [1, "hello"] }),
      "the query returned a string, not a number",
    ],
  ])("turns %s into an error, never a result", (_case, status, text, message) => {
    const outcome = parsePrometheusResponse(status, text);
    expect(outcome.ok).toBe(false);
    expect(!outcome.ok && outcome.error).toContain(message);
  });
});
