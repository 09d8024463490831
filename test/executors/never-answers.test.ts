// Every HTTP request relctl makes has a timeout: against an endpoint that accepts the
// connection and never answers, the OCI registry client and http.probe fail the step after
// their request timeout (the github and notify executors: their own tests; Prometheus:
// prometheus/faults.test.ts), saying so.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { StepFailure, type Action } from "../../src/executors/contract.js";
import http from "../../src/executors/http.js";
import notify from "../../src/executors/notify.js";
import oci from "../../src/executors/oci.js";
import { testContext } from "../helpers/action-context.js";
import { loopbackServer, type LoopbackServer } from "./loopback.js";

const HANG_GUARD_MS = 30_000;

let silent: LoopbackServer;
beforeEach(async () => {
  silent = await loopbackServer(() => new Promise(() => undefined));
});
afterEach(() => silent.close());

async function failure(action: Action, input: Record<string, unknown>): Promise<StepFailure> {
  const ctx = await testContext();
  const error = await action.run(ctx, action.input.parse(input)).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof StepFailure)) throw new Error(`expected a StepFailure, got ${String(error)}`);
  return error;
}

describe("an endpoint that accepts the connection and never answers", () => {
  it(
    "fails oci.resolve after its request_timeout",
    async () => {
      const error = await failure(oci.actions.resolve!, {
        image: `${silent.host}/acme/api:v1`,
        plain_http: true,
        request_timeout: "300ms",
      });
      expect(error.message).toContain(`could not reach http://${silent.host}/v2/`);
      expect(error.message).toContain("timed out");
    },
    HANG_GUARD_MS,
  );

  it(
    "fails http.probe after its timeout",
    async () => {
      const error = await failure(http.actions.probe!, { url: `${silent.url}/health`, timeout: "300ms" });
      expect(error.message).toContain("no answer within 300ms");
    },
    HANG_GUARD_MS,
  );

  it(
    "fails a notify step whose receiver sends the headers and then stalls, after request_timeout",
    async () => {
      const stalling = await loopbackServer((_request, response) => {
        response.writeHead(200, { "content-type": "text/plain" });
        response.write("o");
        return new Promise(() => undefined);
      });
      try {
        const action = notify.actions.webhook!;
        const ctx = await testContext({ secrets: { get: () => `${stalling.url}/hook` } });
        const error = await action
          .run(
            ctx,
            action.input.parse({
              webhook_secret: "hook",
              template: "custom",
              title: "t",
              attempts: 1,
              request_timeout: "300ms",
            }),
          )
          .then(
            () => undefined,
            (caught: unknown) => caught,
          );
        expect(error).toBeInstanceOf(StepFailure);
        expect((error as StepFailure).message).toContain("no answer within 300ms (request_timeout)");
      } finally {
        await stalling.close();
      }
    },
    HANG_GUARD_MS,
  );
});
