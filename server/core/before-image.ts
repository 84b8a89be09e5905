import type { Correlation } from './correlate.ts';
import type { BeforeImage, PlannedAction } from './plan.ts';
import type { AttributeSources } from './recon-config.ts';

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
