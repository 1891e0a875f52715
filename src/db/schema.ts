export * from './tables/columns.ts';
export * from './tables/users.ts';
export * from './tables/mediators.ts';
export * from './tables/audit.ts';
export * from './tables/settings.ts';
export * from './tables/compliance.ts';
export * from './tables/applications.ts';
