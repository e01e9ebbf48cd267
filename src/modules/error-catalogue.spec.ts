import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import * as ts from 'typescript';
import { ERROR_CODES } from './error-codes';

/**
 * The error catalogue is the one place codes are written (src/modules/error-codes.ts): every `new AppError('X', …)`
 * or `AppError.notFound('X', …)` (any static helper) with a literal code lives in a `*.errors.ts` file, inside an
 * exported builder named as the code; no code is in two catalogues; ERROR_CODES lists them all; and no other file
 * spells a code as a string (compare `error.code` with a builder's `.code`, never with a literal), bar an OpenAPI
 * `example`.
 */

const SRC = join(__dirname, '..');
const CODE_NAME = /^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/;
const isCatalogue = (file: string) => file.endsWith('.errors.ts');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') && !entry.name.endsWith('.d.ts')
      ? [path]
      : [];
  });
}

interface CodeUse {
  code: string;
  where: string;
  /** The exported `const NAME = …` the use sits in, if any. */
  builder?: string;
}

const isStringLiteral = (node: ts.Node): node is ts.StringLiteral | ts.NoSubstitutionTemplateLiteral =>
  ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node);

/** Every string literal in an expression (a conditional code `a ? 'X' : 'Y'` counts both). */
function literalsIn(node: ts.Node): string[] {
  if (isStringLiteral(node)) return [node.text];
  const found: string[] = [];
  node.forEachChild((child) => {
    found.push(...literalsIn(child));
  });
  return found;
}

/** The code argument of `new AppError(code, …)` or `AppError.<helper>(code, …)`, else undefined. */
function codeArgument(node: ts.Node): ts.Expression | undefined {
  if (ts.isNewExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'AppError') {
    return node.arguments?.[0];
  }
  if (
    ts.isCallExpression(node) &&
    ts.isPropertyAccessExpression(node.expression) &&
    ts.isIdentifier(node.expression.expression) &&
    node.expression.expression.text === 'AppError'
  ) {
    return node.arguments[0];
  }
  return undefined;
}

/** `{ example: 'USER_NOT_FOUND' }` in an OpenAPI decorator documents a code; it does not answer with one. */
const isExample = (node: ts.Node) =>
  ts.isPropertyAssignment(node.parent) && ts.isIdentifier(node.parent.name) && node.parent.name.text === 'example';

function exportedName(node: ts.Node): string | undefined {
  if (!ts.isVariableDeclaration(node) || !ts.isIdentifier(node.name)) return undefined;
  const statement = node.parent?.parent;
  const exported =
    statement &&
    ts.isVariableStatement(statement) &&
    statement.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
  return exported ? node.name.text : undefined;
}

/** The literal codes a source text passes to AppError, and every UPPER_SNAKE string literal it holds. */
export function scan(fileName: string, text: string): { built: CodeUse[]; upperLiterals: CodeUse[] } {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.ES2022, true);
  const built: CodeUse[] = [];
  const upperLiterals: CodeUse[] = [];
  const where = (node: ts.Node) => `${fileName}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}`;
  const visit = (node: ts.Node, builder: string | undefined) => {
    const name = exportedName(node) ?? builder;
    const code = codeArgument(node);
    if (code) for (const literal of literalsIn(code)) built.push({ code: literal, where: where(code), builder: name });
    if (isStringLiteral(node) && CODE_NAME.test(node.text) && !isExample(node)) {
      upperLiterals.push({ code: node.text, where: where(node) });
    }
    node.forEachChild((child) => visit(child, name));
  };
  visit(source, undefined);
  return { built, upperLiterals };
}

describe('error catalogue', () => {
  const files = sourceFiles(SRC).map((path) => ({
    name: relative(join(SRC, '..'), path),
    text: readFileSync(path, 'utf8'),
  }));
  const scanned = files.map((file) => ({ ...file, ...scan(file.name, file.text) }));
  const catalogues = scanned.filter((file) => isCatalogue(file.name));
  const others = scanned.filter((file) => !isCatalogue(file.name));
  const catalogueUses = catalogues.flatMap((file) => file.built);
  const catalogueCodes = [...new Set(catalogueUses.map((use) => use.code))].sort();

  it('the scanner finds literal codes in the constructor and every static helper, conditional ones too', () => {
    const { built } = scan(
      'x.ts',
      `throw new AppError('ONE', 'd', 400);
       throw AppError.notFound('TWO', 'd');
       throw AppError.forbidden(flag ? 'THREE' : 'FOUR', 'd');
       export const FIVE = () => AppError.conflict(\`FIVE\`, 'd');
       throw AppError.badRequest(error.code, 'd');`,
    );
    expect(built.map(({ code, builder }) => [code, builder])).toEqual([
      ['ONE', undefined],
      ['TWO', undefined],
      ['THREE', undefined],
      ['FOUR', undefined],
      ['FIVE', 'FIVE'],
    ]);
  });

  it('scans the whole source tree and finds the catalogues', () => {
    expect(files.length).toBeGreaterThan(100);
    expect(catalogues.map((file) => file.name)).toEqual(
      expect.arrayContaining(['src/common/errors/common.errors.ts', 'src/modules/submissions/submissions.errors.ts']),
    );
  });

  it('no code is built outside a *.errors.ts catalogue', () => {
    const outside = others.flatMap((file) => file.built).map((use) => `${use.where} builds ${use.code}`);
    expect(outside).toEqual([]);
  });

  it('every catalogue code is built by exactly one exported builder named as the code', () => {
    const misnamed = catalogueUses
      .filter((use) => use.builder !== use.code)
      .map((use) => `${use.where}: ${use.code} in ${use.builder ?? '(no exported builder)'}`);
    expect(misnamed).toEqual([]);
    const twice = catalogueCodes
      .map((code) => [code, catalogueUses.filter((use) => use.code === code).map((use) => use.where)] as const)
      .filter(([, places]) => places.length > 1)
      .map(([code, places]) => `${code}: ${places.join(', ')}`);
    expect(twice).toEqual([]);
  });

  it('ERROR_CODES (the OpenAPI ErrorCode enum) is exactly the set of catalogue codes', () => {
    expect([...ERROR_CODES]).toEqual(catalogueCodes);
    expect(new Set(ERROR_CODES).size).toBe(ERROR_CODES.length);
  });

  it('no other file spells a catalogue code as a string', () => {
    const codes = new Set(catalogueCodes);
    const spelled = others
      .flatMap((file) => file.upperLiterals)
      .filter((literal) => codes.has(literal.code))
      .map((literal) => `${literal.where}: '${literal.code}'`);
    expect(spelled).toEqual([]);
  });
});
