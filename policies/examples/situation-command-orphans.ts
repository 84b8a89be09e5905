import { defineSituationCommand } from 'trueup:policy';

/**
 * For orphan accounts (no IDM user): service accounts are left alone, everything else is disabled
 * on the directory rather than deleted, with a description saying why.
 */
export default defineSituationCommand(({ account }) => {
  if (!account) return [{ response: 'DO_NOTHING' }];
  // uid is multi-valued in the standard LDAP schema: a list, unless it is the unique field key.
  const uids = [account.attributes.uid].flat();
  if (uids.some((uid) => typeof uid === 'string' && uid.startsWith('svc-')))
    return [{ response: 'DO_NOTHING' }];
  return [
    {
      response: 'DISABLE_IN_RESOURCE',
      patch: { description: `disabled by trueup: no matching IDM user for ${account.key}` },
    },
  ];
});
