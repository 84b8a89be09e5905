import { type Attributes, defineMatchingRule } from 'trueup:policy';
import { normalizeEmail } from './normalize.ts';

/**
 * Correlates HR accounts with IDM users on the employee number; accounts without one fall back to
 * their work email. When several IDM users share a key, the score prefers the one whose name and
 * email agree too, so only a real tie ends up DISPUTED.
 */
function text(attributes: Attributes, name: string): string {
  const value = attributes[name];
  return typeof value === 'string' ? value.trim() : '';
}

export default defineMatchingRule({
  accountKeys(account) {
    const employeeNumber = text(account.attributes, 'employeeNumber');
    if (employeeNumber) return [`emp:${employeeNumber.replace(/^0+/, '')}`];
    const email = normalizeEmail(text(account.attributes, 'mail'));
    return email ? [`mail:${email}`] : [];
  },
  idmKeys(user) {
    const keys: string[] = [];
    const employeeId = text(user.attributes, 'employeeId');
    if (employeeId) keys.push(`emp:${employeeId.replace(/^0+/, '')}`);
    const email = normalizeEmail(text(user.attributes, 'email'));
    if (email) keys.push(`mail:${email}`);
    return keys;
  },
  score(account, candidate) {
    let score = 50;
    if (
      normalizeEmail(text(account.attributes, 'mail')) === normalizeEmail(text(candidate.attributes, 'email'))
    )
      score += 30;
    if (text(account.attributes, 'sn').toLowerCase() === text(candidate.attributes, 'lastName').toLowerCase())
      score += 20;
    if (candidate.status !== 'active') score -= 40;
    return Math.max(0, Math.min(100, score));
  },
});
