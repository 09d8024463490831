// Secrets never leak, through the built binary: two secrets (env:// and file://) are planted in
// step inputs, an environment variable, a URL (where they travel URL-encoded), an output, and a
// failing command's stderr; then every byte relctl printed or left under .relctl is searched
// for them, plain, URL-encoded, JSON-escaped and base64.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { events, filesUnder, loopbackServer, project, type LoopbackServer } from "./helpers.js";

// Characters that change under every encoding: space, /, +, &, =, ?, %, a quote and a backslash.
const ENV_SECRET = 'EnV-t0ken/with spaces+&=?"q\\x';
const FILE_SECRET = "fIlE-s3cret/plus+amp&pct%25";

/** Every form in which a secret could be written somewhere. */
function forms(secret: string): string[] {
  const json = JSON.stringify(secret).slice(1, -1);
  return [
    secret,
    encodeURIComponent(secret),
    encodeURI(secret),
    encodeURIComponent(secret).replace(/%20/g, "+"),
    new URLSearchParams({ s: secret }).toString().slice(2),
    // What a URL makes of it in a query and in a password (WHATWG URL, as fetch sends it).
    urlForm((url) => (url.search = `?${secret}`)).search.slice(1),
    urlForm((url) => (url.password = secret)).password,
    json,
    JSON.stringify(json).slice(1, -1),
    Buffer.from(secret).toString("base64"),
  ];
}

function urlForm(set: (url: URL) => void): URL {
  const url = new URL("http://host/");
  set(url);
  return url;
}

function leaks(text: string): string[] {
  return [...forms(ENV_SECRET), ...forms(FILE_SECRET)].filter((form) => text.includes(form));
}

let api: LoopbackServer;
beforeAll(async () => {
  api = await loopbackServer((_request, response) => {
    response.writeHead(503, { "content-type": "text/plain" });
    response.end("unavailable");
  });
});
afterAll(() => api.close());

const playbook = (url: string) => `apiVersion: relctl/v1
name: api-release
secrets:
  deploy_token: env://DEPLOY_TOKEN
  registry_password: file://registry-password.txt
stages:
  stage:
    environment: staging
    steps:
      - id: login
        uses: exec.run
        outputs: [session]
        with:
          argv:
            - sh
            - -c
            - 'echo "login $1"; echo "warning: using $1" >&2; echo "session=$1:$REGISTRY_PASSWORD" >> "$RELCTL_OUTPUT"'
            - sh
            - "\${{ secrets.deploy_token }}"
          env: { REGISTRY_PASSWORD: "\${{ secrets.registry_password }}" }
      - id: encode
        uses: exec.run
        outputs: [encoded]
        with:
          # What tools print: a URL-encoded and a base64 copy, and a URL as fetch or curl shows it.
          argv:
            - node
            - -e
            - |
              for (const secret of process.argv.slice(1)) {
                console.log(encodeURIComponent(secret));
                console.error(Buffer.from(secret).toString("base64"));
                console.log(new URL("${url}/hooks?token=" + secret).href);
              }
              require("fs").appendFileSync(process.env.RELCTL_OUTPUT, "encoded=" + encodeURIComponent(process.argv[1]) + "\\n");
            - "\${{ secrets.deploy_token }}"
            - "\${{ secrets.registry_password }}"
      - id: notify
        uses: http.probe
        continue_on_error: true
        with:
          url: "${url}/hooks?token=\${{ secrets.deploy_token }}&password=\${{ secrets.registry_password }}"
          headers:
            authorization: { secret: deploy_token, prefix: "Bearer " }
          timeout: 2s
      - id: push
        uses: exec.run
        with:
          argv:
            - sh
            - -c
            - 'echo "push failed: bad credentials $1 / $REGISTRY_PASSWORD" >&2; exit 3'
            - sh
            - "\${{ secrets.deploy_token }}"
          env: { REGISTRY_PASSWORD: "\${{ secrets.registry_password }}" }
`;

describe.concurrent("secrets", () => {
  it("appear nowhere in stdout, stderr, --json events, the journal, the evidence or any file under .relctl", async () => {
    const p = project(playbook(api.url), { "registry-password.txt": `${FILE_SECRET}\n` });
    const env = { DEPLOY_TOKEN: ENV_SECRET };

    const json = await p.run(["stage", "--yes", "--json", "-v"], env);
    const terminal = await p.run(["stage", "--yes", "-v"], env);

    // The secrets were really used: the probe sent them, the steps ran and failed as planned.
    expect(api.requests.length).toBeGreaterThanOrEqual(2);
    expect(api.requests[0]!.url).toContain(`token=${new URL(`http://x/?${ENV_SECRET}`).search.slice(1)}`);
    expect(api.requests[0]!.headers.authorization).toBe(`Bearer ${ENV_SECRET}`);
    expect([json.exitCode, terminal.exitCode]).toEqual([1, 1]);
    const stream = events(json);
    expect(
      stream.find((event) => event.type === "step.end" && event.step === "login")?.outputs,
    ).toMatchObject({
      session: "***:***",
    });
    expect(stream.find((event) => event.step === "push" && event.type === "step.end")).toMatchObject({
      status: "failed",
      error: { exitCode: 3, stderrTail: "push failed: bad credentials *** / ***" },
    });
    expect(terminal.stdout).toContain("push failed: bad credentials *** / ***");

    for (const [what, text] of [
      ["--json stdout", json.stdout],
      ["--json stderr", json.stderr],
      ["terminal stdout", terminal.stdout],
      ["terminal stderr", terminal.stderr],
    ]) {
      expect(leaks(text!), what).toEqual([]);
    }
    const files = filesUnder(p.state);
    expect(files.filter((file) => file.endsWith("journal.jsonl")).length).toBeGreaterThanOrEqual(4);
    expect(files.some((file) => file.endsWith("manifest.json"))).toBe(true);
    expect(files.some((file) => file.startsWith("trains"))).toBe(false);
    for (const file of files) expect(leaks(p.read(join(".relctl", file))), file).toEqual([]);
  });

  it("a run refused for a missing secret names it, leaks nothing, and is recorded as blocked rather than crashed", async () => {
    const p = project(playbook(api.url), { "registry-password.txt": `${FILE_SECRET}\n` });

    const refused = await p.run(["stage", "--yes"]);

    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toContain("missing required secret: deploy_token");
    expect(leaks(refused.stdout + refused.stderr)).toEqual([]);
    const history = await p.run(["history"]);
    expect(history.stdout).toMatch(/api-release\s+staging\s+stage\s+blocked \(2\)/);
    for (const file of filesUnder(p.state)) expect(leaks(p.read(join(".relctl", file))), file).toEqual([]);
  });
});
