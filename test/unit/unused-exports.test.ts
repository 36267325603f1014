/**
 * No exported-but-unused symbols: an export is part of a module's surface,
 * so each one must be imported by another file (a test or a docs generator
 * counts: they are how the symbol is used). Uses the TypeScript compiler
 * API on the whole project, so re-exports, type-only imports and
 * `(await import('…')).name` are all resolved to their declarations.
 * Entry points that a runtime calls by name are the exceptions below.
 */
import { dirname, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');

/** Modules whose exports form the checked surface. */
const CHECKED = /^(functions|bin|lib|scripts)\//;

/** Exports used by name from outside TypeScript: the Lambda runtime calls `handler`. */
const ENTRY_POINTS: readonly RegExp[] = [/^functions\/runtime\/aws\/[^/]+\.ts#handler$/];

const program = (): ts.Program => {
  const configPath = ts.findConfigFile(ROOT, ts.sys.fileExists, 'tsconfig.json') as string;
  const config = ts.readConfigFile(configPath, ts.sys.readFile);
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, dirname(configPath));
  return ts.createProgram({ rootNames: parsed.fileNames, options: { ...parsed.options, noEmit: true } });
};

/** The declaration a symbol stands for, through import/export aliases. */
const resolveAlias = (checker: ts.TypeChecker, symbol: ts.Symbol): ts.Symbol =>
  symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;

const unusedExports = (): string[] => {
  const p = program();
  const checker = p.getTypeChecker();
  const files = p.getSourceFiles().filter((f) => !f.isDeclarationFile && !f.fileName.includes('node_modules'));
  const rel = (f: ts.SourceFile) => relative(ROOT, f.fileName);

  // Every exported symbol of a checked module, by its resolved symbol.
  const exported = new Map<ts.Symbol, string>();
  for (const file of files.filter((f) => CHECKED.test(rel(f)))) {
    const moduleSymbol = checker.getSymbolAtLocation(file);
    if (!moduleSymbol) continue;
    for (const symbol of checker.getExportsOfModule(moduleSymbol)) {
      const target = resolveAlias(checker, symbol);
      // A re-export of another module's symbol is checked where it is declared.
      const declaredHere = target.declarations?.some((d) => d.getSourceFile() === file);
      // Values only: an exported type or interface names a parameter or result of an exported
      // function or class (its options, its answer) and documents that signature even when
      // callers pass literals without naming it.
      const isValue = (target.flags & ts.SymbolFlags.Value) !== 0;
      if (declaredHere && isValue) exported.set(target, `${rel(file)}#${symbol.getName()}`);
    }
  }

  // Every identifier in another file that resolves to one of them is a use. Only identifiers
  // spelled like an export are resolved: the type checker is the expensive part.
  const names = new Set([...exported.keys()].map((s) => s.getName()));
  const used = new Set<ts.Symbol>();
  for (const file of files) {
    const mark = (symbol: ts.Symbol | undefined) => {
      const target = symbol && resolveAlias(checker, symbol);
      if (target && exported.has(target) && !target.declarations?.some((d) => d.getSourceFile() === file))
        used.add(target);
    };
    const visit = (node: ts.Node): void => {
      // `const { name } = await import('…')`: the property of the module the pattern destructures.
      if (ts.isBindingElement(node) && ts.isObjectBindingPattern(node.parent)) {
        const name = (node.propertyName ?? node.name).getText(file);
        if (names.has(name)) mark(checker.getTypeAtLocation(node.parent).getProperty(name));
      }
      if (ts.isIdentifier(node) && names.has(node.text)) {
        const symbol = checker.getSymbolAtLocation(node);
        if (symbol) {
          const target = resolveAlias(checker, symbol);
          if (exported.has(target) && !target.declarations?.some((d) => d.getSourceFile() === file)) used.add(target);
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(file);
  }
  return [...exported]
    .filter(([symbol, name]) => !used.has(symbol) && !ENTRY_POINTS.some((e) => e.test(name)))
    .map(([, name]) => name)
    .sort();
};

describe('Exports', () => {
  it('every export of functions/, bin/, lib/ and scripts/ is imported somewhere', { timeout: 300_000 }, () => {
    expect(unusedExports()).toEqual([]);
  });
});
