import { type AttributeDiff, syncRule } from './attribute-sync.ts';
import type { CorrelationRecord } from './explain-record.ts';
import type { PlannedAction } from './plan.ts';
import type { EngineConfig, SituationRule } from './recon-config.ts';
import type { RunError } from './store-port.ts';

/** What the run stored about one event, as its explain reads it. */
export type ExplainInput = {
  event: {
    id: number;
    objectKey: string | null;
    idmObjectId: string | null;
    situation: string | null;
    response: string | null;
    outcome: string;
    action: PlannedAction | null;
    diff: AttributeDiff | null;
    policyOutput: Record<string, unknown> | null;
    correlation: CorrelationRecord | null;
    error: { code: string; message: string } | null;
  };
  run: {
    id: string;
    status: string;
    dryRun: boolean;
    error: RunError | null;
    policies: Array<{ path: string; hash: string }>;
    /** The config as the run used it; null for runs recorded before it was kept. */
    config: EngineConfig | null;
  };
  /** Names of the candidates' IDM objects, by id. */
  names: Map<string, string>;
};

export type Candidate = { idmObjectId: string; name: string | null; score: number | null; chosen: boolean };

export type Explanation = {
  runId: string;
  eventId: string;
  objectKey: string | null;
  idmObjectId: string | null;
  correlation: {
    via: 'link' | 'reconKey' | 'matchingRule' | null;
    /** One sentence a person reads first. */
    summary: string;
    reconKey: { accountAttribute: string; idmAttribute: string; value: unknown } | null;
    matchingRule: { path: string; hash: string | null } | null;
    /** The matching rule's keys of the account (its `accountKeys`), when the rule looked it up. */
    ruleKeys: string[] | null;
    candidates: Candidate[];
  };
  situation: string | null;
  response: string | null;
  /** The row of the situation → response table that applied (null: not recorded, or no row). */
  rule: (SituationRule & { situation: string }) | null;
  policies: Array<{ role: string; path: string; hash: string | null; output: unknown }>;
  attributes: Array<{
    name: string;
    before: unknown;
    after: unknown;
    direction: string;
    confidence: number;
    /** `written`: this value won; `heldBack`: a more confident system's value stayed. */
    decision: 'written' | 'heldBack';
  }>;
  gates: Array<{
    gate: string;
    setting: unknown;
    result: 'passed' | 'held' | 'not_checked';
    message: string;
  }>;
  outcome: string;
  error: { code: string; message: string } | null;
  /** False for runs recorded before the config snapshot was kept: rule, sync and gates are unknown. */
  configRecorded: boolean;
};

const keysText = (keys: string[] | undefined) =>
  keys?.length ? ` (${keys.map((k) => JSON.stringify(k)).join(', ')})` : '';

