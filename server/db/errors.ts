/** The database could not be reached or opened; one line for a person. */
export class DatabaseUnavailableError extends Error {
  override name = 'DatabaseUnavailableError';
}
