import { buildEvent, type PairDecision, type PlanContext } from './build-event.ts';
import { callPolicy } from './call-policy.ts';
import { classifySituation, situationRule } from './classify-situation.ts';
import type { Correlation } from './correlate.ts';
import type { RunDeps } from './engine-deps.ts';
import type { Response, Situation } from './model.ts';
import type { PlannedEvent } from './plan.ts';
import {
  type CommandAction,
  type PolicyCallOptions,
  PolicyError,
  type PolicyResult,
  type Vars,
} from './policy-port.ts';

const fromResource: Response[] = ['ADD_TO_IDM', 'UPDATE_IDM_FROM_RESOURCE'];
const toResource: Response[] = ['ADD_TO_RESOURCE', 'UPDATE_RESOURCE_FROM_IDM'];

function groupBy<T>(items: T[], keyOf: (item: T) => string | null | undefined): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    if (!key) continue;
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return groups;
}

/** Runs one policy over a group of decisions and hands each its own result. */
async function perDecision<T>(
  groups: Map<string, PairDecision[]>,
  call: (path: string, group: PairDecision[]) => Promise<Array<PolicyResult<T>>>,
  store: (decision: PairDecision, result: PolicyResult<T>) => void,
) {
  for (const [path, group] of groups) {
    const results = await call(path, group);
    group.forEach((decision, i) => {
      const result = results[i];
      if (result) store(decision, result);
    });
  }
}

/**
 * DESIGN step 6: the situation of each pair, its response from the config's table (or the custom
 * processor's decision, or a situation command's actions), and the population and outbound
 * mapping policies, each called once per batch of pairs. Returns one event per pair, in order.
 */
export async function decidePairs(
  pairs: Correlation[],
  firstSeq: number,
  ctx: PlanContext,
  deps: RunDeps,
  vars: Vars,
  options: PolicyCallOptions,
): Promise<PlannedEvent[]> {
  const { config } = ctx;
  const system = config.system;
  const decisions: PairDecision[] = [];
  const custom = config.customProcessorPolicy
    ? await callPolicy(
        deps.policies,
        config.customProcessorPolicy,
        'customProcessor',
        'default',
        [
          {
            pairs: pairs.map((p) => ({
              account: p.account,
              idmObject: p.idm?.object ?? null,
              candidates: p.candidates.map((c) => c.object),
            })),
            system,
            vars,
          },
        ],
        options,
      )
    : null;
  const customResult = custom?.[0];
  if (customResult && !customResult.ok) throw new PolicyError(customResult.error);
  const customDecisions = customResult?.ok ? customResult.value : [];

  pairs.forEach((pair, i) => {
    const situation = classifySituation(pair) as Situation;
    const rule = situationRule(config, situation);
    const custom = situation === 'DISPUTED' ? undefined : customDecisions[i];
    const commands: CommandAction[] = custom
      ? [{ response: custom.response, ...(custom.patch ? { patch: custom.patch } : {}) }]
      : [{ response: rule.response }];
    decisions.push({ seq: firstSeq + i, pair, situation: custom?.situation ?? situation, rule, commands });
  });

  const failed = new Map<PairDecision, PolicyResult<unknown>>();
  await perDecision<CommandAction[]>(
    groupBy(
      decisions.filter((d) => d.situation !== 'DISPUTED'),
      (d) => d.rule.commandPolicy,
    ),
    (path, group) =>
      callPolicy(
        deps.policies,
        path,
        'situationCommand',
        'default',
        group.map((d) => ({
          situation: d.situation,
          response: d.rule.response,
          account: d.pair.account,
          idmObject: d.pair.idm?.object ?? null,
          system,
          vars,
        })),
        options,
      ),
    (decision, result) => {
      if (result.ok) {
        decision.commands = result.value;
        decision.policyOutput = { command: result.value };
      } else failed.set(decision, result);
    },
  );
  const wants = (d: PairDecision, responses: Response[]) =>
    d.commands.some((c) => responses.includes(c.response) && !c.patch);
  await perDecision(
    groupBy(
      decisions.filter((d) => d.pair.account && wants(d, fromResource)),
      (d) => d.rule.populationPolicy,
    ),
    (path, group) =>
      callPolicy(
        deps.policies,
        path,
        'population',
        'default',
        group.map((d) => ({
          situation: d.situation,
          account: d.pair.account as NonNullable<typeof d.pair.account>,
          idmObject: d.pair.idm?.object ?? null,
          system,
          vars,
        })),
        options,
      ),
    (decision, result) => {
      decision.population = result;
      if (result.ok) decision.policyOutput = { ...decision.policyOutput, population: result.value };
    },
  );
  const outboundPath = typeof system.outboundMapping === 'string' ? system.outboundMapping : null;
  await perDecision(
    groupBy(
      decisions.filter((d) => d.pair.idm && wants(d, toResource)),
      () => outboundPath,
    ),
    (path, group) =>
      callPolicy(
        deps.policies,
        path,
        'outboundMapping',
        'default',
        group.map((d) => ({
          idmObject: (d.pair.idm as NonNullable<typeof d.pair.idm>).object,
          account: d.pair.account,
          system,
          vars,
        })),
        options,
      ),
    (decision, result) => {
      decision.outbound = result;
      if (result.ok) decision.policyOutput = { ...decision.policyOutput, outbound: result.value };
    },
  );
  return decisions.map((decision) => {
    const failure = failed.get(decision);
    if (failure && !failure.ok) {
      return {
        ...buildEvent({ ...decision, commands: [] }, ctx),
        outcome: 'failed' as const,
        error: { code: 'policy_error', message: failure.error.message, policy: failure.error },
      };
    }
    return buildEvent(decision, ctx);
  });
}
