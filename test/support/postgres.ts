// The throwaway PostgreSQL cluster lives in scripts/ so the benchmarks can start one too (scripts never import test/).
export { debianPgBin, type PgServer, startPostgres } from '../../scripts/postgres.js';
