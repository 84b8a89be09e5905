import type { ObjectType } from '../../../core/model.ts';
import type { IdmDetailView, IdmListFilter } from '../../../services/idm.ts';
import type { LinkOutcome, SetStatusOutcome, UnlinkOutcome } from '../../../services/idm-acts.ts';
import type { IdmObjectView } from '../../../services/idm-view.ts';
import type { Services } from '../../../services/index.ts';
import type { AccountLinkState, LastReadAccount } from '../../../services/systems/system-accounts.ts';
import type { Person } from './auth.ts';

/** The IDM and a system's last-read accounts for the console: the same use cases as `/api/idm`. */
export type {
  AccountLinkState,
  IdmDetailView,
  IdmObjectView,
  LastReadAccount,
  LinkOutcome,
  SetStatusOutcome,
  UnlinkOutcome,
};

export function idmAdapter(services: Services) {
  const { idm, accounts } = services;
  return {
    list: (type: ObjectType, filter: Omit<IdmListFilter, 'attributes'>) =>
      idm.list(type, { ...filter, attributes: [] }),
    get: (type: ObjectType, id: string) => idm.get(type, id),
    countByStatus: (type: ObjectType) => idm.countByStatus(type),
    setStatus: (type: ObjectType, id: string, status: 'active' | 'disabled', person: Person) =>
      idm.setStatus(type, id, status, person.name),
    link: (type: ObjectType, id: string, input: { systemId: string; accountKey: string }, person: Person) =>
      idm.link(type, id, input, person.name),
    unlink: (type: ObjectType, id: string, linkId: string, person: Person) =>
      idm.unlink(type, id, linkId, person.name),
    accounts: (
      systemId: string,
      filter: {
        q?: string | undefined;
        state?: AccountLinkState | undefined;
        after?: { objectType: string; key: string } | undefined;
        limit: number;
      },
    ) => accounts.list(systemId, filter),
  };
}
