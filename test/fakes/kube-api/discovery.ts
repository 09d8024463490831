// Discovery, the documents kubectl and helm read first: /version, the legacy group list (/api,
// /apis) and each group version's resources. The API answers plain application/json, so the
// clients fall back from aggregated discovery (apidiscovery.k8s.io/v2) the way they do against
// an older server.
import { discoveryResources, groupVersion, groupVersions, RESOURCES } from "./resources.js";

/** The Kubernetes version the fake API reports (within both kubectl layers' skew). */
export const SERVER_VERSION = { major: "1", minor: "32", gitVersion: "v1.32.4" };

export function version() {
  return {
    ...SERVER_VERSION,
    gitCommit: "0000000000000000000000000000000000000000",
    gitTreeState: "clean",
    buildDate: "2025-04-22T16:00:00Z",
    goVersion: "go1.23.8",
    compiler: "gc",
    platform: "linux/amd64",
  };
}

export function coreVersions(host: string) {
  return {
    kind: "APIVersions",
    versions: ["v1"],
    serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress: host }],
  };
}

export function groupList() {
  const groups = [
    ...new Set(RESOURCES.filter((resource) => resource.group !== "").map((resource) => resource.group)),
  ];
  return {
    kind: "APIGroupList",
    apiVersion: "v1",
    groups: groups.map((name) => {
      const versions = groupVersions()
        .filter((gv) => gv.startsWith(`${name}/`))
        .map((gv) => ({ groupVersion: gv, version: gv.slice(name.length + 1) }));
      return { name, versions, preferredVersion: versions[0] };
    }),
  };
}

export function group(name: string) {
  return groupList().groups.find((candidate) => candidate.name === name);
}

/** The APIResourceList of one group version, or undefined when the API does not serve it. */
export function resourceList(gv: string) {
  const resources = RESOURCES.filter((resource) => groupVersion(resource) === gv);
  if (resources.length === 0) return undefined;
  return {
    kind: "APIResourceList",
    apiVersion: "v1",
    groupVersion: gv,
    resources: resources.map(discoveryResources),
  };
}
