// What the kubectl actions refuse before running anything. The actions themselves run on the
// real kubectl 1.31 and 1.33 against the loopback Kubernetes API: real-kubectl.test.ts.
import { describe, expect, it } from "vitest";
import kubectl from "../../../src/executors/kubectl.js";
import { refusal } from "../tool-fakes.js";

describe("kubectl inputs", () => {
  it.each([
    [{ resource: "-n=kube-system" }, 'resource must not start with "-"'],
    [
      { resource: "pod/api" },
      '"pod/api" is not a workload: write deployment/NAME, daemonset/NAME or statefulset/NAME',
    ],
    [
      { resource: "deployment/api", namespace: "Prod" },
      "a namespace is a DNS label: lowercase letters, digits and -, at most 63 characters",
    ],
  ])("refuses %j", (input, message) => {
    expect(refusal(kubectl, "rollout_status", input)).toContain(message);
  });

  it("refuses an image that would read as an option and a container name that is not one", () => {
    expect(refusal(kubectl, "set_image", { resource: "deployment/api", images: { api: "--all" } })).toContain(
      'image must not start with "-"',
    );
    expect(refusal(kubectl, "set_image", { resource: "deployment/api", images: { "a=b": "x" } })).toContain(
      "a container name (or * for every container)",
    );
  });
});
