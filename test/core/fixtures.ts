import type { Correlation } from '../../server/core/correlate.ts';
import type { Account, IdmObject } from '../../server/core/model.ts';
import type { EngineConfig, IdmEntry, LinkEntry } from '../../server/core/recon-config.ts';

export function engineConfig(overrides: Partial<EngineConfig> = {}): EngineConfig {
  return {
    id: 'cfg-1',
    objectType: 'User',
    system: {
      id: 'sys-hr',
      name: 'hr',
      type: 'csv',
      trusted: true,
      uniqueFieldKey: 'employeeId',
      attributes: ['employeeId', 'name', 'email'],
      outboundMapping: null,
    },
    sendDoNothingReport: false,
    targetQueryPolicy: null,
    targetSearchFilter: null,
    idmQueryPolicy: null,
    idmSearchFilter: null,
    updatedSince: null,
    sourceAttributeName: 'employeeId',
    idmField: 'employeeId',
    idmCustomAttribute: null,
    matchingPolicy: null,
    preProcessorPolicy: null,
    postProcessorPolicy: null,
    customProcessorPolicy: null,
    policyMap: [],
    attributeSync: {},
    deletionThreshold: {},
    staleDays: 0,
    entitlementAttribute: null,
    situations: {},
    ...overrides,
  };
}

export const account = (key: string, attributes: Account['attributes'] = {}): Account => ({
  key,
  attributes: { employeeId: key, ...attributes },
});

export function idmEntry(
  id: string,
  attributes: IdmObject['attributes'] = {},
  status: IdmObject['status'] = 'active',
): IdmEntry {
  return { object: { id, type: 'User', status, attributes }, sources: {} };
}

export const link = (
  accountKey: string,
  idm: IdmEntry | null,
  overrides: Partial<LinkEntry> = {},
): LinkEntry => ({
  accountKey,
  idmObjectId: idm?.object.id ?? 'gone',
  status: 'active',
  staleSince: null,
  idm,
  ...overrides,
});

export const pairOf = (overrides: Partial<Correlation>): Correlation => ({
  account: null,
  idm: null,
  candidates: [],
  link: null,
  via: null,
  ...overrides,
});
