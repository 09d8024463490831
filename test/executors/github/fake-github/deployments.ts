// Deployments and their statuses in the fake GitHub.
import { list, notFound, type Route } from "./http.js";

export function deploymentRoutes(
  deployments: Record<string, unknown>[],
  statuses: Record<string, unknown>[],
): Route {
  return ({ url, method, path, api, json, nextId }) => {
    let match: RegExpExecArray | null;
    if ((match = /^\/repos\/([^/]+\/[^/]+)\/deployments$/.exec(path)) && method === "GET") {
      // Filtered by sha, ref, task and environment; newest first, as GitHub lists them.
      const filters = ["sha", "ref", "task", "environment"].flatMap((key) => {
        const wanted = url.searchParams.get(key);
        return wanted === null ? [] : [[key, wanted] as const];
      });
      const found = deployments.filter((item) => filters.every(([key, wanted]) => item[key] === wanted));
      return list(url, [...found].reverse());
    }
    if ((match = /^\/repos\/([^/]+\/[^/]+)\/deployments$/.exec(path)) && method === "POST") {
      const input = json();
      const id = nextId();
      const deployment = {
        url: `${api}/repos/${match[1]}/deployments/${id}`,
        id,
        node_id: `DE_${id}`,
        sha: "a84d88e7554fc1fa21bcbc4efae3c782a70d2b9d",
        ref: input.ref,
        task: input.task ?? "deploy",
        payload: input.payload ?? {},
        environment: input.environment ?? "production",
        description: input.description ?? null,
        statuses_url: `${api}/repos/${match[1]}/deployments/${id}/statuses`,
        created_at: "2026-11-22T10:00:00Z",
      };
      deployments.push(deployment);
      return { status: 201, body: deployment };
    }
    if ((match = /^\/repos\/([^/]+\/[^/]+)\/deployments\/(\d+)\/statuses$/.exec(path)) && method === "POST") {
      if (!deployments.some((item) => item.id === Number(match![2]))) return notFound();
      const input = json();
      const id = nextId();
      const status = {
        url: `${api}/repos/${match[1]}/deployments/${match[2]}/statuses/${id}`,
        id,
        state: input.state,
        description: input.description ?? "",
        environment: input.environment ?? "production",
        log_url: input.log_url ?? "",
        environment_url: input.environment_url ?? "",
        deployment_url: `${api}/repos/${match[1]}/deployments/${match[2]}`,
      };
      statuses.push(status);
      return { status: 201, body: status };
    }
    return undefined;
  };
}
