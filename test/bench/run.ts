// `npm run bench`: the figures of issue 9, measured side by side with bare baselines in one run.
// Never part of `npm test`. BENCH_QUICK=1 runs small sizes and short rounds as a smoke test;
// BENCH_ONLY=cpd-post measures only the authenticated write path (a change to the access hook);
// BENCH_ONLY=cpd-vs-bare measures it beside a bare Fastify + pg route writing the same rows.
// BENCH_ONLY=search measures the public search at the larger size only (alone, under load, raw pg).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { newStatementKey } from '../../src/lib/statement-key.ts';
import { generateKey } from '../../src/lib/transparency/signed-note.ts';
import { sql, type Database } from '../../src/db/client.ts';
import { londonDate, systemClock } from '../../src/lib/clock.ts';
import { createPostgresDatabase, openMigrated, prepareAccounts, seed, signIn, type BenchMediator, type PostgresBenchDatabase } from './bench-database.ts';
import { measureLoad, type LoadFigures, type LoadSettings } from './load.ts';
import { printReport, type Results } from './report.ts';
import { projectRoot, startServer, type ServerProcess } from './server-process.ts';
import { searchRequests } from './search-requests.ts';
import * as figures from './figures.ts';

const QUICK = process.env.BENCH_QUICK === '1';
const ONLY = process.env.BENCH_ONLY;
const PARTS = ['cpd-post', 'cpd-vs-bare', 'search'];
if (ONLY !== undefined && !PARTS.includes(ONLY)) throw new Error(`BENCH_ONLY: unknown part ${ONLY} (known: ${PARTS.join(', ')})`);
const SERVER_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const SMALL = QUICK ? 1_000 : 10_000;
const LARGE = QUICK ? 5_000 : 100_000;
const LOAD: LoadSettings = QUICK ? { connections: 10, warmupSeconds: 1, seconds: 3, rounds: 1 } : { connections: 10, warmupSeconds: 3, seconds: 8, rounds: 3 };
const ROUNDS = LOAD.rounds;
const SIGNED_IN_MEDIATORS = 10;
const AUDIT_EVENTS = QUICK ? 10_000 : 100_000;
const IMPORT_ROWS = QUICK ? 1_000 : 10_000;
const JWT_SECRET = 'bench-secret-long-enough-for-hs256-signing-0123456789';
const AUDIT_SIGNING_KEY = generateKey('bench.send-register.invalid/audit').signerKey;
const STATEMENT_SIGNING_KEY = JSON.stringify(newStatementKey());
// The API's default, given to the bare baselines too so both sides have the same pool.
const DB_POOL_MAX = '10';

// Limits that would turn a load test into a rate-limit test are lifted; everything else is as shipped
// (request logging at info included). The outbox sender is parked so it does not compete mid-round.
const serverEnv = (db: Record<string, string>) => ({
  ...db,
  PORT: '0',
  JWT_SECRET,
  AUDIT_SIGNING_KEY,
  STATEMENT_SIGNING_KEY,
  DB_POOL_MAX,
  LOG_LEVEL: 'info',
  COMPLIANCE_CRON: 'off',
  OUTBOX_POLL_MS: '3600000',
  RATE_LIMIT_PUBLIC_PER_MINUTE: '1000000000',
  RATE_LIMIT_AUTH_PER_MINUTE: '1000000000',
});

const results: Results = {
  startedAt: new Date().toISOString(),
  quick: QUICK,
  ...(ONLY && { only: ONLY }),
  sizes: { small: SMALL, large: LARGE },
  load: LOAD,
  machine: {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    postgres: '',
    loadAverageAtStart: loadavg()[0]!,
    loadAverageAtEnd: 0,
  },
  figures: {},
  peakRssMiB: {},
  notes: [],
};

