import { z } from 'zod';
import { objectTypes, responses, situations } from '../../core/model.ts';
import { frequencyProblem } from '../schedules/frequency.ts';

const policyPath = z
  .string()
  .min(1, 'must not be empty')
  .max(300)
  .refine(
    (p) => !p.startsWith('/') && !p.split('/').includes('..'),
    'must be a relative policy path without ".."',
  )
  .nullable();

const frequency = z
  .string()
  .max(200)
  .superRefine((value, ctx) => {
    const problem = frequencyProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  })
  .nullable();

/** An IANA zone name (`Europe/Paris`, `UTC`); offsets such as `+02:00` are not zones. */
const timezone = z
  .string()
  .max(100)
  .refine((tz) => {
    if (!/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/.test(tz)) return false;
    try {
      new Intl.DateTimeFormat('en', { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  }, 'must be an IANA time zone such as "UTC" or "Europe/Paris"');

const address = z.email('must be an email address').max(320);
/**
 * docs/api.md: one address or a list — a JSON array, or one string of comma-separated addresses.
 * Stored as one comma-separated string, the form the mail service splits.
 */
const notificationEmail = z
  .union([
    z.array(address).min(1, 'give at least one address').max(50),
    z
      .string()
      .max(5000)
      .superRefine((value, ctx) => {
        for (const part of value.split(',')) {
          if (!address.safeParse(part.trim()).success) {
            ctx.addIssue({ code: 'custom', message: `"${part.trim()}" is not an email address` });
          }
        }
      }),
  ])
  .transform((value) => (Array.isArray(value) ? value.join(', ') : value));

const attributeName = z.string().trim().min(1, 'must not be empty').max(200);

/** The IDM columns a recon key may compare with; anything else is a custom attribute. */
export const idmFields = ['name', 'login', 'email', 'employeeId', 'employee_id'] as const;

export const situationRuleSchema = z.strictObject({
  response: z.enum(responses),
  populationPolicy: policyPath.optional(),
  commandPolicy: policyPath.optional(),
});

export const situationsSchema = z
  .strictObject(
    Object.fromEntries(situations.map((s) => [s, situationRuleSchema.optional()])) as {
      [K in (typeof situations)[number]]: z.ZodOptional<typeof situationRuleSchema>;
    },
  )
  .refine((value) => !value.DISPUTED || value.DISPUTED.response === 'DO_NOTHING', {
    message: 'DISPUTED is never resolved automatically: its response must be DO_NOTHING',
    path: ['DISPUTED', 'response'],
  });

/** Every field of a reconciliation config (docs/api.md); all optional here, see create/update. */
export const configFields = {
  name: z.string().trim().max(200).nullable(),
  objectType: z.enum(objectTypes),
  status: z.enum(['active', 'inactive']),
  frequency,
  timezone,
  notificationEmail: notificationEmail.nullable(),
  sendDoNothingReport: z.boolean(),
  reportFormat: z.enum(['html', 'csv']),
  targetQueryPolicy: policyPath,
  targetSearchFilter: z.string().max(10_000).nullable(),
  idmQueryPolicy: policyPath,
  idmSearchFilter: z.record(z.string(), z.unknown()).nullable(),
  updatedSince: z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time' }).nullable(),
  sourceAttributeName: attributeName.nullable(),
  idmField: z.enum(idmFields).nullable(),
  idmCustomAttribute: attributeName.nullable(),
  matchingPolicy: policyPath,
  preProcessorPolicy: policyPath,
  postProcessorPolicy: policyPath,
  customProcessorPolicy: policyPath,
  policyMap: z.array(attributeName).max(1000),
  attributeSync: z.record(
    attributeName,
    z.strictObject({
      direction: z.enum(['toIdm', 'toSystem', 'both', 'none']),
      confidence: z.number().int().min(0).max(100).optional(),
    }),
  ),
  deletionThreshold: z.strictObject({
    count: z.number().int().min(0).optional(),
    percent: z.number().min(0).max(100).optional(),
  }),
  staleDays: z.number().int().min(0).max(36_500),
  /**
   * The account attribute that lists memberships as account keys on the same system: a group's
   * members (`member`, `members`, `uniqueMember`) or a user account's groups (`memberOf`).
   */
  entitlementAttribute: attributeName.nullable(),
  /** docs/api.md "Runs"; null turns it off. */
  sourceGuard: z
    .strictObject({
      minAccounts: z.number().int().min(0).optional(),
      maxDropPercent: z.number().min(0).max(100).optional(),
    })
    .nullable(),
  situations: situationsSchema,
};

export const createConfigBody = z.strictObject(configFields).partial().required({ objectType: true });
export const updateConfigBody = z.strictObject(configFields).partial();

export type ConfigInput = z.output<typeof updateConfigBody>;
export type CreateConfigInput = z.output<typeof createConfigBody>;
