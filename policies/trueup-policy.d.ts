/**
 * The policy SDK: the virtual module `trueup:policy` that every trueup policy imports.
 *
 * A policy file has one default export made with one of the `define…` helpers below. Inputs and
 * outputs are plain JSON data. Policies run in a sandbox with no network, no file system, no
 * timers, no `process` and no `require`; `Date.now()` is fixed for the run and `Math.random()` is
 * seeded, so a dry run and the real run decide the same way.
 *
 * The server typechecks every policy against this file (strict, ES2022, no DOM or Node types);
 * `policies/tsconfig.json` gives editors the same view. It is the contract of
 * `server/core/policy-contract.ts` written for editors; test/sandbox/sdk-contract.test.ts holds
 * the two to each other.
 */
declare module 'trueup:policy' {
  export type AttributeValue = string | number | boolean | null | string[];
  export type Attributes = Record<string, AttributeValue>;
  /** Set these keys; `null` removes the attribute. */
  export type AttributePatch = Record<string, AttributeValue>;
  export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
  /** Run variables a pre-processor sets; every later policy of the run receives them. */
  export type Vars = Record<string, JsonValue>;

  export type ObjectType = 'User' | 'Group' | 'Role' | 'Organization';
  export type Situation =
    | 'IDM_EXISTS__RESOURCE_EXISTS'
    | 'IDM_EXISTS__RESOURCE_NOT_EXISTS'
    | 'IDM_NOT_EXISTS__RESOURCE_EXISTS'
    | 'IDM_DELETED__RESOURCE_EXISTS'
    | 'DISPUTED';
  export type Response =
    | 'DO_NOTHING'
    | 'ADD_TO_IDM'
    | 'UPDATE_IDM_FROM_RESOURCE'
    | 'DELETE_FROM_IDM'
    | 'DISABLE_IN_IDM'
    | 'ADD_TO_RESOURCE'
    | 'UPDATE_RESOURCE_FROM_IDM'
    | 'DELETE_FROM_RESOURCE'
    | 'DISABLE_IN_RESOURCE';

  /** One object on a managed system, identified by its unique field key (DN, employee number, …). */
  export type Account = { key: string; attributes: Attributes };
  /** An IDM object; `name`, `login`, `email` and `employeeId` are attributes like any other. */
  export type IdmObject = {
    id: string;
    type: ObjectType;
    status: 'active' | 'disabled' | 'deleted';
    attributes: Attributes;
  };
  export type SystemView = {
    id: string;
    name: string;
    /** The connector type: csv, sql, ldap, scim, or a connector plugin's. */
    type: string;
    trusted: boolean;
    uniqueFieldKey: string;
  };

  /** A JSON filter over IDM objects: equality, `$in`, `$exists`, `$and`, `$or`. */
  export type IdmFilter =
    | { $and: IdmFilter[] }
    | { $or: IdmFilter[] }
    | { [attribute: string]: AttributeValue | { $in: AttributeValue[] } | { $exists: boolean } };

  /** What a target query hands the connector: an LDAP filter, parametrised SQL, or a CSV column filter. */
  export type ConnectorQuery =
    | { type: 'ldap'; filter: string; baseDn?: string; scope?: 'base' | 'one' | 'sub' }
    | { type: 'sql'; text: string; params: Array<string | number | boolean | null> }
    | { type: 'csv'; where?: Record<string, string | string[]> };

