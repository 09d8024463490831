// The freeze calendar a playbook names is checked with the playbook: lint (and every command)
// reports its problems at their place in the calendar file, before anything runs.
import { symlinkSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadPlaybook } from "../../../src/playbook/load.js";
import { diagnose, lines, writePlaybook } from "../../helpers/playbook.js";
import { doc, expectDiagnostics } from "./cases.js";

const PLAYBOOK = doc(
  "freeze_calendar: calendars/freeze.yaml", // 3
  "stages:",
  "  promote:",
  "    environment: production",
  "    steps: []",
);

describe("the freeze calendar named by a playbook", () => {
  it("is valid as written in the docs: no problems", async () => {
    const calendar = lines(
      "timezone: UTC",
      "environments: [production]",
      "windows:",
      '  - { name: weekend, from: "Fri 17:00", to: "Mon 09:00" }',
      "holidays:",
      "  - { name: new-year, date: 2027-01-01 }",
    );
    expect(await diagnose(PLAYBOOK, { "calendars/freeze.yaml": calendar })).toEqual([]);
  });

  it("reports every problem in the calendar at its own file:line:column", async () => {
    const calendar = lines(
      "environments: [production]",
      "windows:",
      '  - { name: w, from: "Friday 5pm", to: "Mon 09:00", timezone: Mars/Olympus }',
      "incidnets: []",
    );
    expectDiagnostics(await diagnose(PLAYBOOK, { "calendars/freeze.yaml": calendar }), [
      { code: "custom", at: "calendars/freeze.yaml:3:22", message: 'like "Fri 17:00", got "Friday 5pm"' },
      { code: "custom", at: "calendars/freeze.yaml:3:63", message: 'unknown time zone "Mars/Olympus"' },
      { code: "unknown-key", at: "calendars/freeze.yaml:4:1", message: "did you mean incidents?" },
    ]);
  });

  it("that does not exist is reported at the freeze_calendar key of the playbook", async () => {
    expectDiagnostics(await diagnose(PLAYBOOK), [
      {
        code: "freeze-calendar-unreadable",
        at: "relctl.yaml:3:18",
        path: "freeze_calendar",
        message: "cannot read the freeze calendar calendars/freeze.yaml: no such file",
        hint: "relative to the playbook file that names it",
      },
    ]);
  });

  it("is read relative to the included file that names it", async () => {
    const shared = lines("apiVersion: relctl/v1", "freeze_calendar: freeze.yaml");
    const root = lines(
      "apiVersion: relctl/v1",
      "name: train",
      "include: [shared/common.yaml]",
      "stages:",
      "  promote:",
      "    environment: production",
      "    steps: []",
    );
    const broken = lines("environments: [production]", "windows: {}");
    expectDiagnostics(await diagnose(root, { "shared/common.yaml": shared, "shared/freeze.yaml": broken }), [
      { code: "invalid_type", at: "shared/freeze.yaml:2:10", path: "windows", message: "expected array" },
    ]);
  });

  it.runIf(process.platform !== "win32")(
    "that links to /dev/zero is refused at the freeze_calendar key, without reading it",
    async () => {
      const dir = writePlaybook({ "relctl.yaml": PLAYBOOK, "calendars/.keep": "" });
      symlinkSync("/dev/zero", join(dir, "calendars/freeze.yaml"));
      const { diagnostics } = await loadPlaybook(join(dir, "relctl.yaml"), { cwd: dir });
      expectDiagnostics(diagnostics, [
        {
          code: "freeze-calendar-unreadable",
          at: "relctl.yaml:3:18",
          message:
            "cannot read the freeze calendar calendars/freeze.yaml: it is a character device, not a regular file",
          hint: "a freeze calendar must be a regular file",
        },
      ]);
    },
  );

  it("that is not UTF-8 is reported at the bad byte in the calendar", async () => {
    const dir = writePlaybook({
      "relctl.yaml": PLAYBOOK,
      "calendars/freeze.yaml": Buffer.concat([
        Buffer.from("environments: [production]\nholidays:\n  - { name: f"),
        Buffer.from([0xea, 0x74, 0x65]), // "fête" in Latin-1
        Buffer.from(", date: 2027-07-14 }\n"),
      ]),
    });
    const { diagnostics } = await loadPlaybook(join(dir, "relctl.yaml"), { cwd: dir });
    expectDiagnostics(diagnostics, [
      {
        code: "not-text",
        at: "calendars/freeze.yaml:3:14",
        message:
          "calendars/freeze.yaml is not UTF-8 text (invalid byte 0xea); a freeze calendar is UTF-8 YAML",
      },
    ]);
  });

  it("with an alias that has no anchor is reported at the alias", async () => {
    const calendar = lines("environments: [production]", "windows: *weekend");
    expectDiagnostics(await diagnose(PLAYBOOK, { "calendars/freeze.yaml": calendar }), [
      {
        code: "yaml-alias",
        at: "calendars/freeze.yaml:2:10",
        message: "invalid YAML: alias *weekend has no anchor &weekend before it",
      },
    ]);
  });
});
