/**
 * Fault injection (npm run test:faults): the real worker under `wrangler dev` with a compressed
 * retry schedule, webhook receivers on loopback that misbehave in every way the delivery code
 * distinguishes, and the sweep and queue failure modes. The promise under test: after the retry
 * schedule, every event reaches every live subscriber at least once, exactly once after
 * deduplication by webhook-id, and the delivery log says what happened, attempt by attempt.
 *
 * The worker is served from e2e/faults.entry.ts: src/index.ts plus two test-only injectors
 * (duplicate queue messages; a sweep that dies between its D1 batch and its enqueue).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startReceiver, startWorker, waitFor, type ReceivedHook, type Receiver, type WorkerHandle } from "./harness";

const SCHEDULE = "1,1,1,1,1,1,1,1";
const TIMEOUT_SECONDS = 2;

let worker: WorkerHandle;
const receivers: Receiver[] = [];

beforeAll(async () => {
  worker = await startWorker({
    vars: { ALLOW_PRIVATE_WEBHOOK_TARGETS: "true", WEBHOOK_RETRY_SCHEDULE: SCHEDULE, WEBHOOK_TIMEOUT_SECONDS: String(TIMEOUT_SECONDS) },
    // An option (its default value) ends the repeated `--var` list so the entry is read as the script.
    args: ["--local-protocol", "http", "e2e/faults.entry.ts"],
  });
});

afterAll(async () => {
  await worker?.stop();
  for (const r of receivers) await r.close();
});

/** What a receiver answered, per webhook-id, in order: the truth the delivery log must tell. */
type Answer = number | "reset" | "hang";

interface Behaviour {
  name: string;
  live: boolean;
  /** Answers one attempt; `n` counts earlier attempts of this webhook-id. */
  answer: (n: number) => Answer;
}

/** 50% failures at random, but never more than 4 in a row for one id, so the schedule of 8 retries always suffices. */
const flaky: Behaviour = { name: "flaky 50%", live: true, answer: (n) => (n < 4 && Math.random() < 0.5 ? 500 : 204) };
const BEHAVIOURS: Behaviour[] = [
  { name: "steady", live: true, answer: () => 204 },
  flaky,
  { name: "hangs past the timeout", live: true, answer: (n) => (n === 0 ? "hang" : 204) },
  { name: "429 with Retry-After", live: true, answer: (n) => (n === 0 ? 429 : 204) },
  { name: "redirects", live: true, answer: (n) => (n === 0 ? 302 : 204) },
  { name: "resets the connection", live: true, answer: (n) => (n === 0 ? "reset" : 204) },
  { name: "410 Gone", live: false, answer: () => 410 },
];

interface Subscriber {
  behaviour: Behaviour;
  receiver: Receiver;
  id: string;
  secret: string;
  answers: Map<string, Answer[]>;
}

async function subscriber(behaviour: Behaviour, eventTypes: string[], extra: Record<string, unknown> = {}): Promise<Subscriber> {
  const receiver = await startReceiver();
  receivers.push(receiver);
  const answers = new Map<string, Answer[]>();
  receiver.respond = (hook: ReceivedHook, req: IncomingMessage, res: ServerResponse) => {
    const list = answers.get(hook.id) ?? [];
    const answer = behaviour.answer(list.length);
    list.push(answer);
    answers.set(hook.id, list);
    if (answer === "reset") {
      req.socket.destroy();
      return;
    }
    if (answer === "hang") {
      // Answer long after the worker's timeout (and then only by closing the socket).
      setTimeout(() => req.socket.destroy(), (TIMEOUT_SECONDS + 3) * 1000);
      return;
    }
    res.statusCode = answer;
    if (answer === 429) res.setHeader("retry-after", "1");
    if (answer === 302) res.setHeader("location", "http://127.0.0.1:9/elsewhere");
    res.end(answer >= 400 ? `answer ${answer}` : "");
  };
  const sub = await worker.api("POST", "/api/v1/subscriptions", { url: receiver.url, event_types: eventTypes, ...extra });
  expect(sub.status, JSON.stringify(sub.body)).toBe(201);
  return { behaviour, receiver, id: sub.body.id, secret: sub.body.secret, answers };
}

function verified(s: Subscriber, hook: ReceivedHook): { type: string } {
  return new Webhook(s.secret).verify(hook.body, {
    "webhook-id": hook.id,
    "webhook-timestamp": hook.timestamp,
    "webhook-signature": hook.signature,
  }) as { type: string };
}

async function deliveryLog(subId: string) {
  const items: any[] = [];
  let cursor: string | null = null;
  do {
    const page = await worker.api("GET", `/api/v1/subscriptions/${subId}/deliveries?limit=200${cursor ? `&cursor=${cursor}` : ""}`);
    expect(page.status).toBe(200);
    items.push(...page.body.items);
    cursor = page.body.next_cursor;
  } while (cursor);
  return items;
}

