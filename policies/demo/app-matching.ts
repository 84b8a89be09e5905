import { defineMatchingRule } from 'trueup:policy';

/**
 * App accounts carry the HR employee id when someone filled it in; older accounts only have an
 * email. Both sides yield the same key shapes, so either one correlates.
 */
const lower = (value: unknown) =>
  typeof value === 'string' && value.trim() ? value.trim().toLowerCase() : null;

export default defineMatchingRule({
  accountKeys(account) {
    const keys: string[] = [];
    const employeeId = lower(account.attributes.employeeId);
    if (employeeId) keys.push(`emp:${employeeId}`);
    else {
      const email = lower(account.attributes.email);
      if (email) keys.push(`mail:${email}`);
    }
    return keys;
  },
  idmKeys(user) {
    const keys: string[] = [];
    const employeeId = lower(user.attributes.employeeId);
    if (employeeId) keys.push(`emp:${employeeId}`);
    const email = lower(user.attributes.email);
    if (email) keys.push(`mail:${email}`);
    return keys;
  },
});
