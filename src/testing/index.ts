export { createTestDatabase, postgresReachable, testPostgresUrl, DEFAULT_TEST_POSTGRES_URL, type TestDatabase, type TestDialectName } from "./test-database.js";
