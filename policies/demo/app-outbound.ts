import { defineOutboundMapping } from 'trueup:policy';

/** IDM user → app account: the IDM is the source of truth for display name and email. */
export default defineOutboundMapping(({ idmObject }) => {
  const user = idmObject.attributes;
  return {
    login: typeof user.login === 'string' ? user.login : null,
    employeeId: typeof user.employeeId === 'string' ? user.employeeId : null,
    displayName: typeof user.name === 'string' ? user.name : null,
    email: typeof user.email === 'string' ? user.email : null,
    enabled: idmObject.status === 'active' ? 'true' : 'false',
  };
});
