// Issues in the fake GitHub: created with labels and assignees, listed by state and labels.
import { list, type Route } from "./http.js";

export interface Issue {
  id: number;
  number: number;
  title: string;
  body: string | null;
  labels: string[];
  assignees: string[];
  state: "open" | "closed";
}

export function issueRoutes(issues: Issue[]): Route {
  return ({ url, method, path, api, json, nextId }) => {
    const match = /^\/repos\/([^/]+\/[^/]+)\/issues$/.exec(path);
    if (!match) return undefined;
    const repo = match[1]!;
    const issueJson = (issue: Issue) => ({
      id: issue.id,
      number: issue.number,
      url: `${api}/repos/${repo}/issues/${issue.number}`,
      html_url: `https://github.example/${repo}/issues/${issue.number}`,
      title: issue.title,
      body: issue.body,
      state: issue.state,
      labels: issue.labels.map((name, index) => ({ id: index + 1, name })),
      assignees: issue.assignees.map((login) => ({ login })),
    });
    if (method === "GET") {
      const wanted = (url.searchParams.get("labels") ?? "").split(",").filter(Boolean);
      const stateWanted = url.searchParams.get("state") ?? "open";
      const found = issues.filter(
        (issue) =>
          (stateWanted === "all" || issue.state === stateWanted) &&
          wanted.every((label) => issue.labels.includes(label)),
      );
      return list(url, found.map(issueJson));
    }
    if (method === "POST") {
      const input = json();
      const issue: Issue = {
        id: nextId(),
        number: issues.length + 1,
        title: String(input.title),
        body: (input.body as string | undefined) ?? null,
        labels: (input.labels as string[] | undefined) ?? [],
        assignees: (input.assignees as string[] | undefined) ?? [],
        state: "open",
      };
      issues.push(issue);
      return { status: 201, body: issueJson(issue) };
    }
    return undefined;
  };
}
