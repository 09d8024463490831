// A secret given again on the command line (`--var v=<the token>`) must not reach any record:
// relctl reads the playbook's secrets before it records the command line, so the lock, the lock
// audit, the journal, the evidence and a competing run's "locked by …" all show ***. Also: the
// Basic credential relctl builds from a secret, and a secret too short to redact.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { filesUnder, loopbackServer, project, waitFor, type LoopbackServer } from "./helpers.js";

const TOKEN = "TokValue12345";

/** The token in every form a record could hold it. */
function leaks(text: string): string[] {
  const forms = [TOKEN, Buffer.from(TOKEN).toString("base64"), Buffer.from(`ci:${TOKEN}`).toString("base64")];
  return forms.filter((form) => text.includes(form));
}

/** Every file relctl left under .relctl, as one text per file. */
function records(state: string): [string, string][] {
  return filesUnder(state).map((file) => [file, readFileSync(join(state, file), "utf8")]);
}

describe("a secret passed again as a --var value", () => {
  const playbook = `apiVersion: relctl/v1
name: demo
vars:
  v: { default: none }
secrets:
  tok: env://TOK
stages:
  build:
    steps:
      - id: hold
        uses: exec.run
        with:
          argv: [sh, -c, 'touch started; while [ ! -e release ]; do sleep 0.05; done; echo "v=$1"', sh, "\${{ vars.v }}"]
`;

  it("is *** in the lock, the audit, the journal, the evidence and a competing run's refusal", async () => {
    const demo = project(playbook);
    const env = { TOK: TOKEN };
    const holder = demo.start(["build", "--yes", "--var", `v=${TOKEN}`], env);
    await waitFor("the first run's step to start", () => existsSync(join(demo.dir, "started")), 20_000);

    const lockDir = join(demo.state, "locks");
    const locks = filesUnder(lockDir).filter((file) => file.endsWith(".lock") || file.endsWith(".json"));
    expect(locks.length).toBeGreaterThan(0);
    for (const file of locks) expect(leaks(readFileSync(join(lockDir, file), "utf8"))).toEqual([]);

    const competing = await demo.run(["build", "--yes", "--var", `v=${TOKEN}`], env);
    expect(competing.exitCode).toBe(4);
    // The refusal names the holder's command line, with the secret hidden.
    expect(competing.stderr).toContain("v=***");
    expect(leaks(competing.stdout + competing.stderr)).toEqual([]);

    demo.write("release", "");
    const first = await holder;
    expect(first.exitCode).toBe(0);
    expect(leaks(String(first.stdout) + String(first.stderr))).toEqual([]);

    const audit = readFileSync(join(lockDir, "audit.jsonl"), "utf8");
    expect(audit).toContain("v=***");
    const written = records(demo.state);
    expect(written.map(([file]) => file)).toEqual(
      expect.arrayContaining([expect.stringMatching(/journal\.jsonl$/)]),
    );
    expect(written.filter(([, text]) => leaks(text).length > 0).map(([file]) => file)).toEqual([]);
  });
});

describe("a secret given to a var of another type", () => {
  it("is *** in the refusal that names the value", async () => {
    const demo = project(`apiVersion: relctl/v1
name: demo
vars:
  replicas: 1
secrets:
  tok: env://TOK
stages:
  build:
    steps:
      - { id: make, uses: exec.run, with: { argv: [touch, built.txt] } }
`);
    const result = await demo.run(["build", "--yes", "--var", `replicas=${TOKEN}`], { TOK: TOKEN });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('--var replicas=***: var "replicas" is a number');
    expect(leaks(result.stdout + result.stderr)).toEqual([]);
  });
});

describe("a secret shorter than 3 characters", () => {
  it("is refused when it is loaded, naming the secret, before anything runs or is recorded", async () => {
    const demo = project(`apiVersion: relctl/v1
name: demo
secrets:
  tok: env://TOK
stages:
  build:
    steps:
      - { id: make, uses: exec.run, with: { argv: [touch, built.txt] } }
`);
    const result = await demo.run(["build", "--yes"], { TOK: "ab" });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain("secret tok (env://TOK) is shorter than 3 characters");
    expect(result.stderr).not.toContain("ab\n");
    expect(existsSync(join(demo.dir, "built.txt"))).toBe(false);
    expect(filesUnder(join(demo.state, "runs"))).toEqual([]);

    // A plan reads the secrets too: the same refusal, not a plan that would leak it.
    const plan = await demo.run(["plan"], { TOK: "ab" });
    expect(plan.exitCode).toBe(2);
    expect(plan.stderr).toContain("secret tok");
  });
});

describe("the Basic credential relctl builds from a secret", () => {
  // A Prometheus behind a proxy that answers with what it was sent (a fault injected on loopback):
  // relctl prints the answer in the step's error, with base64(user:password) in it.
  let echo: LoopbackServer;
  beforeAll(async () => {
    echo = await loopbackServer((request, response) => {
      response.writeHead(502, { "content-type": "text/plain" });
      response.end(`bad gateway for authorization: ${request.headers.authorization ?? "none"}`);
    });
  });
  afterAll(() => echo.close());

  it("is *** in the terminal, the journal and the evidence, whatever the user name", async () => {
    const demo = project(`apiVersion: relctl/v1
name: demo
secrets:
  prom_password: env://PROM_PASSWORD
stages:
  validate:
    steps:
      - id: budget
        uses: prometheus.query
        with:
          url: ${echo.url}
          query: up
          basic_auth: { username: ci, password_secret: prom_password }
`);
    const result = await demo.run(["validate", "--yes"], { PROM_PASSWORD: TOKEN });
    expect(result.exitCode).toBe(1);
    // The proof the credential reached the error: the answer is printed, the credential hidden.
    expect(result.stderr + result.stdout).toContain("authorization: Basic ***");
    expect(leaks(result.stdout + result.stderr)).toEqual([]);
    const written = records(demo.state);
    expect(written.some(([, text]) => text.includes("Basic ***"))).toBe(true);
    expect(written.filter(([, text]) => leaks(text).length > 0).map(([file]) => file)).toEqual([]);
  });
});
