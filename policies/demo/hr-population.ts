import { definePopulation } from 'trueup:policy';

/**
 * HR export → IDM user. The login is chosen once, at creation, from the work email; later HR
 * renames update the name and email but never the login.
 */
export default definePopulation(({ account, idmObject }) => {
  const hr = account.attributes;
  const email = typeof hr.email === 'string' ? hr.email.trim().toLowerCase() : null;
  const patch: Record<string, string | null> = {
    employeeId: account.key,
    firstName: typeof hr.firstName === 'string' ? hr.firstName.trim() : null,
    lastName: typeof hr.lastName === 'string' ? hr.lastName.trim() : null,
    email,
    department: typeof hr.department === 'string' ? hr.department : null,
    title: typeof hr.title === 'string' ? hr.title : null,
  };
  patch.name = [patch.firstName, patch.lastName].filter(Boolean).join(' ') || account.key;
  if (!idmObject?.attributes.login) patch.login = email ? email.split('@')[0]! : `emp-${account.key}`;
  return patch;
});
