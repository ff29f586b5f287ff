import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { fanOut } from "../../src/alerts/fanout";
import { planAgreementDelete } from "../../src/ledger/agreements.service";
import { runBatch } from "../../src/platform/db/guard";
import { DomainError } from "../../src/lib/errors";
import { makeSubscription, recordingQueue } from "../alerts/alerts.helpers";
import { planCreateCommitment, runCreate } from "../../src/ledger/commitments.service";
import { call, createAgreement, createCommitment, db, json, tableCounts, uid } from "../helpers";
import { agreementEventsOf, expectError, issuePaths, makeToken, outboxOf } from "./ledger.helpers";

const remove = (id: string, token?: string | null) => call("DELETE", `/api/v1/agreements/${id}`, { token });

describe("deleting an agreement", () => {
  it("deletes an agreement without commitments, with an agreement.deleted event that keeps what it was", async () => {
    const agreement = await createAgreement({ title: "A memorandum signed by mistake" });
    const res = await remove(agreement.id);
    expect(res.status).toBe(204);
    expect(await res.text()).toBe("");
    await expectError(await call("GET", `/api/v1/agreements/${agreement.id}`), 404, "not_found");

    const events = await agreementEventsOf(agreement.id);
    expect(events.map((e) => e.type)).toEqual(["agreement.created", "agreement.deleted"]);
    const deleted = events[1]!;
    expect(deleted.actor).toBe("admin");
    const data = JSON.parse(deleted.data!);
    expect(data.title).toBe("A memorandum signed by mistake");
    expect(data.before).toMatchObject({ id: agreement.id, title: "A memorandum signed by mistake", signed_on: "2025-08-08", parties: ["A", "B"] });
    expect(await outboxOf([deleted.id])).toEqual([{ event_id: deleted.id, state: "pending" }]);
  });

  it("refuses to delete an agreement that has commitments, and changes nothing", async () => {
    const agreement = await createAgreement();
    await createCommitment(agreement.id);
    await createCommitment(agreement.id);
    const before = await tableCounts();
    const body = await expectError(await remove(agreement.id), 409, "agreement_not_empty");
    expect(body.error.message).toContain("has 2 commitments");
    expect(await tableCounts()).toEqual(before);
    expect((await call("GET", `/api/v1/agreements/${agreement.id}`)).status).toBe(200);
  });

  it("answers 404 for an unknown agreement, 401 without a token and 403 with a read token", async () => {
    const agreement = await createAgreement();
    await expectError(await remove("no-such-agreement"), 404, "not_found");
    await expectError(await remove(agreement.id, null), 401, "unauthorized");
    const read = await makeToken("read");
    await expectError(await remove(agreement.id, read.token), 403, "forbidden");
    expect((await call("GET", `/api/v1/agreements/${agreement.id}`)).status).toBe(200);
  });

  it("refuses a delete planned before a commitment was added, and keeps the agreement and its commitment", async () => {
    const agreement = await createAgreement();
    const ctx = { now: Date.now(), windowMs: 14 * 86_400_000, actor: "test", leadDays: [14], emitted: [] as string[] };
    const plan = await planAgreementDelete(db(), agreement.id, ctx);
    const c = await createCommitment(agreement.id);
    const before = await tableCounts();
    const error = await runBatch(db(), plan).then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe("conflict");
    expect(await tableCounts()).toEqual(before);
    expect((await call("GET", `/api/v1/commitments/${c.id}`)).status).toBe(200);
    // A new attempt reads the commitment and says why.
    await expectError(await remove(agreement.id), 409, "agreement_not_empty");
  });

  it("refuses a commitment for an agreement deleted meanwhile", async () => {
    const agreement = await createAgreement();
    expect((await remove(agreement.id)).status).toBe(204);
    const res = await call("POST", "/api/v1/commitments", { body: { agreement: agreement.id, title: "Too late" } });
    expect(issuePaths(await expectError(res, 400, "invalid_input"))).toEqual(["agreement"]);
  });

  it("refuses a commitment create planned before its agreement was deleted, and stores nothing", async () => {
    const agreement = await createAgreement();
    const ctx = { now: Date.now(), windowMs: 14 * 86_400_000, actor: "test", leadDays: [14], emitted: [] as string[] };
    const plan = await planCreateCommitment(db(), { id: uid("late"), agreement: agreement.id, title: "Planned too early" }, ctx);
    expect((await remove(agreement.id)).status).toBe(204);
    const before = await tableCounts();
    const error = await runCreate(db(), plan).then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe("conflict");
    expect(await tableCounts()).toEqual(before);
  });

  it("delivers agreement.deleted to a subscriber that asks for it", async () => {
    const now = Date.now();
    const sub = await makeSubscription(now, { event_types: ["agreement.deleted"] });
    const agreement = await createAgreement();
    expect((await remove(agreement.id)).status).toBe(204);
    const deleted = (await agreementEventsOf(agreement.id)).find((e) => e.type === "agreement.deleted")!;
    await fanOut(db(), recordingQueue(), [deleted.id], now + 1);
    const delivery = await env.DB.prepare("SELECT state FROM deliveries WHERE event_id = ? AND subscription_id = ?").bind(deleted.id, sub.id).first();
    expect(delivery).not.toBeNull();
  });

  it("shows the deletion in the agreement feed title from the event's data", async () => {
    const agreement = await createAgreement({ title: "Removed memorandum" });
    expect((await remove(agreement.id)).status).toBe(204);
    const feed = await json(call("GET", "/feed.json?limit=50", { token: null }));
    expect(feed.items.map((i: { title: string }) => i.title)).toContain("Agreement deleted: Removed memorandum");
  });
});
