import { createHash } from 'node:crypto';
import type { Account } from './model.ts';
import { normalizeKey } from './normalize-key.ts';
import type { EventError } from './plan.ts';
import { canonicalJson } from './plan-hash.ts';

/**
 * The content hash of an account as read (its key and attributes): stored on each planned event,
 * and compared with a fresh read before an approved plan's action is written.
 */
export function accountContentHash(account: Account): string {
  return createHash('sha256')
    .update(canonicalJson([account.key, account.attributes]))
    .digest('hex');
}

/** What a planned event saw when it was planned (run_events.account_hash / idm_version). */
export type PlannedSnapshot = {
  seq: number;
  objectKey: string | null;
  accountHash: string | null;
  idmObjectId: string | null;
  idmVersion: number | null;
};

/** The same objects now: accounts read again by key, IDM versions read again by id. */
export type CurrentState = {
  accounts: Map<string, Account>;
  /** IDM object id → version; absent when the object does not exist. */
  idmVersions: Map<string, number>;
};

export const changedSincePlan = 'changed_since_plan';

/**
 * The drift check of an applied plan (DESIGN "Review, then apply"): an object whose account or IDM
 * object is no longer as it was planned gets an error and is written nowhere. An account that was
 * absent must still be absent, an IDM object that did not exist must still not exist.
 */
export function findDrift(planned: PlannedSnapshot[], now: CurrentState): Map<number, EventError> {
  const byKey = new Map<string, Account>();
  for (const account of now.accounts.values()) byKey.set(normalizeKey(account.key), account);
  const drifted = new Map<number, EventError>();
  for (const p of planned) {
    const reasons: string[] = [];
    if (p.objectKey !== null) {
      const account = now.accounts.get(p.objectKey) ?? byKey.get(normalizeKey(p.objectKey)) ?? null;
      const hash = account ? accountContentHash(account) : null;
      if (hash !== p.accountHash) {
        reasons.push(
          p.accountHash === null
            ? `account "${p.objectKey}" appeared on the system`
            : account
              ? `account "${p.objectKey}" changed on the system`
              : `account "${p.objectKey}" is gone from the system`,
        );
      }
    }
    if (p.idmObjectId !== null && p.idmVersion !== null) {
      const version = now.idmVersions.get(p.idmObjectId);
      if (version === undefined) reasons.push(`IDM object ${p.idmObjectId} is gone`);
      else if (version !== p.idmVersion)
        reasons.push(`IDM object ${p.idmObjectId} changed (version ${p.idmVersion} → ${version})`);
    }
    if (reasons.length > 0) {
      drifted.set(p.seq, {
        code: changedSincePlan,
        message: `${reasons.join('; ')} since the plan was made; not written`,
      });
    }
  }
  return drifted;
}
