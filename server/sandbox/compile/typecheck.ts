import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { type PolicyKind, policyKinds } from '../../core/policy-port.ts';
import type { Diagnostic } from '../../db/schema/policies.ts';
import { importNotAllowed } from './bundle.ts';

/** The SDK declaration that editors use too; the typecheck reads the very same file. */
export const sdkDeclarationPath = fileURLToPath(
  new URL('../../../policies/trueup-policy.d.ts', import.meta.url),
);
const libDirectory = path.dirname(ts.getDefaultLibFilePath({}));

const compilerOptions: ts.CompilerOptions = {
  strict: true,
  target: ts.ScriptTarget.ES2022,
  lib: ['lib.es2022.d.ts'],
  types: [],
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  allowImportingTsExtensions: true,
  isolatedModules: true,
  noEmit: true,
};

/** Parsed lib and SDK files: they never change while the process lives, and parsing them dominates. */
const fixedFiles = new Map<string, ts.SourceFile>();

function fixedFile(fileName: string): ts.SourceFile | undefined {
  let file = fixedFiles.get(fileName);
  if (!file && existsSync(fileName)) {
    file = ts.createSourceFile(fileName, readFileSync(fileName, 'utf8'), ts.ScriptTarget.ES2022, true);
    fixedFiles.set(fileName, file);
  }
  return file;
}

/** `kind` is null for a helper module: a file without a default export that policies import. */
export type TypecheckResult = { kind: PolicyKind | null; diagnostics: Diagnostic[] };

const notAPolicy = `the default export is not a policy: make it with a helper from "trueup:policy", e.g. \`export default definePopulation((ctx) => ({}))\``;

/** Typechecks a bundled policy's files against the SDK and reads its kind from the default export's type. */
export function typecheckPolicy(
  entryKey: string,
  files: Map<string, string>,
  display: (key: string) => string,
): TypecheckResult {
  const isFixed = (fileName: string) => fileName === sdkDeclarationPath || fileName.startsWith(libDirectory);
  const host: ts.CompilerHost = {
    getSourceFile: (fileName) => {
      const text = files.get(fileName);
      if (text !== undefined) return ts.createSourceFile(fileName, text, ts.ScriptTarget.ES2022, true);
      return isFixed(fileName) ? fixedFile(fileName) : undefined;
    },
    fileExists: (fileName) => files.has(fileName) || (isFixed(fileName) && existsSync(fileName)),
    readFile: (fileName) =>
      files.get(fileName) ?? (isFixed(fileName) ? readFileSync(fileName, 'utf8') : undefined),
    getDefaultLibFileName: () => path.join(libDirectory, 'lib.es2022.d.ts'),
    getDefaultLibLocation: () => libDirectory,
    writeFile: () => {},
    getCurrentDirectory: () => '/',
    getCanonicalFileName: (fileName) => fileName,
    useCaseSensitiveFileNames: () => true,
    getNewLine: () => '\n',
    directoryExists: (directory) =>
      directory.startsWith(libDirectory) || [...files.keys()].some((key) => key.startsWith(`${directory}/`)),
  };
  const program = ts.createProgram({
    rootNames: [entryKey, sdkDeclarationPath],
    options: compilerOptions,
    host,
  });
  const diagnostics = ts
    .getPreEmitDiagnostics(program)
    .filter((d) => !d.file || files.has(d.file.fileName))
    .map((d) => toDiagnostic(d, entryKey, display));
  const entry = program.getSourceFile(entryKey)!;
  const kind = defaultExportKind(program.getTypeChecker(), entry);
  if (kind === undefined) {
    const exported = entry.statements.find(ts.isExportAssignment);
    diagnostics.push(at(entry, exported?.expression.getStart() ?? 0, display(entryKey), notAPolicy, 'type'));
  }
  return { kind: kind ?? null, diagnostics };
}

/** The policy kind; null for a helper module (no default export); undefined for a default export that is not a policy. */
function defaultExportKind(checker: ts.TypeChecker, entry: ts.SourceFile): PolicyKind | null | undefined {
  const moduleSymbol = checker.getSymbolAtLocation(entry);
  if (!moduleSymbol) return null;
  let symbol = checker.getExportsOfModule(moduleSymbol).find((s) => s.escapedName === 'default');
  if (!symbol) return null;
  if (symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
  const kindProperty = checker.getTypeOfSymbol(symbol).getProperty('kind');
  if (!kindProperty) return undefined;
  const kindType = checker.getTypeOfSymbol(kindProperty);
  if (!kindType.isStringLiteral()) return undefined;
  return (policyKinds as readonly string[]).includes(kindType.value)
    ? (kindType.value as PolicyKind)
    : undefined;
}

function at(
  file: ts.SourceFile,
  position: number,
  shown: string,
  message: string,
  kind: Diagnostic['kind'],
): Diagnostic {
  const { line, character } = file.getLineAndCharacterOfPosition(position);
  return { file: shown, line: line + 1, column: character + 1, message, severity: 'error', kind };
}

/** esbuild drops imports used only as types, so a forbidden one can first surface here. */
function forbiddenImport(d: ts.Diagnostic, message: string): string | undefined {
  if (d.code !== 2307) return undefined;
  const spec = /Cannot find module '([^']+)'/.exec(message)?.[1];
  if (!spec || spec.startsWith('./') || spec.startsWith('../')) return undefined;
  return importNotAllowed(spec);
}

function toDiagnostic(d: ts.Diagnostic, entryKey: string, display: (key: string) => string): Diagnostic {
  const flattened = ts.flattenDiagnosticMessageText(d.messageText, '\n');
  const forbidden = forbiddenImport(d, flattened);
  const message = forbidden ?? flattened;
  const kind = forbidden ? 'import' : 'type';
  const severity = d.category === ts.DiagnosticCategory.Error ? 'error' : 'warning';
  if (!d.file || d.start === undefined) {
    return { file: display(entryKey), line: 1, column: 1, message, severity, code: `TS${d.code}`, kind };
  }
  return { ...at(d.file, d.start, display(d.file.fileName), message, kind), severity, code: `TS${d.code}` };
}
