import { vValidator } from "@hono/valibot-validator";
import type { ValidationTargets } from "hono";
import * as v from "valibot";
import { DomainError, type ErrorIssue } from "../../lib/errors";

/** valibot's issue path as "commitments.3.deadline.due_on"; "" for the whole value. */
export function issuePath(issue: v.BaseIssue<unknown>): string {
  return (issue.path ?? []).map((p) => String(p.key)).join(".");
}

/**
 * Every issue of a failed parse, one per field (valibot reports all, not just the first). A
 * pipe keeps checking a string after one of its checks failed ("not a url" fails both v.url and
 * the http(s) check), so only the first issue of each path is kept.
 */
export function toIssues(issues: readonly v.BaseIssue<unknown>[]): ErrorIssue[] {
  const byPath = new Map<string, ErrorIssue>();
  for (const i of issues) {
    const path = issuePath(i);
    if (!byPath.has(path)) byPath.set(path, { path, message: i.message });
  }
  return [...byPath.values()];
}

export function invalidInput(issues: ErrorIssue[], where = "request body"): DomainError {
  const first = issues[0];
  const summary = first ? `${first.path || where}: ${first.message}` : "invalid input";
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : "";
  return new DomainError("invalid_input", `invalid ${where}: ${summary}${more}`, issues);
}

const WHERE: Partial<Record<keyof ValidationTargets, string>> = {
  json: "request body",
  query: "query string",
  param: "path",
};

/** Hono's valibot validator, answering failures with the error envelope listing every field. */
export const validate = <T extends v.GenericSchema, Target extends keyof ValidationTargets>(target: Target, schema: T) =>
  vValidator(target, schema, (result) => {
    if (!result.success) throw invalidInput(toIssues(result.issues), WHERE[target]);
  });
