/**
 * Keeps the SDK types (connectors/trueup-connector.d.ts) in step with the port the engine uses
 * (server/core/connector-port.ts): `npm run typecheck` fails here when either side changes alone.
 */
import type * as Sdk from 'trueup:connector';
import type { ConnectorDefinition } from '../../server/connectors/define-connector.ts';
import type * as Port from '../../server/core/connector-port.ts';

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Check<T extends true> = T;

export type SdkMatchesPort = [
  Check<Same<Sdk.Connector, Port.Connector>>,
  Check<Same<Sdk.SearchRequest, Port.SearchRequest>>,
  Check<Same<Sdk.Page, Port.Page>>,
  Check<Same<Sdk.WriteOp, Port.WriteOp>>,
  Check<Same<Sdk.WriteResult, Port.WriteResult>>,
  Check<Same<Sdk.ConnectionTest, Port.ConnectionTest>>,
  Check<Same<Sdk.SchemaAttribute, Port.SchemaAttribute>>,
  Check<Same<Sdk.ConnectorDefinition, ConnectorDefinition>>,
];
