/** HTTP to subscribers' callbacks: one error wording, for verify and deliver (bounded reads: platform/http/body.ts). */

export function transportError(error: unknown, timeoutMs: number): string {
  const name = error instanceof Error ? error.name : "";
  return name === "TimeoutError" || name === "AbortError"
    ? `timed out after ${timeoutMs / 1000} s`
    : `network error: ${error instanceof Error ? error.message : String(error)}`;
}

export const USER_AGENT = "pledgewatch-websub/1 (WebSub hub)";
