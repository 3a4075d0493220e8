/** GET /openapi.json: the API's routes, with request bodies as JSON Schema made from the zod schemas. */
import { z } from "zod";
import { EditBody, ReceiptBody, SendBody } from "./messages.ts";
import { CreateGroup } from "./channels.ts";
import { UpdateMe } from "./me.ts";

type Op = { summary: string; body?: z.ZodType; public?: boolean };
const ROUTES: Record<string, Record<string, Op>> = {
  "/health": {
    get: { summary: "Liveness and dependencies (db, kv, rate limiter backend)", public: true },
  },
  "/metrics": { get: { summary: "Prometheus metrics (bearer METRICS_TOKEN)", public: true } },
  "/openapi.json": { get: { summary: "This document", public: true } },
  "/me": {
    get: { summary: "My profile and role" },
    patch: { summary: "Update my profile", body: UpdateMe },
    delete: { summary: "Deactivate my account" },
  },
  "/users": { get: { summary: "Find people by username or display name (?q=)" } },
  "/channels": {
    get: { summary: "My channels with unread counts and last message" },
    post: { summary: "Create a group", body: CreateGroup },
  },
  "/channels/direct": {
    post: {
      summary: "The DM channel with a user, created once",
      body: z.object({ user_id: z.uuid() }),
    },
  },
  "/channels/{id}": {
    get: { summary: "A channel and its members" },
    patch: { summary: "Rename or change the topic" },
  },
  "/channels/{id}/join": { post: { summary: "Join a public group" } },
  "/channels/{id}/leave": { post: { summary: "Leave a group" } },
  "/channels/{id}/members": {
    post: { summary: "Invite someone", body: z.object({ user_id: z.uuid() }) },
  },
  "/channels/{id}/members/{user_id}": { delete: { summary: "Remove a member" } },
  "/channels/{id}/messages": {
    get: { summary: "Keyset pages, newest first (?before=&after=&limit=)" },
    post: {
      summary: "Send (201; 200 with the same message when client_id repeats)",
      body: SendBody,
    },
  },
  "/channels/{id}/receipts": {
    post: { summary: "Move my delivered/read watermarks forward", body: ReceiptBody },
  },
  "/channels/{id}/summary": { get: { summary: "Summary and sentiment of recent messages" } },
  "/messages/{id}": {
    patch: { summary: "Edit my message", body: EditBody },
    delete: { summary: "Delete (tombstone)" },
  },
  "/messages/{id}/reactions/{emoji}": {
    put: { summary: "Add a reaction" },
    delete: { summary: "Remove a reaction" },
  },
  "/search": {
    get: {
      summary:
        "Full-text search over my channels (?q=&channel_id=&sender_id=&before=&after=&limit=&cursor=)",
    },
  },
  "/attachments": {
    post: {
      summary: "Record an uploaded file after checking it",
      body: z.object({ bucket: z.literal("attachments"), path: z.string() }),
    },
  },
  "/reports": {
    post: {
      summary: "Report a message",
      body: z.object({ message_id: z.number().int(), reason: z.string() }),
    },
  },
  "/admin/reports": { get: { summary: "Moderators' queue (?status=)" } },
  "/admin/reports/{id}": { post: { summary: "Decide a report" } },
  "/admin/users/{id}/role": { post: { summary: "Change a user's role (admins)" } },
  "/admin/users/{id}/deactivate": {
    post: { summary: "Deactivate a user (admins; also bans in Auth)" },
  },
  "/admin/users/{id}/reactivate": { post: { summary: "Reactivate a user (admins)" } },
  "/admin/blocked-terms": {
    get: { summary: "Blocked terms" },
    post: { summary: "Add or change a term" },
    delete: { summary: "Remove a term (?term=)" },
  },
};

export function openApiDocument() {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const [path, ops] of Object.entries(ROUTES)) {
    paths[`/api${path}`] = Object.fromEntries(
      Object.entries(ops).map(([method, op]) => [method, {
        summary: op.summary,
        ...(op.public ? {} : { security: [{ bearer: [] }] }),
        ...(op.body
          ? {
            requestBody: {
              required: true,
              content: { "application/json": { schema: z.toJSONSchema(op.body, { io: "input" }) } },
            },
          }
          : {}),
        responses: { default: { description: "JSON; errors as { error: { code, message } }" } },
      }]),
    );
  }
  return {
    openapi: "3.1.0",
    info: { title: "Chat API", version: "1" },
    servers: [{ url: "/functions/v1" }],
    components: {
      securitySchemes: { bearer: { type: "http", scheme: "bearer", bearerFormat: "JWT" } },
    },
    paths,
  };
}
