// drizzle-kit: generates Postgres migrations from src/db/pg-schema.ts into migrations/postgres/ (npm run db:generate:pg).
import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'postgresql',
  schema: './src/db/pg-schema.ts',
  out: './migrations/postgres',
});
