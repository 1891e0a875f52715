import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { buildApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { openDatabase, sql, queryRows, type Database } from '../../src/db/client.ts';
import { createComplianceJob } from '../../src/modules/compliance/compliance-job.ts';
import { londonDate, systemClock } from '../../src/lib/clock.ts';
import { fakeMediators } from './seed/fake-mediators.ts';
import { systemContext } from '../../src/lib/context.ts';
import { recordAudit, type AuditInput } from '../../src/modules/audit/audit-service.ts';
import { REGISTRAR_EMAIL, recordStatements, signIn, type PostgresBenchDatabase, type Statement } from './bench-database.ts';
import { median, medianOfRounds, timed, type LoadFigures, type LoadTarget } from './load.ts';
import { searchRequests } from './search-requests.ts';

// Each measurement answers null when the feature it measures is not built yet, so the bench runs
// (and prints "n/a (not built)") while the modules it measures are still landing.

export async function hasRoute(baseUrl: string, path: string): Promise<boolean> {
  const res = await fetch(`${baseUrl}/openapi.json`);
  const doc = (await res.json()) as { paths?: Record<string, unknown> };
  return Boolean(doc.paths && path in doc.paths);
}

/**
 * The statements GET /v1/register sends for each search of the mix, recorded from the real app in
 * this process: the bare baseline replays exactly that SQL, so nothing is copied by hand and the
 * two can never drift apart. Answers the file they are written to, or null before the route exists.
 */
export async function captureSearchSql(dbUrl: string, serverEnv: Record<string, string>): Promise<string | null> {
  const database = await openDatabase({ kind: 'postgres', url: dbUrl });
  // The server's own settings (its keys are required with DATABASE_URL), quiet.
  const config = loadConfig({ ...serverEnv, DATABASE_URL: dbUrl, LOG_LEVEL: 'silent' });
  const app = await buildApp(config, { database, jwtSecret: config.JWT_SECRET! });
  try {
    await app.ready();
    if (!app.hasRoute({ method: 'GET', url: '/v1/register' })) return null;
    const captured: Record<string, Statement[]> = {};
    for (const { path } of searchRequests()) {
      const { statements, value: res } = await recordStatements(() => app.inject({ method: 'GET', url: path! }));
      if (res.statusCode !== 200) throw new Error(`GET ${path} answered ${res.statusCode}: ${res.body.slice(0, 300)}`);
      captured[decodeURIComponent(path!)] = statements;
    }
    const file = join(tmpdir(), `reg-bench-search-sql-${process.pid}.json`);
    writeFileSync(file, JSON.stringify(captured));
    return file;
  } finally {
    await app.close();
    await database.close();
  }
}

/** Each search of the mix alone: its median over `times` requests one after another (one connection), in milliseconds. */
export interface SearchesAlone {
  times: number;
  medianMs: Record<string, number>;
  /** The slowest search's median: the figure the target (at most 5 ms each at 100,000) is about. */
  slowest: { query: string; medianMs: number };
}

/**
 * Every search of the mix on its own, with nothing else asking: `times` requests in turn (after
 * a few unmeasured), the median of each, in milliseconds to a hundredth, as a client sees them.
 */
export async function measureSearchesAlone(baseUrl: string, times: number): Promise<SearchesAlone | null> {
  if (!(await hasRoute(baseUrl, '/v1/register'))) return null;
  const medianMs: Record<string, number> = {};
  for (const { path } of searchRequests()) {
    const once = async () => {
      const t0 = performance.now();
      const res = await fetch(`${baseUrl}${path}`);
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`GET ${path} answered ${res.status}`);
      return performance.now() - t0;
    };
    for (let i = 0; i < 5; i++) await once();
    const ms: number[] = [];
    for (let i = 0; i < times; i++) ms.push(await once());
    medianMs[decodeURIComponent(path!)] = Math.round(median(ms) * 100) / 100;
  }
  const [query, slowest] = Object.entries(medianMs).reduce((a, b) => (b[1] > a[1] ? b : a));
  return { times, medianMs, slowest: { query, medianMs: slowest } };
}

const SLOW_RUN_MS = 40_000;

export interface ComplianceFigure {
  ms: number;
  rounds: number;
  /** SQL statements the run sent, BEGIN and COMMIT included. */
  statements: number;
  mediatorsAssessed: number;
}

/**
 * runCompliance in this process, on a fresh copy of the seeded database each round (a run changes
 * what it assesses, so a second run on the same data would measure a no-op).
 */
export async function measureCompliance(db: PostgresBenchDatabase, rounds: number, asOf: string): Promise<ComplianceFigure> {
  const times: number[] = [];
  let statements = 0;
  let mediatorsAssessed = 0;
  // A run far over its 20 s target is measured once: three would double the whole bench's time.
  for (let i = 0; i < rounds && !(i === 1 && times[0]! > SLOW_RUN_MS); i++) {
    const copy = await db.clone();
    const database = await openDatabase({ kind: 'postgres', url: copy.url });
    try {
      const job = createComplianceJob({
        db: database.db,
        clock: systemClock,
        removedVisibleYears: loadConfig({}).REGISTER_REMOVED_VISIBLE_YEARS,
        onUpkeepError: (err) => {
          throw err;
        },
      });
      const { ms, value } = await timed(() => recordStatements(() => job.runCompliance(asOf)));
      times.push(ms);
      statements = value.statements.length;
      const c = value.value.counts;
      mediatorsAssessed = c ? c.compliant + c.inGrace + c.exempt : 0;
    } finally {
      await database.close();
      await copy.drop();
    }
  }
  return { ms: median(times), rounds: times.length, statements, mediatorsAssessed };
}

