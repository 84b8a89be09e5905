import type { Correlation } from './correlate.ts';
import type { Response, Situation } from './model.ts';
import type { EngineConfig, SituationRule } from './recon-config.ts';

/** The situation of one correlated pair (docs/design.md, "Situations"). */
export function classifySituation(pair: Correlation): Situation | null {
  if (pair.account) {
    if (pair.link) {
      const gone = !pair.idm || pair.idm.object.status === 'deleted' || pair.link.status === 'tombstone';
      return gone ? 'IDM_DELETED__RESOURCE_EXISTS' : 'IDM_EXISTS__RESOURCE_EXISTS';
    }
    if (pair.idm) return 'IDM_EXISTS__RESOURCE_EXISTS';
    return pair.candidates.length > 0 ? 'DISPUTED' : 'IDM_NOT_EXISTS__RESOURCE_EXISTS';
  }
  return pair.idm ? 'IDM_EXISTS__RESOURCE_NOT_EXISTS' : null;
}

const doNothing: SituationRule = { response: 'DO_NOTHING' };

/**
 * The config's row for a situation. DISPUTED is never auto-resolved: whatever its row says, a
 * disputed pair is only recorded for a person to decide.
 */
export function situationRule(config: EngineConfig, situation: Situation): SituationRule {
  if (situation === 'DISPUTED') return doNothing;
  return config.situations[situation] ?? doNothing;
}

export function isDeletion(response: Response): boolean {
  return response === 'DELETE_FROM_IDM' || response === 'DELETE_FROM_RESOURCE';
}
