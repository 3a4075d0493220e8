/**
 * The local stack's Supabase Realtime (`/realtime/v1`): Phoenix channels over WebSocket with
 * broadcast (self/ack), presence, private topics authorized by RLS on realtime.messages,
 * Broadcast from Database (rows written by `realtime.send` reach subscribers after commit, and
 * are replayed after the database link was lost), access taken back by Auth ending
 * subscriptions at once, and the REST broadcast endpoints.
 *
 * Parts: protocol.ts (framing, limits, close codes), binary.ts (the binary frames: kind 3 pushes,
 * kind 4 broadcasts), hub.ts (sockets, subscriptions, fan-out),
 * expiry.ts (token expiry, one timer for all), socket.ts (the transport and its guards),
 * channels.ts (what frames do), authz.ts (tokens, and rights asked of Postgres), presence.ts,
 * database.ts (Broadcast from Database, replay), wal_link.ts (its stream off the WAL), db_link.ts
 * (the LISTEN connection), revoke.ts (revocation), rest.ts, stats.ts (counters for /metrics).
 */
import { Hono } from "hono";
import type postgres from "postgres";
import type { JWK } from "jose";
import { Hub } from "./hub.ts";
import { CLOSE, LIMITS } from "./protocol.ts";
import { createChannels } from "./channels.ts";
import { createDbBroadcasts, type DbMessage } from "./database.ts";
import { type DbLink, listenForever } from "./db_link.ts";
import { streamForever, walPublished } from "./wal_link.ts";
import { createRevocations } from "./revoke.ts";
import { tokenVerifier } from "./authz.ts";
import { restRoutes } from "./rest.ts";
import { websocketHandler } from "./socket.ts";
import { closeSocket, log } from "./hub.ts";

export { CLOSE, LIMITS, SYSTEM } from "./protocol.ts";
export type { DbMessage } from "./database.ts";
export type { HistogramSnapshot, RealtimeStats } from "./stats.ts";

export interface RealtimeDeps {
  /** A superuser connection (Realtime's own rights), for authorization and reading broadcasts. */
  sql: postgres.Sql;
  jwtSecret: string;
  /** Auth's asymmetric signing keys (`signing_keys_path`), whose user tokens are accepted too. */
  signingKeys?: readonly JWK[];
  /**
   * Users whose private subscriptions on a topic must be authorized again (by RLS) after this
   * database broadcast, e.g. the member a membership change names; undefined for none. Realtime
   * itself knows no event names.
   */
  reauthorizeAfter?: (m: DbMessage) => string[] | undefined;
}

export function createRealtime(
  { sql, jwtSecret, signingKeys, reauthorizeAfter }: RealtimeDeps,
) {
  const hub = new Hub();
  const revocations = createRevocations(sql, hub);
  const verify = tokenVerifier(jwtSecret, undefined, signingKeys);
  const { onFrame } = createChannels({ sql, verify, hub, revocations });
  const broadcasts = createDbBroadcasts({
    sql,
    hub,
    afterDelivery: (m) => {
      const ids = m.private ? reauthorizeAfter?.(m) : undefined;
      if (!ids?.length) return;
      revocations.reauthorize(`realtime:${m.topic}`, ids).catch((e) => log("reauthorize", e));
    },
  });
  // Broadcast from Database off the WAL where the database publishes it (as on Supabase),
  // else by NOTIFY; revocations always by NOTIFY (rare, and not on the writers' path).
  let streamed: DbLink | undefined;
  let closed = false;
  const firstStream = Promise.withResolvers<void>();
  const wal = walPublished(sql).catch(() => false).then((yes) => {
    if (!yes || closed) {
      firstStream.resolve();
      return yes;
    }
    // From now on nothing may be missed: rows committed before the slot exists (creating it
    // takes a moment) are replayed when the stream first opens, as after any reconnection.
    broadcasts.onListen(true);
    streamed = streamForever(sql, broadcasts.onRow, () => {
      broadcasts.onListen(false);
      firstStream.resolve();
    });
    return yes;
  });
  const link = listenForever(sql, {
    realtime_local_broadcast: broadcasts.onNotify,
    realtime_local_revoke: revocations.onNotify,
  }, (first) => {
    void wal.then((yes) => yes || broadcasts.onListen(first));
    if (!first) revocations.recheckAll().catch((e) => log("revocation recheck", e));
  });

  const sweeper = setInterval(() => {
    const now = Date.now();
    for (const c of hub.conns) {
      if (now - c.lastSeen > LIMITS.heartbeatTimeoutMs) {
        closeSocket(c.ws, CLOSE.normal, "heartbeat timeout");
      }
    }
  }, 10_000);

  const app = new Hono();
  app.get("/websocket", websocketHandler({ hub, verify, onFrame }));
  restRoutes(app, { sql, hub, verify });

  return {
    app,
    /** Sockets open right now (for /metrics and tests). */
    get connections() {
      return hub.conns.size;
    },
    /** Counters since start, for /metrics (see stats.ts). */
    stats: hub.stats,
    /**
     * Resolves once Broadcast from Database first streams (at once where it goes by NOTIFY).
     * Creating the replication slot waits for every write transaction open in the cluster; until
     * then database broadcasts are held back, to be replayed when it exists.
     */
    streaming: firstStream.promise,
    /** True while Realtime listens to the database (Broadcast from Database is live). */
    get databaseLinked() {
      return link.up && (streamed?.up ?? true);
    },
    async close() {
      closed = true;
      clearInterval(sweeper);
      hub.closeAll();
      await wal;
      await streamed?.close();
      await link.close();
      await broadcasts.settled();
    },
  };
}
