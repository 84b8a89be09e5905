import type { Correlation } from './correlate.ts';
import type { Attributes } from './model.ts';
import type { PlannedAction } from './plan.ts';
import type { AttributeSources, LinkRow } from './recon-config.ts';

/**
 * What an action overwrites that its event does not otherwise keep, stored beside it so an undo
 * can put it back (the attribute diff already holds the before-values of IDM updates):
 * - `account`: the account as read, when the action updates, disables or deletes it;
 * - `link`: the link as it was (null: none), when the action writes the link;
 * - `sources`: who set each IDM attribute an update overwrites (absent: nobody).
 */
export type BeforeImage = {
  account?: Attributes;
  link?: LinkRow | null;
  sources?: AttributeSources;
};

export function beforeImageOf(pair: Correlation, action: PlannedAction): BeforeImage | null {
  const image: BeforeImage = {};
  const systemOp = action.system?.op;
  if (pair.account && (systemOp === 'update' || systemOp === 'disable' || systemOp === 'delete')) {
    image.account = pair.account.attributes;
  }
  if (action.link) {
    const link = pair.link;
    image.link = link
      ? {
          accountKey: link.accountKey,
          idmObjectId: link.idmObjectId,
          status: link.status,
          staleSince: link.staleSince,
        }
      : null;
  }
  const idm = action.idm;
  if ((idm?.op === 'update' || idm?.op === 'enable') && pair.idm) {
    const known = pair.idm.sources;
    const sources: AttributeSources = {};
    for (const name of Object.keys(idm.patch)) {
      const source = known[name];
      if (source) sources[name] = source;
    }
    image.sources = sources;
  }
  return Object.keys(image).length > 0 ? image : null;
}
