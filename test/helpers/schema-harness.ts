// The real schema in-process (no HTTP, no cache) over a real, seeded database: for tests that build their own
// request context to see what the domains hand the cache seams (tags recorded, tags invalidated, field-cache keys).
import { ApolloServer } from '@apollo/server';
import { openDatabase, type Database } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { seedIfEmpty } from '../../src/seed.js';
import type { RequestContext } from '../../src/graphql/context.js';
import { loadTypeDefs, schemaResolvers } from '../../src/graphql/schema.js';
import { createTestDatabase, TEST_SEED, type DatabaseChoice } from './app.js';

export interface SchemaHarness {
  db: Database;
  apollo: ApolloServer<RequestContext>;
  close(): Promise<void>;
}

export async function startSchemaHarness(database: DatabaseChoice): Promise<SchemaHarness> {
  const pg = database === 'postgres' ? await createTestDatabase() : undefined;
  const db = await openDatabase({ url: pg?.url, poolSize: 4, dataDir: 'memory://' });
  await migrateToLatest(db.db);
  await seedIfEmpty(db.db, TEST_SEED);
  const apollo = new ApolloServer<RequestContext>({ typeDefs: loadTypeDefs(), resolvers: schemaResolvers() });
  await apollo.start();
  return {
    db,
    apollo,
    async close() {
      await apollo.stop();
      await db.close();
      await pg?.drop();
    },
  };
}
