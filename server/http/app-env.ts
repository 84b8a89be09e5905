import type { OpenAPIHono } from '@hono/zod-openapi';
import type { TokenRole } from '../core/model.ts';

/** The token behind a request: its id, role and name (the name is who started or approved a run). */
export type Caller = { tokenId: string; role: TokenRole; name: string };

/** What every API handler may read from its context. */
export type AppEnv = { Variables: { requestId: string; caller: Caller | undefined } };

/** The API app routes register on (server/http/app.ts builds it). */
export type ApiApp = OpenAPIHono<AppEnv>;