/** Appends synthetic events until the chain holds at least `target`; returns how many it holds. */
export async function topUpAuditEvents(database: Database, target: number): Promise<number> {
  const count = async () => (await queryRows<{ n: number }>(database.db, sql`SELECT count(*)::int AS n FROM audit_events`))[0]!.n;
  for (let n = await count(); n < target; n = await count()) {
    const inputs: AuditInput[] = Array.from({ length: Math.min(5000, target - n) }, (_, i) => ({
      action: 'bench.synthetic_event',
      entityType: 'cpd_entry',
      entityId: `synthetic-${n + i}`,
      after: { date: '2025-06-01', hours: 2.5, category: 'course', sendSpecific: true, title: 'SEND law update', provider: 'Bench' },
    }));
    await database.db.transaction((tx) => recordAudit(tx, systemContext(), ...inputs));
  }
  return count();
}

export interface AuditVerifyFigure {
  events: number;
  ms: number;
  msPer100k: number;
}

/** GET /v1/admin/audit/verify over the whole chain (at least 100,000 events: see topUpAuditEvents). */
export async function measureAuditVerify(baseUrl: string, rounds: number): Promise<AuditVerifyFigure | null> {
  if (!(await hasRoute(baseUrl, '/v1/admin/audit/verify'))) return null;
  const token = await signIn(baseUrl, REGISTRAR_EMAIL);
  let events = 0;
  const verify = async () => {
    const res = await fetch(`${baseUrl}/v1/admin/audit/verify`, { headers: { authorization: `Bearer ${token}` } });
    const body = (await res.json()) as { valid: boolean; checked: number };
    if (res.status !== 200 || !body.valid) throw new Error(`audit verify answered ${res.status}: ${JSON.stringify(body)}`);
    events = body.checked;
  };
  const ms = await medianOfRounds(rounds, async () => (await timed(verify)).ms);
  return { events, ms, msPer100k: Math.round((ms * 100_000) / events) };
}

/** One CPD entry, as every benchmarked POST /v1/me/cpd sends it (the API's and the bare baseline's). */
const cpdBody = () =>
  JSON.stringify({
    date: new Date().toISOString().slice(0, 10),
    hours: 1.5,
    category: 'course',
    sendSpecific: true,
    title: 'SEND Code of Practice refresher',
    provider: 'Bench Training Ltd',
  });

/** POST /v1/me/cpd at `baseUrl` by `tokens.length` signed-in mediators, one per connection. */
export function cpdPostTarget(baseUrl: string, tokens: string[]): LoadTarget {
  let next = 0;
  return {
    url: `${baseUrl}/v1/me/cpd`,
    method: 'POST',
    body: cpdBody(),
    headers: { 'content-type': 'application/json' },
    setupClient: (client) => {
      client.setHeaders({ 'content-type': 'application/json', authorization: `Bearer ${tokens[next++ % tokens.length]}` });
    },
  };
}

/** CPU time a Linux process has had so far, in nanoseconds; null where /proc does not say (another host). */
function cpuNs(pid: number): number | null {
  try {
    return Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0]);
  } catch {
    return null;
  }
}

/** CPU per request, in microseconds: the server process's, and its PostgreSQL backends'. */
export interface CpuPerRequest {
  serverUs: number;
  postgresUs: number;
}

/**
 * Runs a load and adds the CPU time it cost per request, read from /proc: the server process and
 * every client backend connected to `dbUrl` (those started during the load count from zero;
 * autovacuum, which runs whenever it likes, is left out). On a shared
 * machine req/s follow what else runs; CPU per request does much less. Null when the database is on
 * another host (its backends' /proc entries are not ours to read).
 */