const numberOrNull = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** Explain a decision (docs/api.md `GET /api/runs/:id/events/:eventId/explain`), from what the run stored. */
export function explainEvent(input: ExplainInput): Explanation {
  const { event, run, names } = input;
  const config = run.config;
  const hashOf = (path: string | null | undefined) =>
    path ? (run.policies.find((p) => p.path === path)?.hash ?? null) : null;
  const output = event.policyOutput ?? {};
  const dispute = (output.dispute ?? null) as {
    candidates?: string[];
    scores?: Record<string, unknown>;
  } | null;
  const scores = (dispute?.scores ?? output.scores ?? {}) as Record<string, unknown>;
  const via = event.correlation?.via ?? null;
  const ids = [
    ...new Set([
      ...(dispute?.candidates ?? []),
      ...(event.correlation?.candidates ?? []),
      ...Object.keys(scores),
      ...(event.idmObjectId && !dispute ? [event.idmObjectId] : []),
    ]),
  ];
  const candidates: Candidate[] = ids.map((id) => ({
    idmObjectId: id,
    name: names.get(id) ?? null,
    score: numberOrNull(scores[id]),
    chosen: !dispute && id === event.idmObjectId,
  }));
  const reconKey =
    config?.sourceAttributeName && via !== 'matchingRule'
      ? {
          accountAttribute: config.sourceAttributeName,
          idmAttribute: config.idmField ?? config.idmCustomAttribute ?? config.sourceAttributeName,
          value: event.correlation?.keyValue ?? null,
        }
      : null;
  const matchingRule = config?.matchingPolicy
    ? { path: config.matchingPolicy, hash: hashOf(config.matchingPolicy) }
    : null;
  const rule =
    config && event.situation && config.situations[event.situation as keyof EngineConfig['situations']]
      ? {
          situation: event.situation,
          ...config.situations[event.situation as keyof EngineConfig['situations']]!,
        }
      : null;
  const policies: Explanation['policies'] = [];
  if (matchingRule && (via === 'matchingRule' || candidates.some((c) => c.score !== null))) {
    policies.push({
      role: 'matchingRule',
      ...matchingRule,
      output: Object.keys(scores).length > 0 ? scores : null,
    });
  }
  const called: Array<[string, string | null | undefined, unknown]> = [
    ['situationCommand', rule?.commandPolicy, output.command],
    ['population', rule?.populationPolicy, output.population],
    [
      'outboundMapping',
      typeof config?.system.outboundMapping === 'string' ? config.system.outboundMapping : null,
      output.outbound,
    ],
  ];
  for (const [role, path, value] of called) {
    if (path && value !== undefined) policies.push({ role, path, hash: hashOf(path), output: value });
  }
  const heldBack = new Set(Array.isArray(output.heldBack) ? (output.heldBack as string[]) : []);
  const attributes: Explanation['attributes'] = [];
  for (const [name, change] of Object.entries(event.diff ?? {})) {
    const rule = syncRule(config?.attributeSync ?? {}, name);
    attributes.push({ name, before: change.before, after: change.after, ...rule, decision: 'written' });
  }
  for (const name of heldBack) {
    const rule = syncRule(config?.attributeSync ?? {}, name);
    attributes.push({ name, before: null, after: null, ...rule, decision: 'heldBack' });
  }
  return {
    runId: run.id,
    eventId: String(event.id),
    objectKey: event.objectKey,
    idmObjectId: event.idmObjectId,
    correlation: {
      via,
      summary: summaryOf(event, via, reconKey, candidates, dispute !== null),
      reconKey,
      matchingRule,
      ruleKeys: event.correlation?.ruleKeys ?? null,
      candidates,
    },
    situation: event.situation,
    response: event.response,
    rule,
    policies,
    attributes,
    gates: gatesOf(run, config),
    outcome: event.outcome,
    error: event.error,
    configRecorded: config !== null,
  };
}

function summaryOf(
  event: ExplainInput['event'],
  via: string | null,
  reconKey: Explanation['correlation']['reconKey'],
  candidates: Candidate[],
  disputed: boolean,
): string {
  if (disputed) return `${candidates.length} IDM objects matched and none won clearly: a person decides`;
  switch (via) {
    case 'link':
      return `linked: account "${event.objectKey}" has a link to IDM object ${event.idmObjectId}`;
    case 'reconKey':
      return `recon key: ${reconKey?.accountAttribute} = ${JSON.stringify(reconKey?.value ?? null)} matched ${reconKey?.idmAttribute} of IDM object ${event.idmObjectId}`;
    case 'matchingRule':
      return candidates.length > 1
        ? `matching rule: the highest score of ${candidates.length} candidates won`
        : `matching rule: its keys${keysText(event.correlation?.ruleKeys)} matched IDM object ${event.idmObjectId}`;
    default:
      return event.objectKey && !event.idmObjectId
        ? `no IDM object matched account "${event.objectKey}"`
        : `no account matched IDM object ${event.idmObjectId}`;
  }
}

function gatesOf(run: ExplainInput['run'], config: EngineConfig | null): Explanation['gates'] {
  const heldBy = (code: string) => run.error?.code === code;
  const gate = (name: string, setting: unknown, code: string): Explanation['gates'][number] => {
    if (run.status === 'failed' || run.status === 'aborted_by_preprocessor' || run.status === 'cancelled') {
      return {
        gate: name,
        setting,
        result: 'not_checked',
        message: `the run ended ${run.status} before or while gating`,
      };
    }
    if (heldBy(code)) return { gate: name, setting, result: 'held', message: run.error?.message ?? '' };
    return { gate: name, setting, result: 'passed', message: 'the plan went on' };
  };
  return [
    gate('sourceGuard', config?.sourceGuard ?? null, 'source_guard'),
    gate('deletionThreshold', config?.deletionThreshold ?? null, 'deletion_threshold'),
  ];
}