const log = (msg: string) => console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}`);
const note = (msg: string) => {
  results.notes.push(msg);
  log(msg);
};

/** Runs a server for the length of `fn`, recording its peak RSS under `label`. */
async function withServer<T>(label: string, entry: string, env: Record<string, string>, fn: (s: ServerProcess) => Promise<T>): Promise<T> {
  const server = await startServer(entry, env);
  try {
    return await fn(server);
  } finally {
    results.peakRssMiB[label] = server.peakRssMiB();
    await server.stop();
  }
}

/**
 * After a bulk load: vacuum and analyze, so the load tests measure a settled database rather than
 * one that autovacuum is working through (it ran during the 100,000-entry search and cut it to a fifth).
 */
async function settle(database: Database): Promise<void> {
  await database.db.execute(sql`VACUUM ANALYZE`);
}

async function load(label: string, target: Parameters<typeof measureLoad>[0]): Promise<LoadFigures> {
  log(`load: ${label}`);
  const measured = await measureLoad(target, LOAD);
  if (measured.failures > 0) note(`${label}: ${measured.failures} responses were errors or non-2xx: treat that figure as suspect`);
  return measured;
}

/** Each search of the mix alone, before the load: the figure of the 5 ms target. */
async function searchesAlone(server: ServerProcess, key: string): Promise<void> {
  const alone = await figures.measureSearchesAlone(server.url, QUICK ? 20 : 100);
  results.figures[key] = alone;
  if (alone) log(`each search alone: slowest ${alone.slowest.query} ${alone.slowest.medianMs} ms (${JSON.stringify(alone.medianMs)})`);
}

async function searchFigures(server: ServerProcess, label: string): Promise<LoadFigures | null> {
  if (!(await figures.hasRoute(server.url, '/v1/register'))) return null;
  return load(label, { url: server.url, requests: searchRequests() });
}

/**
 * The bare write baseline (test/bench/baselines/bare-cpd.ts) on its own, before the API starts: the
 * API's sealer would otherwise seal the baseline's events while it is measured.
 */
async function bareCpdFigures(dbUrl: string, mediators: BenchMediator[]): Promise<void> {
  const label = 'POST /v1/me/cpd (bare Fastify + raw pg)';
  const env = { DATABASE_URL: dbUrl, DB_POOL_MAX, BENCH_MEDIATORS: JSON.stringify(mediators) };
  // It reads no token; one is sent anyway so the requests are the API's byte for byte but for it.
  results.figures.cpdPostBare = await withServer('bare Fastify + raw pg, CPD POST', 'test/bench/baselines/bare-cpd.ts', env, (bare) =>
    figures.withCpuPerRequest(bare.pid, dbUrl, () => load(label, figures.cpdPostTarget(bare.url, ['unused']))),
  );
}

/** Waits for the API's sealer to seal what was written before it started (the bare baseline's events). */
async function sealBacklog(server: ServerProcess): Promise<void> {
  results.figures.cpdSealingBacklog = await figures.sealingCaughtUp(server.url);
}

/**
 * POST /v1/me/cpd on the API, with its CPU per request, the sealing lag /ready reports during the
 * load and how long sealing took to catch up.
 */
async function cpdPostFigures(server: ServerProcess, dbUrl: string, mediatorEmails: string[]): Promise<void> {
  const tokens = await Promise.all(mediatorEmails.map((e) => signIn(server.url, e)));
  const { value, sealing } = await figures.withSealingLag(server.url, () => figures.withCpuPerRequest(server.pid, dbUrl, () => load('POST /v1/me/cpd', figures.cpdPostTarget(server.url, tokens))));
  results.figures.cpdPost = value;
  results.figures.cpdSealing = sealing;
  log(`sealing during CPD POST: max lag ${sealing.maxLagSeconds} s (${sealing.maxUnsealed} unsealed), caught up ${sealing.catchUpSeconds} s after`);
}

/** The register's search SQL served by a bare Fastify route on raw `pg`, against the same database. */
async function rawSearchFigures(dbUrl: string, label: string): Promise<LoadFigures | null> {
  const sqlFile = await figures.captureSearchSql(dbUrl, serverEnv({}));
  if (!sqlFile) return null;
  try {
    return await withServer(label, 'test/bench/baselines/bare-search.ts', { DATABASE_URL: dbUrl, SEARCH_SQL_FILE: sqlFile }, (raw) => load(label, { url: raw.url, requests: searchRequests() }));
  } finally {
    rmSync(sqlFile, { force: true });
  }
}

/**
 * The search at the larger size: as shipped (a repeated search is answered from the pages kept until
 * the register changes), with every search worked out (SEARCH_CACHE_MB=0: what a search the
 * instance has not seen costs), and the same SQL on a bare route, to compare with the second.
 */
async function largeSearchFigures(dbUrl: string): Promise<void> {
  await withServer(`postgres, ${LARGE} entries`, 'src/server.ts', serverEnv({ DATABASE_URL: dbUrl }), async (server) => {
    await searchesAlone(server, `searchAlone${LARGE}`);
    results.figures[`searchPostgres${LARGE}`] = await searchFigures(server, `search, PostgreSQL, ${LARGE}`);
  });
  await withServer(`postgres, ${LARGE} entries, every search worked out`, 'src/server.ts', serverEnv({ DATABASE_URL: dbUrl, SEARCH_CACHE_MB: '0' }), async (server) => {
    await searchesAlone(server, `searchAloneComputed${LARGE}`);
    results.figures[`searchPostgresComputed${LARGE}`] = await searchFigures(server, `search, PostgreSQL, ${LARGE}, every search worked out`);
  });
  results.figures[`searchRaw${LARGE}`] = await rawSearchFigures(dbUrl, `raw pg search, ${LARGE}`);
}

/**
 * The run on 1 April, the day after a register year ends: the one that assesses the whole year for
 * every mediator (the seed has given them that year of entries). Later days only re-evaluate.
 */
function yearEndRunDate(): string {
  const today = londonDate(systemClock());
  const year = Number(today.slice(0, 4)) - (today.slice(5) < '04-01' ? 1 : 0);
  return `${year}-04-01`;
}

async function compliancePhase(db: PostgresBenchDatabase, n: number): Promise<void> {
  const figure = await figures.measureCompliance(db, ROUNDS, yearEndRunDate());
  results.figures[`complianceRun${n}`] = figure;
  if (figure) log(`compliance at ${n}: ${figure.ms} ms, ${figure.statements} statements`);
}

async function postgresPhases(): Promise<void> {
  const db = await createPostgresDatabase(SERVER_URL);
  try {
    log(`PostgreSQL database ${db.name}: seeding ${SMALL} mediators`);
    let database = await openMigrated({ kind: 'postgres', url: db.url });
    const version = await database.pool!.query<{ server_version: string }>('SHOW server_version');
    results.machine.postgres = version.rows[0]!.server_version;
    let t0 = performance.now();
    await seed(database, SMALL);
    results.figures[`seedSeconds${SMALL}`] = Math.round((performance.now() - t0) / 100) / 10;
    const { mediatorEmails, mediators } = await prepareAccounts(database, SIGNED_IN_MEDIATORS);
    await settle(database);
    await database.close();

    await compliancePhase(db, SMALL);

    await withServer(`postgres, ${SMALL} entries`, 'src/server.ts', serverEnv({ DATABASE_URL: db.url }), async (server) => {
      results.figures.healthOurs = await load('GET /health (ours)', { url: `${server.url}/health` });
      await searchesAlone(server, `searchAlone${SMALL}`);
      results.figures[`searchPostgres${SMALL}`] = await searchFigures(server, `search, PostgreSQL, ${SMALL}`);
    });
    await withServer('bare node:http', 'test/bench/baselines/bare-http.ts', {}, async (bare) => {
      results.figures.healthBare = await load('GET /health (bare node:http)', { url: `${bare.url}/health` });
    });
    results.figures[`searchRaw${SMALL}`] = await rawSearchFigures(db.url, `raw pg search, ${SMALL}`);

    log(`seeding up to ${LARGE} mediators`);
    database = await openMigrated({ kind: 'postgres', url: db.url });
    t0 = performance.now();
    await seed(database, LARGE);
    results.figures[`seedSeconds${LARGE - SMALL}More`] = Math.round((performance.now() - t0) / 100) / 10;
    await figures.topUpAuditEvents(database, AUDIT_EVENTS);
    await settle(database);
    await database.close();

    await compliancePhase(db, LARGE);

    // Every search before anything writes: the import below adds thousands of entries.
    await largeSearchFigures(db.url);
    await bareCpdFigures(db.url, mediators);
    await withServer(`postgres, ${LARGE} entries, writes`, 'src/server.ts', serverEnv({ DATABASE_URL: db.url }), async (server) => {
      await sealBacklog(server);
      results.figures.auditVerify = await figures.measureAuditVerify(server.url, ROUNDS);
      await cpdPostFigures(server, db.url, mediatorEmails);
      results.figures.import = await figures.measureImport(server.url, ROUNDS, IMPORT_ROWS);
    });
  } finally {
    await db.drop();
  }
}

async function pglitePhase(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'reg-bench-pglite-'));
  try {
    log(`PGlite in ${dataDir}: seeding ${SMALL} mediators`);
    const database = await openMigrated({ kind: 'pglite', dataDir });
    await seed(database, SMALL);
    await settle(database);
    await database.close();
    await withServer(`pglite, ${SMALL} entries`, 'src/server.ts', serverEnv({ DATA_DIR: dataDir }), async (server) => {
      results.figures[`searchPglite${SMALL}`] = await searchFigures(server, `search, PGlite, ${SMALL}`);
    });
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** CPD POST on its own (and beside the bare baseline): the signed-in write every mediator makes, on the smaller register. */
async function cpdPostPhase(withBare: boolean): Promise<void> {
  const db = await createPostgresDatabase(SERVER_URL);
  try {
    const database = await openMigrated({ kind: 'postgres', url: db.url });
    const version = await database.pool!.query<{ server_version: string }>('SHOW server_version');
    results.machine.postgres = version.rows[0]!.server_version;
    await seed(database, SMALL);
    const { mediatorEmails, mediators } = await prepareAccounts(database, SIGNED_IN_MEDIATORS);
    await settle(database);
    await database.close();
    if (withBare) await bareCpdFigures(db.url, mediators);
    await withServer(`postgres, ${SMALL} entries, writes`, 'src/server.ts', serverEnv({ DATABASE_URL: db.url }), async (server) => {
      await sealBacklog(server);
      await cpdPostFigures(server, db.url, mediatorEmails);
    });
  } finally {
    await db.drop();
  }
}

/** The search's figures at the larger size only, on a register seeded straight to it. */
async function searchPhase(): Promise<void> {
  const db = await createPostgresDatabase(SERVER_URL);
  try {
    log(`PostgreSQL database ${db.name}: seeding ${LARGE} mediators`);
    const database = await openMigrated({ kind: 'postgres', url: db.url });
    await seed(database, LARGE);
    await settle(database);
    await database.close();
    await largeSearchFigures(db.url);
  } finally {
    await db.drop();
  }
}

const started = performance.now();
if (ONLY === 'cpd-post' || ONLY === 'cpd-vs-bare') {
  await cpdPostPhase(ONLY === 'cpd-vs-bare');
} else if (ONLY === 'search') {
  await searchPhase();
} else {
  await postgresPhases();
  await pglitePhase();
}
results.machine.loadAverageAtEnd = loadavg()[0]!;
results.totalSeconds = Math.round((performance.now() - started) / 1000);
const file = join(projectRoot, 'bench-results.json');
writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
printReport(results);
log(`written ${file}`);
