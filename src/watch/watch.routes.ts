import { Hono } from "hono";
import { requireScope } from "../ledger/auth/auth.middleware";
import { writeCtx, type AppEnv } from "../platform/http/context";
import { validate } from "../platform/http/validate";
import { AcceptProposal, DismissProposal, ListProposalsQuery } from "./proposals.schemas";
import { acceptProposal, dismissProposal, getProposal, listProposals } from "./proposals.service";
import { CreateSource, ListSourcesQuery, UpdateSource } from "./sources.schemas";
import { createSource, deleteSource, getSource, listSources, updateSource } from "./sources.service";

const sourceCtx = (c: { var: AppEnv["Variables"] }) => ({
  now: c.var.now,
  actor: c.var.principal.name,
  allowPrivateTargets: c.var.config.allowPrivateWebhookTargets,
});

/** Sources (write scope): the feeds and pages the evidence watch polls. */
export const sourceRoutes = new Hono<AppEnv>()
  .use(requireScope("write"))
  .get("/", validate("query", ListSourcesQuery), async (c) => {
    const { limit, cursor } = c.req.valid("query");
    return c.json(await listSources(c.var.db, { limit: limit ?? 50, cursor }));
  })
  .post("/", validate("json", CreateSource), async (c) => c.json(await createSource(c.var.db, c.req.valid("json"), sourceCtx(c)), 201))
  .get("/:id", async (c) => c.json(await getSource(c.var.db, c.req.param("id"))))
  .patch("/:id", validate("json", UpdateSource), async (c) =>
    c.json(await updateSource(c.var.db, c.req.param("id"), c.req.valid("json"), sourceCtx(c))),
  )
  .delete("/:id", async (c) => {
    await deleteSource(c.var.db, c.req.param("id"));
    return c.body(null, 204);
  });

/** Proposals (write scope): what the watch found, for a person to accept or dismiss. */
export const proposalRoutes = new Hono<AppEnv>()
  .use(requireScope("write"))
  .get("/", validate("query", ListProposalsQuery), async (c) => {
    const { limit, cursor, ...filter } = c.req.valid("query");
    return c.json(await listProposals(c.var.db, filter, { limit: limit ?? 50, cursor }));
  })
  .get("/:id", async (c) => c.json(await getProposal(c.var.db, c.req.param("id"))))
  .post("/:id/accept", validate("json", AcceptProposal), async (c) =>
    c.json(await acceptProposal(c.var.db, c.req.param("id"), c.req.valid("json"), writeCtx(c))),
  )
  .post("/:id/dismiss", validate("json", DismissProposal), async (c) =>
    c.json(await dismissProposal(c.var.db, c.req.param("id"), c.req.valid("json"), { actor: c.var.principal.name, now: c.var.now })),
  );
