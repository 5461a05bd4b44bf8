/**
 * The largest quota a setting, a seed file or the command line may give. Both databases store it in
 * a 32-bit integer column; a bound far below that keeps a typo from reaching PostgreSQL as an
 * out-of-range error (SQLite would take it silently, and `atelier copy` would then fail).
 */
export const MAX_QUOTA = 1_000_000;
