// Live progress, seen as a person sees it: the built relctl runs in a real terminal (tmux), and
// the test reads the screen while a step runs. Each step waits on a file the test creates, so
// the test decides when it ends; every wait below is a poll on the screen with a hang guard.
import { execa } from "execa";
import { randomBytes } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { relctlBin, startRelctl, tempProject } from "../helpers/cli.js";
import { startServer } from "../helpers/servers.js";

const HANG_GUARD_MS = 30_000;

/** A step that runs until the test creates `file` in the run's directory. */
const waitFor = (file: string) => `{ argv: [sh, -c, 'while [ ! -e ${file} ]; do sleep 0.05; done'] }`;

const PARALLEL = `apiVersion: relctl/v1
name: live
stages:
  canary:
    steps:
      - { id: shift, name: Shift traffic, uses: exec.run, needs: [], with: ${waitFor("release-shift")} }
      - { id: probe, uses: exec.run, needs: [], with: ${waitFor("release-probe")} }
      - { id: hold, uses: wait.sleep, needs: [shift, probe], with: { duration: 1s } }
`;

const quote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;

class Tmux {
  private readonly socket = `relctl-test-${randomBytes(4).toString("hex")}`;

  async start(command: string): Promise<void> {
    try {
      await execa("tmux", ["-V"]);
    } catch {
      throw new Error("tmux is missing: install the Debian package tmux (apt-get install tmux)");
    }
    await this.tmux("new-session", "-d", "-x", "120", "-y", "30", "-s", "t", command);
  }

  screen(): Promise<string> {
    return this.tmux("capture-pane", "-p", "-t", "t");
  }

  async cursorVisible(): Promise<boolean> {
    return (await this.tmux("display-message", "-p", "-t", "t", "#{cursor_flag}")).trim() === "1";
  }

  async keys(...keys: string[]): Promise<void> {
    await this.tmux("send-keys", "-t", "t", ...keys);
  }

