import { definePopulation, log } from 'trueup:policy';
import { normalizeEmail, properName } from './normalize.ts';

/**
 * Maps an HR feed (a trusted system) onto IDM users: names tidied, the login derived from the work
 * email, the status from the HR employment status, and the department kept as a custom attribute.
 */
export default definePopulation(({ account, idmObject, situation }) => {
  const hr = account.attributes;
  const email = typeof hr.mail === 'string' ? normalizeEmail(hr.mail) : null;
  const firstName = typeof hr.givenName === 'string' ? properName(hr.givenName) : null;
  const lastName = typeof hr.sn === 'string' ? properName(hr.sn) : null;
  if (!email) log.warn(`HR record ${account.key} has no work email`);
  const patch: Record<string, string | boolean | null | string[]> = {
    employeeId: account.key,
    firstName,
    lastName,
    name: [firstName, lastName].filter(Boolean).join(' ') || null,
    email,
    department: typeof hr.department === 'string' ? hr.department : null,
    active: hr.employmentStatus !== 'terminated',
  };
  // The login is chosen once, when the user is created; renames in HR must not change it.
  if (situation === 'IDM_NOT_EXISTS__RESOURCE_EXISTS' || !idmObject?.attributes.login) {
    patch.login = email ? email.split('@')[0]! : `emp${account.key}`;
  }
  return patch;
});
