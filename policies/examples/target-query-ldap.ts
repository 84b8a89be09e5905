import { defineTargetQuery, ldapEscape } from 'trueup:policy';

/**
 * Reads person entries from a directory, narrowed to one department when the config's search
 * filter names one, and to recently changed entries on an incremental run.
 */
export default defineTargetQuery(({ searchFilter, watermark }) => {
  const parts = ['(objectClass=inetOrgPerson)', '(!(employeeType=service))'];
  if (searchFilter) parts.push(`(departmentNumber=${ldapEscape(searchFilter)})`);
  if (watermark) parts.push(`(modifyTimestamp>=${ldapEscape(watermark)})`);
  return {
    type: 'ldap',
    filter: `(&${parts.join('')})`,
    baseDn: 'ou=people,dc=example,dc=com',
    scope: 'sub',
  };
});