async function eventIds(commitmentIds: string[], types: string[]): Promise<string[]> {
  const ids: string[] = [];
  for (const id of commitmentIds) {
    const page = await worker.api("GET", `/api/v1/commitments/${id}/events?limit=200`);
    ids.push(...page.body.items.filter((e: any) => types.includes(e.type)).map((e: any) => e.id));
  }
  return ids.sort();
}

let agreementCount = 0;
async function agreement(): Promise<string> {
  const id = `faults-${Date.now().toString(36)}-${agreementCount++}`;
  const res = await worker.api("POST", "/api/v1/agreements", { id, title: "Fault agreement", kind: "memorandum", signed_on: "2026-01-01" });
  expect(res.status).toBe(201);
  return id;
}

/** Every live subscriber holds every expected event exactly once after dedup, verified, and nothing else. */
function expectExactlyOnce(s: Subscriber, expected: string[]) {
  const ids = new Set<string>();
  for (const hook of s.receiver.received) {
    verified(s, hook);
    ids.add(hook.id);
  }
  expect([...ids].sort(), s.behaviour.name).toEqual(expected);
}

describe("fault injection: misbehaving receivers", () => {
  it("delivers every event to every live subscriber exactly once after dedup, and the log tells the truth", async () => {
    const types = ["commitment.created", "commitment.status_changed"];
    const subs = await Promise.all(BEHAVIOURS.map((b) => subscriber(b, types)));
    const agr = await agreement();
    const commitments: string[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await worker.api("POST", "/api/v1/commitments", { id: `${agr}-c${i}`, agreement: agr, title: `Commitment ${i}` });
      expect(res.status).toBe(201);
      commitments.push(res.body.id);
    }
    for (const id of commitments) {
      expect((await worker.api("POST", `/api/v1/commitments/${id}/status`, { status: "in_progress" })).status).toBe(200);
    }
    const expected = await eventIds(commitments, types);
    expect(expected).toHaveLength(8);

    const live = subs.filter((s) => s.behaviour.live);
    // Bounded: 8 events x 6 live receivers; the worst case is 5 attempts 1 s apart plus queue latency.
    await waitFor(
      async () => {
        for (const s of live) if (new Set(s.receiver.received.map((h) => h.id)).size < expected.length) return false;
        for (const s of subs) if ((await deliveryLog(s.id)).some((d) => d.state === "pending")) return false;
        return true;
      },
      150_000,
      "every live subscriber to hold every event and no delivery to be pending",
    );
    for (const s of live) {
      expectExactlyOnce(s, expected);
      const log = await deliveryLog(s.id);
      expect(log.map((d) => d.event_id).sort(), s.behaviour.name).toEqual(expected);
      for (const d of log) {
        expect(d.state, `${s.behaviour.name} ${d.event_id}`).toBe("succeeded");
        const answers = s.answers.get(d.event_id)!;
        // One logged attempt per request the receiver saw, with what it answered.
        expect(d.attempt_log.map((a: any) => a.status_code), s.behaviour.name).toEqual(
          answers.map((a) => (typeof a === "number" ? a : null)),
        );
        d.attempt_log.forEach((a: any, i: number) => {
          const answer = answers[i];
          if (answer === "hang") expect(a.error).toMatch(/timed out/);
          if (answer === "reset") expect(a.error).toMatch(/network error/);
          if (answer === 302) expect(a.error).toMatch(/redirect .*not followed/);
          if (answer === 429 || answer === 500) expect(a.error).toBe(`HTTP ${answer}`);
          if (answer === 204) expect(a.error).toBeNull();
        });
      }
    }
    // 429 with Retry-After: 1 waited at least a second before the next attempt.
    const rate = live.find((s) => s.behaviour.name.startsWith("429"))!;
    for (const d of await deliveryLog(rate.id)) {
      expect(Date.parse(d.attempt_log[1].attempted_at) - Date.parse(d.attempt_log[0].attempted_at)).toBeGreaterThanOrEqual(900);
    }
    // The redirect was never followed: nothing reached its target (a closed port) and the retry came back here.
    // 410: the subscription is disabled after its first delivery, with the reason recorded.
    const gone = subs.find((s) => !s.behaviour.live)!;
    const goneSub = await worker.api("GET", `/api/v1/subscriptions/${gone.id}`);
    expect(goneSub.body.state).toBe("disabled");
    expect(goneSub.body.disabled_reason).toMatch(/410/);
    const goneLog = await deliveryLog(gone.id);
    const failed = goneLog.filter((d) => d.state === "failed");
    expect(failed.length).toBeGreaterThanOrEqual(1);
    for (const d of failed) expect(d.attempt_log.map((a: any) => a.status_code)).toEqual([410]);
    for (const d of goneLog) expect(["failed", "cancelled"]).toContain(d.state);
    // Every request it received is logged as a 410 attempt; cancelled ones were never sent.
    const sent = goneLog.flatMap((d) => d.attempt_log).filter((a: any) => a.status_code !== null);
    expect(gone.receiver.received.length).toBe(sent.length);
    for (const d of goneLog.filter((d) => d.state === "cancelled")) expect(d.attempt_log.every((a: any) => a.status_code === null)).toBe(true);
  });
});

