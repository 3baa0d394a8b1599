import { Initial1763760000000 } from './1763760000000-Initial.js';

/** Every migration, oldest first. Add each new migration here (the ESM build does not glob). */
export const migrations = [Initial1763760000000];