  export type TargetQueryContext = {
    /** The reconciliation config's target search filter. */
    searchFilter: string | null;
    updatedSince: string | null;
    /** The stored watermark of an incremental run; null on a full run. */
    watermark: string | null;
    /** The policy map: the attributes to request. */
    attributes: string[];
    system: SystemView;
    vars: Vars;
  };
  export type IdmQueryContext = {
    searchFilter: IdmFilter | null;
    objectType: ObjectType;
    system: SystemView;
    vars: Vars;
  };
  export type PopulationContext = {
    situation: Situation;
    account: Account;
    /** The matched IDM object; null when there is none yet (e.g. ADD_TO_IDM). */
    idmObject: IdmObject | null;
    system: SystemView;
    vars: Vars;
  };
  export type OutboundMappingContext = {
    idmObject: IdmObject;
    account: Account | null;
    system: SystemView;
    vars: Vars;
  };
  export type PreProcessorContext = {
    configId: string;
    objectType: ObjectType;
    /** A whole system, its changes, a few objects by key, or live changes. */
    mode: 'full' | 'incremental' | 'keys' | 'live';
    dryRun: boolean;
    system: SystemView;
  };
  export type RunSummaryView = {
    runId: string;
    status: string;
    dryRun: boolean;
    counts: { situations: Record<string, number>; responses: Record<string, number>; errors: number };
  };
  export type PostProcessorContext = { summary: RunSummaryView; system: SystemView; vars: Vars };
  export type SituationCommandContext = {
    situation: Situation;
    response: Response;
    account: Account | null;
    idmObject: IdmObject | null;
    system: SystemView;
    vars: Vars;
  };
  export type CorrelatedPair = {
    account: Account | null;
    idmObject: IdmObject | null;
    candidates: IdmObject[];
  };
  export type CustomProcessorContext = { pairs: CorrelatedPair[]; system: SystemView; vars: Vars };

  /** `patch` is the IDM patch (…_IDM responses) or the account patch (…_RESOURCE responses). */
  export type CommandAction = { response: Response; patch?: AttributePatch };
  export type CustomDecision = { situation: Situation; response: Response; patch?: AttributePatch };
  export type PreProcessorResult = { abort?: string; vars?: Vars };
  export type PostProcessorResult = { notify?: { to?: string[]; message?: string } };

  export type MatchingRule = {
    /** Correlation keys of an account; the engine joins them with the IDM objects' keys. */
    accountKeys(account: Account): string[];
    /** Correlation keys of an IDM object. */
    idmKeys(idmObject: IdmObject): string[];
    /** 0–100; picks among several candidates. A tie or no clear winner is DISPUTED. */
    score?(account: Account, candidate: IdmObject): number;
  };

  export type PolicyKind =
    | 'targetQuery'
    | 'idmQuery'
    | 'matchingRule'
    | 'population'
    | 'outboundMapping'
    | 'preProcessor'
    | 'postProcessor'
    | 'situationCommand'
    | 'customProcessor';

  /** What a `define…` helper returns; a policy file's default export must be one. */
  export interface Policy<K extends PolicyKind> {
    readonly kind: K;
  }

  export function defineTargetQuery(fn: (ctx: TargetQueryContext) => ConnectorQuery): Policy<'targetQuery'>;
  /** Returning `null` selects nothing, which makes the run one-way. */
  export function defineIdmQuery(fn: (ctx: IdmQueryContext) => IdmFilter | null): Policy<'idmQuery'>;
  export function defineMatchingRule(rule: MatchingRule): Policy<'matchingRule'>;
  export function definePopulation(fn: (ctx: PopulationContext) => AttributePatch): Policy<'population'>;
  export function defineOutboundMapping(
    fn: (ctx: OutboundMappingContext) => AttributePatch,
  ): Policy<'outboundMapping'>;
  export function definePreProcessor(
    fn: (ctx: PreProcessorContext) => PreProcessorResult,
  ): Policy<'preProcessor'>;
  export function definePostProcessor(
    fn: (ctx: PostProcessorContext) => PostProcessorResult,
  ): Policy<'postProcessor'>;
  /** Replaces the default action of a situation. */
  export function defineSituationCommand(
    fn: (ctx: SituationCommandContext) => CommandAction[],
  ): Policy<'situationCommand'>;
  /** Gets a batch of correlated pairs and replaces classification and response. */
  export function defineCustomProcessor(
    fn: (ctx: CustomProcessorContext) => CustomDecision[],
  ): Policy<'customProcessor'>;

  /** Escapes a value for an LDAP search filter (RFC 4515): `*`, `(`, `)`, `\` and NUL. */
  export function ldapEscape(value: string): string;
  /** Escapes a value for one RDN of an LDAP distinguished name (RFC 4514). */
  export function ldapEscapeDn(value: string): string;
  /** Lower-case hexadecimal SHA-256 of the UTF-8 text, e.g. for pseudonymous keys. */
  export function sha256(text: string): string;

  /** Log lines go to the run's events (rate-limited per call). */
  export const log: {
    debug(message: string): void;
    info(message: string): void;
    warn(message: string): void;
    error(message: string): void;
  };
}