describe("fault injection: sweeps and the queue", () => {
  async function overdueSoon(agr: string, n: number, inMs: number): Promise<string[]> {
    const ids: string[] = [];
    const dueAt = new Date(Date.now() + inMs).toISOString();
    for (let i = 0; i < n; i++) {
      const res = await worker.api("POST", "/api/v1/commitments", { id: `${agr}-o${i}`, agreement: agr, title: `Due ${i}`, deadline: { due_at: dueAt } });
      expect(res.status).toBe(201);
      ids.push(res.body.id);
    }
    return ids;
  }

  it("two sweeps at the same instant record each overdue event once and deliver it once", async () => {
    const s = await subscriber(BEHAVIOURS[0]!, ["commitment.overdue"]);
    const agr = await agreement();
    const ids = await overdueSoon(agr, 5, 1000);
    await new Promise((r) => setTimeout(r, 1500));
    const at = Date.now();
    await Promise.all([worker.sweep(at), worker.sweep(at)]);
    await worker.sweep(at + 1);
    const expected = await eventIds(ids, ["commitment.overdue"]);
    expect(expected).toHaveLength(5);
    await waitFor(() => new Set(s.receiver.received.map((h) => h.id)).size >= 5, 60_000, "five overdue webhooks");
    await new Promise((r) => setTimeout(r, 3000));
    expectExactlyOnce(s, expected);
    expect(s.receiver.received).toHaveLength(5);
  });

  it("a sweep that dies between its batch and its enqueue loses nothing: the next sweep re-sends", async () => {
    const s = await subscriber(BEHAVIOURS[0]!, ["commitment.overdue"]);
    const agr = await agreement();
    const ids = await overdueSoon(agr, 3, 1000);
    await new Promise((r) => setTimeout(r, 1500));
    const at = Date.now();
    const crash = await fetch(`${worker.url}/__faults/sweep-crash?time=${at}`, { method: "POST" });
    expect(await crash.json()).toMatchObject({ crashed: true });
    const expected = await eventIds(ids, ["commitment.overdue"]);
    expect(expected).toHaveLength(3);
    // Committed but never enqueued: nothing arrives on its own.
    await new Promise((r) => setTimeout(r, 3000));
    expect(s.receiver.received).toHaveLength(0);
    // A regular sweep within the outbox lease leaves the rows alone (no double send) ...
    await worker.sweep(at + 30_000);
    // ... and the first one past the lease re-sends them.
    await worker.sweep(at + 61_000);
    await waitFor(() => new Set(s.receiver.received.map((h) => h.id)).size >= 3, 60_000, "the re-sent overdue webhooks");
    await new Promise((r) => setTimeout(r, 3000));
    expectExactlyOnce(s, expected);
    expect(s.receiver.received).toHaveLength(3);
    // A later overlapping run finds nothing new.
    await Promise.all([worker.sweep(at + 62_000), worker.sweep(at + 62_000)]);
    expect(await eventIds(ids, ["commitment.overdue"])).toEqual(expected);
  });

  it("queue messages delivered more than once add no delivery and no duplicate webhook", async () => {
    const s = await subscriber(BEHAVIOURS[0]!, ["commitment.status_changed"]);
    const agr = await agreement();
    const res = await worker.api("POST", "/api/v1/commitments", { id: `${agr}-dup`, agreement: agr, title: "Duplicated" });
    expect(res.status).toBe(201);
    expect((await worker.api("POST", `/api/v1/commitments/${agr}-dup/status`, { status: "stalled" })).status).toBe(200);
    const [eventId] = await eventIds([`${agr}-dup`], ["commitment.status_changed"]);
    // The writer already enqueued its fan-out; the queue hands the same fan-out to consumers 3 more times.
    const sent = await fetch(`${worker.url}/__faults/enqueue`, {
      method: "POST",
      body: JSON.stringify({ messages: [{ kind: "fanout", eventIds: [eventId] }], copies: 3 }),
    });
    expect(sent.status).toBe(200);
    await waitFor(() => s.receiver.received.length >= 1, 60_000, "the status_changed webhook");
    const [delivery] = await deliveryLog(s.id);
    // And the deliver message for it, three times at once.
    await fetch(`${worker.url}/__faults/enqueue`, {
      method: "POST",
      body: JSON.stringify({ messages: [{ kind: "deliver", deliveryIds: [delivery.id] }], copies: 3 }),
    });
    await new Promise((r) => setTimeout(r, 4000));
    expect(s.receiver.received.map((h) => h.id)).toEqual([eventId]);
    const log = await deliveryLog(s.id);
    expect(log).toHaveLength(1);
    expect(log[0].state).toBe("succeeded");
    expect(log[0].attempt_log).toHaveLength(1);
  });

  it("left no error in the worker's log beyond the injected ones", () => {
    const errors = worker.log.filter((l) => /✘|\[ERROR\]|Uncaught|unhandled|failed; retrying|unreadable queue message/i.test(l));
    expect(errors).toEqual([]);
  });
});