  /** Polls the screen until `found` says it shows what the test waits for. */
  async until(found: (screen: string) => boolean, what: string): Promise<string> {
    const deadline = Date.now() + HANG_GUARD_MS;
    for (;;) {
      const screen = await this.screen();
      if (found(screen)) return screen;
      if (Date.now() > deadline) throw new Error(`the screen never showed ${what}:\n${screen}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async kill(): Promise<void> {
    await execa("tmux", ["-L", this.socket, "kill-server"], { reject: false });
  }

  private async tmux(...args: string[]): Promise<string> {
    const result = await execa("tmux", ["-L", this.socket, ...args]);
    return result.stdout;
  }
}

/** Runs `relctl canary --yes` in `dir` in the terminal; the pane stays after it exits. */
function relctlInTerminal(tmux: Tmux, dir: string): Promise<void> {
  const env = `env -u CI -u GITHUB_ACTIONS NO_COLOR=1 TERM=xterm-256color`;
  const run = `cd ${quote(dir)} && ${env} ${quote(process.execPath)} ${quote(relctlBin)} canary --yes`;
  return tmux.start(`${run}; echo "EXIT=$?"; exec sleep 600`);
}

const liveLine = (screen: string, step: string) =>
  screen.split("\n").find((line) => new RegExp(`^ {2}▸ ${step}\\b.* \\d+s\\b`).test(line));

describe("live progress on a terminal", () => {
  let tmux: Tmux;
  afterEach(async () => {
    await tmux.kill();
  });

  it("shows each running step with its elapsed time, updated in place, and leaves the final lines", async () => {
    tmux = new Tmux();
    const dir = tempProject({ "relctl.yaml": PARALLEL });
    await relctlInTerminal(tmux, dir);

    const first = await tmux.until(
      (screen) => liveLine(screen, "shift") !== undefined && liveLine(screen, "probe") !== undefined,
      "a live line with the elapsed time for each parallel step",
    );
    expect(liveLine(first, "shift")).toContain("Shift traffic");
    const before = liveLine(first, "shift");
    const later = await tmux.until(
      (screen) => liveLine(screen, "shift") !== undefined && liveLine(screen, "shift") !== before,
      "the elapsed time of shift change in place",
    );
    // Redrawn in place: one line per running step, never a second copy.
    expect(later.split("\n").filter((line) => line.includes("▸ shift"))).toHaveLength(1);
    expect(await tmux.cursorVisible()).toBe(false);

    writeFileSync(join(dir, "release-shift"), "");
    const oneDone = await tmux.until(
      (screen) => screen.includes("✓ shift") && liveLine(screen, "shift") === undefined,
      "shift end while probe still runs",
    );
    expect(liveLine(oneDone, "probe")).toBeDefined();

    writeFileSync(join(dir, "release-probe"), "");
    await tmux.until((screen) => liveLine(screen, "hold") !== undefined, "the wait's live line");
    const final = await tmux.until((screen) => /EXIT=\d+/.test(screen), "relctl exit");
    expect(final).toContain("EXIT=0");
    expect(final).toMatch(/✓ shift Shift traffic \S+/);
    expect(final).toMatch(/✓ probe \S+/);
    expect(final).toMatch(/✓ hold \S+/);
    expect(final).toContain("succeeded in");
    expect(final).not.toContain("▸");
    expect(await tmux.cursorVisible()).toBe(true);
  });

  it("shows a wait's countdown", async () => {
    tmux = new Tmux();
    const dir = tempProject({
      "relctl.yaml": `apiVersion: relctl/v1
name: live
stages:
  canary:
    steps:
      - { id: hold, uses: wait.sleep, with: { duration: 1h } }
`,
    });
    await relctlInTerminal(tmux, dir);
    const screen = await tmux.until(
      (text) => /▸ hold \d+s · 59m5\ds left/.test(text),
      "the wait's time left",
    );
    expect(screen).toContain("stage canary");
    await tmux.keys("C-c");
    await tmux.until((text) => /EXIT=\d+/.test(text), "relctl exit");
  });

  it("shows a gate's latest values and hold progress on its line, from a real Prometheus", async () => {
    // An empty TSDB is enough: the gate's query is a constant expression Prometheus evaluates.
    const data = mkdtempSync(join(tmpdir(), "relctl-prometheus-"));
    writeFileSync(join(data, "prometheus.yml"), "global:\n  evaluation_interval: 1m\n");
    const prometheus = await startServer({
      binary: "prometheus",
      debianPackage: "prometheus",
      readyPath: "/-/ready",
      args: (port) => [
        `--config.file=${join(data, "prometheus.yml")}`,
        `--storage.tsdb.path=${join(data, "tsdb")}`,
        `--web.listen-address=127.0.0.1:${port}`,
      ],
    });
    try {
      tmux = new Tmux();
      const dir = tempProject({
        "relctl.yaml": `apiVersion: relctl/v1
name: live
stages:
  canary:
    steps:
      - id: gate
        uses: prometheus.gate
        with:
          url: ${prometheus.url}
          interval: 1s
          hold: 1h
          metrics:
            - { name: error_rate, query: vector(0.004), unit: ratio, max: 0.01 }
`,
      });
      await relctlInTerminal(tmux, dir);
      const screen = await tmux.until(
        (text) => /▸ gate \d+s · error_rate 0\.4% <= 1% ok, held [1-9]\d*s\/1h/.test(text),
        "the gate's values and hold on its live line",
      );
      // Evaluations are redrawn on the one line, not appended one per evaluation.
      expect(screen).not.toMatch(/· gate: error_rate/);
      await tmux.keys("C-c");
      const final = await tmux.until((text) => /EXIT=\d+/.test(text), "relctl exit");
      expect(final).toContain("EXIT=130");
      expect(final).not.toContain("▸");
    } finally {
      await prometheus.stop();
    }
  });

  it("gives the cursor back and leaves no live line after Ctrl-C", async () => {
    tmux = new Tmux();
    const dir = tempProject({ "relctl.yaml": PARALLEL });
    await relctlInTerminal(tmux, dir);
    await tmux.until((screen) => liveLine(screen, "shift") !== undefined, "the live line of shift");
    await tmux.keys("C-c");
    const final = await tmux.until((screen) => /EXIT=\d+/.test(screen), "relctl exit");
    expect(final).toContain("EXIT=130");
    expect(final).toContain("SIGINT received");
    expect(final).toMatch(/⊘ shift/);
    expect(final).not.toContain("▸");
    expect(await tmux.cursorVisible()).toBe(true);
  });
});

describe("progress where lines are only appended (stdout is a pipe)", () => {
  it("says a long step is still running, at the interval RELCTL_HEARTBEAT sets", async () => {
    const dir = tempProject({ "relctl.yaml": PARALLEL.replace(/needs: \[\], /g, "") });
    const child = startRelctl(["canary", "--yes"], {
      cwd: dir,
      env: { RELCTL_HEARTBEAT: "50ms" },
      timeoutMs: HANG_GUARD_MS,
    });
    let stdout = "";
    const beats = new Promise<void>((resolve) => {
      child.stdout!.on("data", (chunk: Buffer) => {
        stdout += chunk.toString();
        // Two beats: the first, and one at the repeating interval.
        if ((stdout.match(/… shift still running \(\d+\w*\)/g) ?? []).length >= 2) resolve();
      });
    });
    await beats;
    writeFileSync(join(dir, "release-shift"), "");
    writeFileSync(join(dir, "release-probe"), "");
    const result = await child;
    expect(result.exitCode).toBe(0);
    const out = String(result.stdout);
    // Appended only: no cursor movement, no live line.
    expect(out).not.toContain("\u001b[");
    expect(out).not.toContain("▸");
    expect(out).toMatch(/ {2}… shift still running \(\d+(ms|s)\)\n/);
    // A step that has ended says nothing more.
    const afterEnd = out.slice(out.indexOf("✓ shift"));
    expect(afterEnd).not.toContain("shift still running");
  });
});
