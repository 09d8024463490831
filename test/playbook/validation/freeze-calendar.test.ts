// The freeze calendar a playbook names is checked with the playbook: lint (and every command)
// reports its problems at their place in the calendar file, before anything runs.
import { describe, expect, it } from "vitest";
import { diagnose, lines } from "../../helpers/playbook.js";
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
});
