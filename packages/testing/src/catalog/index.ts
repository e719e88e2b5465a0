export type { CatalogFaults } from './catalog-faults.js';
export {
  type CatalogRequestRecord,
  type CatalogServerOptions,
  type IssuedS3Credentials,
  type LocalCatalog,
  startCatalogServer,
} from './catalog-server.js';
export type { CatalogUser } from './registry-state.js';