export async function withCpuPerRequest(serverPid: number, dbUrl: string, measure: () => Promise<LoadFigures>): Promise<LoadFigures & { cpu: CpuPerRequest | null }> {
  const admin = new pg.Client({ connectionString: dbUrl });
  await admin.connect();
  try {
    const backends = async () => {
      const { rows } = await admin.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND backend_type = 'client backend' AND pid <> pg_backend_pid()`);
      return new Map(rows.map(({ pid }) => [pid, cpuNs(pid)]));
    };
    const server0 = cpuNs(serverPid);
    const before = await backends();
    const figures = await measure();
    const server1 = cpuNs(serverPid);
    const after = await backends();
    const readable = [...after.values()].every((ns) => ns !== null) && server0 !== null && server1 !== null;
    if (!readable || figures.totalRequests === 0) return { ...figures, cpu: null };
    const postgresNs = [...after].reduce((sum, [pid, ns]) => sum + ns! - (before.get(pid) ?? 0)!, 0);
    const perRequest = (ns: number) => Math.round(ns / 1000 / figures.totalRequests);
    return { ...figures, cpu: { serverUs: perRequest(server1! - server0!), postgresUs: perRequest(postgresNs) } };
  } finally {
    await admin.end();
  }
}

interface AuditLogStatus {
  unsealedEvents: number;
  sealingLagSeconds: number;
}

async function auditLogStatus(baseUrl: string): Promise<AuditLogStatus> {
  const res = await fetch(`${baseUrl}/ready`);
  const body = (await res.json()) as { auditLog?: AuditLogStatus };
  if (res.status !== 200 || !body.auditLog) throw new Error(`/ready answered ${res.status}: ${JSON.stringify(body).slice(0, 300)}`);
  return body.auditLog;
}

/**
 * Waits until the sealer has sealed every audit event written so far (for example the bare
 * baseline's), so that backlog is not sealed during the measured rounds; answers how long it took
 * and how many events it was.
 */
export async function sealingCaughtUp(baseUrl: string, timeoutMs = 300_000): Promise<{ events: number; seconds: number }> {
  const t0 = performance.now();
  const { unsealedEvents: events } = await auditLogStatus(baseUrl);
  while ((await auditLogStatus(baseUrl)).unsealedEvents > 0) {
    if (performance.now() - t0 > timeoutMs) throw new Error(`the sealer did not catch up within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return { events, seconds: Math.round((performance.now() - t0) / 100) / 10 };
}

export interface SealingFigure {
  /** The largest lag and backlog /ready reported while the load ran (sampled every second). */
  maxLagSeconds: number;
  maxUnsealed: number;
  /** As /ready reported them the moment the load stopped. */
  endLagSeconds: number;
  endUnsealed: number;
  /** From the end of the load until every event was sealed. */
  catchUpSeconds: number;
}

/** Samples /ready's audit log status while `work` runs: how far sealing falls behind the writes. */
export async function withSealingLag<T>(baseUrl: string, work: () => Promise<T>): Promise<{ value: T; sealing: SealingFigure }> {
  let maxLagSeconds = 0;
  let maxUnsealed = 0;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      const s = await auditLogStatus(baseUrl);
      maxLagSeconds = Math.max(maxLagSeconds, s.sealingLagSeconds);
      maxUnsealed = Math.max(maxUnsealed, s.unsealedEvents);
      await new Promise((r) => setTimeout(r, 1000));
    }
  })();
  let value: T;
  try {
    value = await work();
  } finally {
    sampling = false;
    await sampler;
  }
  const end = await auditLogStatus(baseUrl);
  const { seconds: catchUpSeconds } = await sealingCaughtUp(baseUrl);
  const round = (x: number) => Math.round(x * 10) / 10;
  return {
    value,
    sealing: {
      maxLagSeconds: round(Math.max(maxLagSeconds, end.sealingLagSeconds)),
      maxUnsealed: Math.max(maxUnsealed, end.unsealedEvents),
      endLagSeconds: round(end.sealingLagSeconds),
      endUnsealed: end.unsealedEvents,
      catchUpSeconds,
    },
  };
}

/**
 * POST /v1/admin/imports/grandfathered as a registrar: `rows` new CoM members as JSON, a different
 * set each round (fake people numbered from 1,000,000, far past the seeded ones).
 */
export async function measureImport(baseUrl: string, rounds: number, rows: number): Promise<{ rows: number; ms: number | null; error?: string } | null> {
  if (!(await hasRoute(baseUrl, '/v1/admin/imports/grandfathered'))) return null;
  const token = await signIn(baseUrl, REGISTRAR_EMAIL);
  const ctx = { today: londonDate(systemClock()), grandfatheredComplianceStart: '2025-04-01' };
  try {
    const ms = await medianOfRounds(rounds, async (round) => {
      const from = 1_000_000 + round * rows;
      const payload = fakeMediators(from, from + rows, ctx).map(({ user, mediator: m }) => ({
        fullName: m.fullName,
        email: user.email,
        membershipNumber: m.membershipNumber.replace(/^CMC/, 'COM'),
        firstAccreditedOn: m.firstAccreditedOn,
        regions: m.regions,
        languages: m.languages,
        ...(m.organisation ? { organisation: m.organisation } : {}),
        ...(m.website ? { website: m.website } : {}),
        contactEmail: m.contactEmail,
        showEmail: m.showEmail,
        showWebsite: m.showWebsite,
      }));
      const { ms, value: res } = await timed(async () => {
        const r = await fetch(`${baseUrl}/v1/admin/imports/grandfathered?body=com`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify(payload),
        });
        return { status: r.status, text: await r.text() };
      });
      if (res.status !== 200 && res.status !== 201) throw new Error(`import answered ${res.status}: ${res.text.slice(0, 500)}`);
      return ms;
    });
    return { rows, ms };
  } catch (err) {
    // The endpoint exists but failed: say so in the results instead of stopping the whole run.
    return { rows, ms: null, error: (err as Error).message.slice(0, 300) };
  }
}
