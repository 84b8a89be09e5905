/**
 * The connector SDK: the module `trueup:connector` that a connector plugin imports.
 *
 * A plugin is a TypeScript (or JavaScript) module in the server's CONNECTORS_DIR with one default
 * export made with `defineConnector`. The server loads it at start-up (Node strips the types) and
 * offers its `type` beside csv, sql, ldap and scim: systems of that type are created, tested and
 * reconciled like any other.
 *
 * Connectors are trusted code. Unlike policies they are not sandboxed: they run inside the server
 * process with its rights, its network and its file system. Install only plugins you would put in
 * the server itself.
 *
 * These types mirror server/core/connector-port.ts (the port the engine uses); a test keeps them
 * in step. `connectors/tsconfig.json` gives editors this view.
 */
declare module 'trueup:connector' {
  import type { z } from 'zod';

  export { z } from 'zod';

  export type AttributeValue = string | number | boolean | null | string[];
  export type Attributes = Record<string, AttributeValue>;
  /** Set these keys; `null` removes the attribute. */
  export type AttributePatch = Record<string, AttributeValue>;
  /** One object on the managed system, identified by its unique field key. */
  export type Account = { key: string; attributes: Attributes };

  /** What a target query policy hands the connector (built-in types; a plugin may refuse them). */
  export type ConnectorQuery =
    | { type: 'ldap'; filter: string; baseDn?: string; scope?: 'base' | 'one' | 'sub' }
    | { type: 'sql'; text: string; params: Array<string | number | boolean | null> }
    | { type: 'csv'; where?: Record<string, string | string[]> };

  export type ConnectionTest = { ok: boolean; message: string; details?: Record<string, unknown> };
  export type SchemaAttribute = { name: string; type?: string; multiValued?: boolean };

  export type SearchRequest = {
    /** From the target query policy; absent = the connector's default query for `searchFilter`. */
    query?: ConnectorQuery;
    /** The config's `targetSearchFilter`, used when there is no query. */
    searchFilter?: string | null;
    /** Incremental runs: only objects changed at or after this watermark. */
    watermark?: string | null;
    /** The policy map: only these attributes are requested (the unique field key always is). */
    attributes?: string[] | null;
    pageSize?: number;
  };

  /** A row the connector could not read. */
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

  /** Writes are idempotent: create of an existing key updates it, delete of a missing key succeeds. */
  export type WriteResult = { ok: true } | { ok: false; message: string };

  export interface Connector {
    /** `{ ok: false, message }` for a failure; a throw is reported naming the plugin file. */
    test(): Promise<ConnectionTest>;
    schema(): Promise<SchemaAttribute[]>;
    search(request: SearchRequest): AsyncIterable<Page>;
    /**
     * Accounts by unique field key, read under the request's query and search filter like a
     * search (an account the query leaves out is absent); absent keys are simply missing. Optional.
     */
    lookup?(
      keys: string[],
      request: Pick<SearchRequest, 'attributes' | 'query' | 'searchFilter'>,
    ): Promise<Account[]>;
    /** Whether an account as read is disabled (what `disable` writes); undefined when it does not say. Optional. */
    isDisabled?(account: Account): boolean | undefined;
    /** How the disable is written, when it is one attribute (an undo writes it back). Optional. */
    disableWrite?: {
      attribute: string;
      disabled: AttributeValue;
      enabled: AttributeValue;
      alsoWritten: string[];
    };
    /** Where memberships are kept when not on the accounts (a directory's groups). Optional. */
    memberships?: { backLink: string; member: string };
    /** The key an account created under `key` is read back with, where the system spells keys its own way. Optional. */
    keyAsRead?(key: string): string;
    /** Applies a batch in order; one result per op. */
    write(ops: WriteOp[]): Promise<WriteResult[]>;
    close(): Promise<void>;
  }

  export type ConnectorContext = {
    /** The attribute that identifies an account on this system. */
    uniqueFieldKey: string;
  };

  export type ConnectorDefinition<S extends z.ZodType = z.ZodType> = {
    /** The system `type`: lower case letters, digits and dashes. */
    type: string;
    description: string;
    /** Validates a system's `connection`; the console's form and the API docs are made from it. */
    settings: S;
    /** Settings encrypted at rest and never returned by the API. */
    secretFields: readonly string[];
    create(settings: z.output<S>, context: ConnectorContext): Connector;
  };

  export function defineConnector<S extends z.ZodType>(
    definition: ConnectorDefinition<S>,
  ): ConnectorDefinition<S>;

  /** Bad settings found at run time, naming the field (the API answers 400 with it). */
  export class ConnectorConfigError extends Error {
    readonly field: string;
    constructor(field: string, message: string);
  }
}
