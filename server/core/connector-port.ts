import type { Account, AttributePatch, Attributes, AttributeValue, ConnectorQuery } from './model.ts';

/**
 * The port the engine needs to reach a managed system (docs/design.md, "Connectors"): one small
 * interface, implemented by each folder under server/connectors/ and by connector plugins.
 * The engine never sees a driver.
 */
export type ConnectionTest = { ok: boolean; message: string; details?: Record<string, unknown> };

export type SchemaAttribute = { name: string; type?: string; multiValued?: boolean };

export type SearchRequest = {
  /** From the target query policy; absent = the connector's default query for `searchFilter`. */
  query?: ConnectorQuery;
  /** The config's `targetSearchFilter`, used when there is no query. */
  searchFilter?: string | null;
  /** Incremental runs: only objects changed at or after this watermark (the connector ANDs it in). */
  watermark?: string | null;
  /** The policy map: only these attributes are requested (the unique field key always is). */
  attributes?: string[] | null;
  pageSize?: number;
};

/**
 * What a lookup by key reads under: the same query, search filter and attributes as the search the
 * plan was made from, so an account the run's query leaves out is absent from a lookup too.
 */
export type LookupRequest = Pick<SearchRequest, 'attributes' | 'query' | 'searchFilter'>;

/** A row the connector could not read (a malformed CSV line, an entry without its key). */
export type ReadProblem = { line?: number; key?: string; message: string };

export type Page = {
  accounts: Account[];
  problems: ReadProblem[];
  /** The highest change marker seen so far, for the next incremental run. */
  watermark?: string | null;
};

export type WriteOp =
  | { op: 'create'; key: string; attributes: Attributes }
  | { op: 'update'; key: string; patch: AttributePatch }
  | { op: 'disable'; key: string }
  | { op: 'delete'; key: string };

/**
 * Writes are idempotent so a resumed run can repeat the last batch safely: creating an account
 * that exists updates it to the given attributes, deleting one that is gone succeeds.
 */
export type WriteResult = { ok: true } | { ok: false; message: string };

export interface Connector {
  test(): Promise<ConnectionTest>;
  schema(): Promise<SchemaAttribute[]>;
  search(request: SearchRequest): AsyncIterable<Page>;
  /**
   * Reads the accounts with these unique field keys (keys runs, live changes, drift checks before
   * applying a reviewed plan). Keys with no account are simply absent from the answer. A connector
   * without it is read by a full search filtered on the keys.
   */
  lookup?(keys: string[], request: LookupRequest): Promise<Account[]>;
  /**
   * Whether an account as read is disabled on the system, in the sense `disable` writes: true,
   * false, or undefined when the account does not say. Searches and lookups read what it needs even
   * when the policy map leaves it out. The engine writes no disable for an account already disabled.
   */
  isDisabled?(account: Account): boolean | undefined;
  /**
   * How the system's disable is written, when it is one attribute (an undo writes it back); absent
   * when the system has no disable or it is not one attribute.
   */
  disableWrite?: DisableWrite;
  /**
   * Where the system keeps memberships, when not on the accounts: a directory keeps them on the
   * groups (`member`) and shows them on an entry as a back-link it writes itself (`memberOf`).
   */
  memberships?: Memberships;
  /**
   * The key an account created under `key` is read back with, where the system spells keys its own
   * way (LDAP keyed by DN: the normalised DN). The engine links a created account under it, so the
   * link names the account as every later read does (a group's member list among them). Absent:
   * the key as given.
   */
  keyAsRead?(key: string): string;
  /** Applies a batch in order; one result per op. CSV rewrites its file once per batch. */
  write(ops: WriteOp[]): Promise<WriteResult[]>;
  close(): Promise<void>;
}

/**
 * A disable written as one attribute set to `disabled`. `enabled` is what enables it when its
 * value before a run is not known (null: cleared); `alsoWritten` are attributes the disable changes
 * besides it (AD's userAccountControl behind `accountDisabled`).
 */
export type DisableWrite = {
  attribute: string;
  disabled: AttributeValue;
  enabled: AttributeValue;
  alsoWritten: string[];
};

/** A directory's memberships: the group attribute naming members, and the entry's back-link. */
export type Memberships = { backLink: string; member: string };

/** A managed system as a connector needs it: settings plus decrypted secrets. */
export type ConnectorSettings = {
  /** A registered connector type: built in (csv, sql, ldap, scim) or a plugin's. */
  type: string;
  uniqueFieldKey: string;
  connection: Record<string, unknown>;
  secrets: Record<string, string>;
};

/** Bad connection settings, with the field at fault; the API turns it into a 400. */
export class ConnectorConfigError extends Error {
  override name = 'ConnectorConfigError';
  readonly field: string;
  constructor(field: string, message: string) {
    super(`${field}: ${message}`);
    this.field = field;
  }
}
