import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { checkLayers } from "./layers";

const SRC = resolve(import.meta.dirname, "../../src");

describe("the layer map of src/", () => {
  const report = checkLayers(SRC);

  it("reads the real import graph", () => {
    expect(report.files).toBeGreaterThan(50);
    expect(report.edges.length).toBeGreaterThan(100);
  });

  it("has no import from a lower layer into a higher one", () => {
    expect(report.backwards).toEqual([]);
  });

  it("has no folders that import each other, directly or in a circle", () => {
    expect(report.cycles).toEqual([]);
  });

  it("keeps hono out of services, rules, repos and tables", () => {
    expect(report.domainHttp).toEqual([]);
  });
});

describe("the layer checker", () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
  const tree = (files: Record<string, string>) => {
    const dir = mkdtempSync(join(tmpdir(), "layers-"));
    dirs.push(dir);
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    return dir;
  };

  it("flags a backwards import: lib importing the ledger", () => {
    const dir = tree({
      "lib/deadline.ts": `import { x } from "../ledger/commitments.rules";\nexport const y = x;\n`,
      "ledger/commitments.rules.ts": `export const x = 1;\n`,
    });
    expect(checkLayers(dir).backwards).toEqual([
      "lib/deadline.ts (lib) imports ledger/commitments.rules.ts (ledger)",
    ]);
  });

  it("flags a cycle between two folders of one group, type-only imports included", () => {
    const dir = tree({
      "ledger/commitments.service.ts": `import type { T } from "./history/events.repo";\nexport type U = T;\n`,
      "ledger/history/events.repo.ts": `import { f } from "../commitments.service";\nexport type T = typeof f;\n`,
    });
    expect(checkLayers(dir).cycles).toEqual([["ledger", "ledger/history"]]);
  });

  it("flags a folder that is on no layer and hono in a service", () => {
    const dir = tree({
      "widgets/a.service.ts": `import { Hono } from "hono";\nexport const a = new Hono();\n`,
    });
    const report = checkLayers(dir);
    expect(report.backwards).toEqual(["widgets/a.service.ts: folder 'widgets' is in no group of the layer map"]);
    expect(report.domainHttp).toEqual(["widgets/a.service.ts imports hono"]);
  });
});
