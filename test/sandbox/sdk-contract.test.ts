import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { sdkDeclarationPath } from '../../server/sandbox/compile/typecheck.ts';
import { repoRoot } from '../helpers/server.ts';

/**
 * The shipped SDK declaration (policies/trueup-policy.d.ts) against the one policy contract
 * (server/core/policy-contract.ts, whose types policy-port.ts infers): a type-level assertion
 * file, compiled with the TypeScript compiler, checks that every kind's input and output, and
 * every named type, are the same on both sides (each assignable to the other).
 */
const core = (file: string) => JSON.stringify(path.join(repoRoot, 'server/core', file));
const single = [
  ['targetQuery', 'defineTargetQuery'],
  ['idmQuery', 'defineIdmQuery'],
  ['population', 'definePopulation'],
  ['outboundMapping', 'defineOutboundMapping'],
  ['preProcessor', 'definePreProcessor'],
  ['postProcessor', 'definePostProcessor'],
  ['situationCommand', 'defineSituationCommand'],
  ['customProcessor', 'defineCustomProcessor'],
] as const;
const named = [
  ['Account', 'Model.Account'],
  ['IdmObject', 'Model.IdmObject'],
  ['SystemView', 'Model.RunSystem'],
  ['AttributePatch', 'Model.AttributePatch'],
  ['IdmFilter', 'Model.IdmFilter'],
  ['ConnectorQuery', 'Model.ConnectorQuery'],
  ['ObjectType', 'Model.ObjectType'],
  ['Situation', 'Model.Situation'],
  ['Response', 'Model.Response'],
  ['PolicyKind', 'Port.PolicyKind'],
  ['Vars', 'Port.Vars'],
  ['TargetQueryContext', 'Port.TargetQueryContext'],
  ['IdmQueryContext', 'Port.IdmQueryContext'],
  ['PopulationContext', 'Port.PopulationContext'],
  ['OutboundMappingContext', 'Port.OutboundMappingContext'],
  ['PreProcessorContext', 'Port.PreProcessorContext'],
  ['RunSummaryView', 'Port.RunSummaryView'],
  ['PostProcessorContext', 'Port.PostProcessorContext'],
  ['SituationCommandContext', 'Port.SituationCommandContext'],
  ['CorrelatedPair', 'Port.CorrelatedPair'],
  ['CustomProcessorContext', 'Port.CustomProcessorContext'],
  ['CommandAction', 'Port.CommandAction'],
  ['CustomDecision', 'Port.CustomDecision'],
  ['PreProcessorResult', "Port.PolicyOutput<'preProcessor', 'default'>"],
  ['PostProcessorResult', "Port.PolicyOutput<'postProcessor', 'default'>"],
] as const;

const check = (name: string, a: string, b: string) => `  Check<${JSON.stringify(name)}, Same<${a}, ${b}>>,`;
const assertions = `import type * as Sdk from 'trueup:policy';
import type * as Model from ${core('model.ts')};
import type * as Port from ${core('policy-port.ts')};

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Check<_Name extends string, T extends true> = T;
type Fn<Helper> = Helper extends (fn: infer F) => unknown ? F : never;
type In<F> = F extends (ctx: infer C) => unknown ? C : never;
type Out<F> = F extends (...args: never[]) => infer R ? R : never;
type Rule = Sdk.MatchingRule;
type Score = NonNullable<Rule['score']>;

export type Checks = [
${single
  .flatMap(([kind, helper]) => [
    check(`${kind} input`, `In<Fn<typeof Sdk.${helper}>>`, `Port.PolicyInput<'${kind}', 'default'>`),
    check(`${kind} output`, `Out<Fn<typeof Sdk.${helper}>>`, `Port.PolicyOutput<'${kind}', 'default'>`),
  ])
  .join('\n')}
${check('matchingRule.accountKeys input', "Parameters<Rule['accountKeys']>[0]", "Port.PolicyInput<'matchingRule', 'accountKeys'>")}
${check('matchingRule.accountKeys output', "ReturnType<Rule['accountKeys']>", "Port.PolicyOutput<'matchingRule', 'accountKeys'>")}
${check('matchingRule.idmKeys input', "Parameters<Rule['idmKeys']>[0]", "Port.PolicyInput<'matchingRule', 'idmKeys'>")}
${check('matchingRule.idmKeys output', "ReturnType<Rule['idmKeys']>", "Port.PolicyOutput<'matchingRule', 'idmKeys'>")}
${check('matchingRule.score input', '{ account: Parameters<Score>[0]; candidate: Parameters<Score>[1] }', "Port.PolicyInput<'matchingRule', 'score'>")}
${check('matchingRule.score output', 'ReturnType<Score>', "Port.PolicyOutput<'matchingRule', 'score'>")}
${named.map(([sdk, ours]) => check(sdk, `Sdk.${sdk}`, ours)).join('\n')}
];
`;

/** The names of the checks that fail when `declaration` is the SDK. */
function failingChecks(declaration: string): string[] {
  const dir = mkdtempSync(path.join(tmpdir(), 'trueup-sdk-contract-'));
  const file = path.join(dir, 'assertions.ts');
  writeFileSync(file, assertions);
  const program = ts.createProgram([file, declaration], {
    strict: true,
    target: ts.ScriptTarget.ES2022,
    lib: ['lib.es2022.d.ts'],
    types: [],
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    allowImportingTsExtensions: true,
    noEmit: true,
    skipLibCheck: true,
  });
  const lines = assertions.split('\n');
  return ts.getPreEmitDiagnostics(program).map((d) => {
    if (d.file?.fileName !== file || d.start === undefined) {
      return `${d.file?.fileName ?? ''}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
    }
    const { line } = d.file.getLineAndCharacterOfPosition(d.start);
    return /Check<"([^"]+)"/.exec(lines[line] ?? '')?.[1] ?? lines[line] ?? '';
  });
}

describe('the shipped policy SDK declaration', () => {
  it('says exactly what the policy contract says, kind by kind and type by type', () => {
    expect(failingChecks(sdkDeclarationPath)).toEqual([]);
  });

  it('is caught when it drifts from the contract', () => {
    const drifted = readFileSync(sdkDeclarationPath, 'utf8')
      .replace("mode: 'full' | 'incremental' | 'keys' | 'live';", "mode: 'full' | 'incremental';")
      .replace(
        'score?(account: Account, candidate: IdmObject): number;',
        'score?(account: Account, candidate: IdmObject): string;',
      );
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'trueup-sdk-drift-')), 'trueup-policy.d.ts');
    writeFileSync(file, drifted);
    expect(failingChecks(file).sort()).toEqual([
      'PreProcessorContext',
      'matchingRule.score output',
      'preProcessor input',
    ]);
  });
});
