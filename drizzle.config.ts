import { defineConfig } from 'drizzle-kit';

// Generation only: migrations are applied by the app on start (src/db/migrate.ts), never pushed.
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/db/tables/*.ts',
  out: './migrations',
});
