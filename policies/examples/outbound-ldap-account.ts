import { defineOutboundMapping, ldapEscapeDn } from 'trueup:policy';

/** Builds a directory entry for an IDM user (ADD_TO_RESOURCE and UPDATE_RESOURCE_FROM_IDM). */
export default defineOutboundMapping(({ idmObject }) => {
  const user = idmObject.attributes;
  const login = typeof user.login === 'string' ? user.login : idmObject.id;
  return {
    dn: `uid=${ldapEscapeDn(login)},ou=people,dc=example,dc=com`,
    uid: login,
    cn: typeof user.name === 'string' ? user.name : login,
    sn: typeof user.lastName === 'string' ? user.lastName : login,
    mail: typeof user.email === 'string' ? user.email : null,
    employeeNumber: typeof user.employeeId === 'string' ? user.employeeId : null,
    objectClass: ['top', 'person', 'organizationalPerson', 'inetOrgPerson'],
  };
});
