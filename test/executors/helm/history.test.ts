// Where helm.rollback goes when no revision is given and relctl has no record of its own:
// the newest revision before the current one that ran successfully, from `helm history -o json`.
import { describe, expect, it } from "vitest";
import { previousSuccessful, type HistoryEntry } from "../../../src/executors/helm/history.js";

// As `helm history api -o json` prints it, oldest first.
const history: HistoryEntry[] = [
  { revision: 1, status: "superseded", chart: "api-1.1.0", app_version: "1.1.0" },
  { revision: 2, status: "superseded", chart: "api-1.2.0", app_version: "1.2.0" },
  { revision: 3, status: "deployed", chart: "api-1.3.0", app_version: "1.3.0" },
];

describe("rollback target from helm history", () => {
  it("picks the revision the deployed one superseded", () => {
    expect(previousSuccessful(history)?.revision).toBe(2);
  });

  it("after a failed upgrade, picks the release that was running before it", () => {
    const failed = [...history, { revision: 4, status: "failed", chart: "api-1.4.0", app_version: "1.4.0" }];
    expect(previousSuccessful(failed)?.revision).toBe(3);
  });

  it("skips failed and pending revisions", () => {
    const messy = [
      { revision: 1, status: "superseded", chart: "api-1.1.0" },
      { revision: 2, status: "failed", chart: "api-1.2.0" },
      { revision: 3, status: "pending-upgrade", chart: "api-1.2.1" },
      { revision: 4, status: "deployed", chart: "api-1.3.0" },
    ];
    expect(previousSuccessful(messy)?.revision).toBe(1);
  });

  it("finds nothing when there is no earlier good revision", () => {
    expect(previousSuccessful([history[0]!])).toBeUndefined();
    expect(previousSuccessful([])).toBeUndefined();
  });
});
