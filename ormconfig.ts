/**
 * The TypeORM CLI's data source (`npm run migration:run|revert|generate`, which use the build in
 * dist/). With DATABASE_URL unset it opens the embedded database in DATA_DIR, like the app.
 */
import { DataSource } from 'typeorm';
import { loadConfig } from './src/config/app-config.js';
import { dataSourceOptions } from './src/database/data-source-options.js';
import { startEmbeddedPostgres } from './src/database/embedded-postgres.js';

const config = loadConfig();
const url = config.databaseUrl ?? (await startEmbeddedPostgres({ dataDir: config.dataDir })).url;

export default new DataSource(dataSourceOptions(url, { poolSize: 1, migrationsRun: false }));
