import { describe, expect, it } from "vitest";
import { fillTemplate } from "../../../src/notify/placeholders.js";
import {
  buildMessage,
  messageMarkdown,
  missingFields,
  TEMPLATE_NAMES,
} from "../../../src/notify/templates.js";

describe("message templates", () => {
  it("fill {name} placeholders and report the ones without a value", () => {
    expect(fillTemplate("{a} and {b} and {a}", { a: 1, b: "" })).toEqual({
      text: "1 and {b} and 1",
      missing: ["b"],
    });
  });

  it("show a list field one item per line", () => {
    expect(fillTemplate("{changes}", { changes: ["fix auth", "bump deps"] }).text).toBe(
      "- fix auth\n- bump deps",
    );
  });

  it("leave out facts and links whose fields were not given", () => {
    const message = buildMessage({
      template: "rollback",
      fields: { version: "v2.0.0", reason: "probe failed" },
    });
    expect(message.facts).toEqual([{ name: "Reason", value: "probe failed" }]);
    expect(message.links).toEqual([]);
    expect(message.sections.map((section) => section.heading)).toEqual(["Action items"]);
  });

  it("write versions with one leading v whether given 1.2.0 or v1.2.0", () => {
    for (const version of ["1.2.0", "v1.2.0"]) {
      expect(buildMessage({ template: "train_cut", fields: { version } }).title).toBe(
        "🚂 Release train v1.2.0 cut",
      );
    }
  });

  it("keep an optional part of a fact only when its fields are there", () => {
    const fields = { version: "1.2.0", weight: 50, error_rate: "0.8%" };
    expect(buildMessage({ template: "canary_progress", fields }).facts).toContainEqual({
      name: "Error rate",
      value: "0.8%",
    });
    expect(
      buildMessage({ template: "canary_progress", fields: { ...fields, error_rate_target: 1 } }).facts,
    ).toContainEqual({ name: "Error rate", value: "0.8% (target: < 1%)" });
  });

  it("colour a canary update by its status", () => {
    const tone = (status: string) =>
      buildMessage({ template: "canary_progress", fields: { version: "1", weight: 10, status } }).tone;
    expect([tone("Healthy"), tone("Warning"), tone("Rolling back")]).toEqual(["good", "warning", "danger"]);
  });

  it("render the hotfix message with the runbook's default environment", () => {
    const message = buildMessage({
      template: "hotfix_deployed",
      fields: {
        version: "1.2.4",
        base_version: "1.2.3",
        justification: "INC-1234 auth bypass",
        changes: ["fix: token check"],
      },
    });
    expect(messageMarkdown(message)).toBe(
      [
        "**🚒 HOTFIX: v1.2.4**",
        "",
        "**Base version**: v1.2.3",
        "**Justification**: INC-1234 auth bypass",
        "**Status**: Deployed to production",
        "",
        "**Changes**:",
        "- fix: token check",
      ].join("\n"),
    );
  });

  it("name the fields a template needs and a custom title reads", () => {
    expect(missingFields({ template: "hotfix_deployed", fields: { version: "1" } })).toEqual([
      "justification",
    ]);
    expect(missingFields({ template: "custom", title: "{service} is out", fields: {} })).toEqual(["service"]);
  });

  it("fail when a required field is given but empty", () => {
    expect(() => buildMessage({ template: "rollback", fields: { version: "1", reason: "" } })).toThrow(
      "the rollback message needs fields.reason, which is empty",
    );
  });

  it("exist for every moment of the runbook", () => {
    expect(TEMPLATE_NAMES).toEqual(["train_cut", "canary_progress", "rollback", "hotfix_deployed", "freeze"]);
  });
});
