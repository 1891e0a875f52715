/**
 * Every PostgreSQL advisory lock key the register takes, in one place so no two uses collide.
 * Transaction-scoped locks (`pg_advisory_xact_lock`) unless said otherwise.
 */
export const LOCK_KEYS = {
  /** Session-scoped, around applying migrations: one process migrates, the others wait. */
  migrations: 7_302_118_001,
  /** Serialises audit appenders so the hash chain never forks. */
  auditChain: 7_302_118_002,
  /** Held exclusively by a compliance run; log writes take it shared so a run sees a settled log. */
  complianceRun: 7_302_118_007,
  /** One import per body at a time. */
  importCom: 7_302_118_101,
  importCmc: 7_302_118_102,
  /** Settings changes, so versions are numbered without gaps. */
  settings: 7_302_118_200,
} as const;
