import { describe, expect, it } from "vitest";
import { CreateCommitment } from "../../src/ledger/commitments.schemas";
import { toSchema } from "../../src/readside/openapi/openapi.document";

describe("OpenAPI text and date rules", () => {
  it("states text lengths as maxLength (code points, as JSON Schema counts) and the date range in words", () => {
    const schema = toSchema(CreateCommitment) as any;
    expect(schema.properties.title.maxLength).toBe(300);
    expect(schema.properties.title.minLength).toBe(1);
    expect(schema.properties.deadline.anyOf?.[0]?.properties?.due_on?.description ?? JSON.stringify(schema.properties.deadline)).toMatch(/1000-01-01 and 9999-12-30/);
  });
});
