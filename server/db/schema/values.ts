/**
 * Value lists of enum columns that the CLI needs for its help and usage checks; kept free of
 * drizzle so `trueup --help` does not load the ORM.
 */
export const eventOutcomes = ['planned', 'applied', 'skipped', 'failed', 'recorded'] as const;
export type EventOutcome = (typeof eventOutcomes)[number];

export const tokenRoles = ['admin', 'viewer'] as const;
export type TokenRole = (typeof tokenRoles)[number];
