// Every concept's tables, for drizzle-kit and createDb. Each table lives with its concept.
export * from "../agreements/agreements.table";
export * from "../commitments/commitments.table";
export * from "../history/events.table";
export * from "../auth/tokens.table";
export * from "./guard.table";
export * from "../subscriptions/subscriptions.table";
export * from "../delivery/delivery.table";
export * from "../sweep/sweep.table";
