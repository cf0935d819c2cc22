export {
  createTestDatabase,
  createTemplateDatabase,
  dropTemplateDatabase,
  postgresReachable,
  testPostgresUrl,
  DEFAULT_TEST_POSTGRES_URL,
  type TestDatabase,
  type TestDatabaseOptions,
  type TemplateDatabase,
  type TemplateDatabaseOptions,
  type TestDialectName,
} from "./test-database.js";
export { openSandbox, type Sandbox, type SandboxOptions } from "./sandbox.js";
export { useSandbox, sandboxFixture, type TestHooks, type EngineSource } from "./use-sandbox.js";
export { defineFactories, type Factories, type Factory, type FactoryContext, type FactoryDefaults } from "./define-factories.js";
