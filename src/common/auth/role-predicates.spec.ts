import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import * as ts from 'typescript';
import { isSuperadmin, isTenantAdmin, managesTenant } from './role-predicates';
import { ROLES } from './roles';

const SRC = join(__dirname, '../..');
const PREDICATES = join(__dirname, 'role-predicates.ts');
const CHECKED_ROLES = new Set(['superadmin', 'admin']);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'migrations' ? [] : sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') ? [path] : [];
  });
}

const isRoleLiteral = (node: ts.Node) => ts.isStringLiteral(node) && CHECKED_ROLES.has(node.text);
const EQUALITY = new Set([
  ts.SyntaxKind.EqualsEqualsEqualsToken,
  ts.SyntaxKind.ExclamationEqualsEqualsToken,
  ts.SyntaxKind.EqualsEqualsToken,
  ts.SyntaxKind.ExclamationEqualsToken,
]);

/** `x.role === 'superadmin'`, `role !== 'admin'`, `['admin', 'superadmin'].includes(…)`: a role check written inline. */
export function inlineRoleChecks(fileName: string, text: string): string[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.ES2022, true);
  const found: string[] = [];
  const visit = (node: ts.Node) => {
    const comparison =
      ts.isBinaryExpression(node) &&
      EQUALITY.has(node.operatorToken.kind) &&
      (isRoleLiteral(node.left) || isRoleLiteral(node.right));
    const listed =
      ts.isCallExpression(node) &&
      ts.isPropertyAccessExpression(node.expression) &&
      node.expression.name.text === 'includes' &&
      ts.isArrayLiteralExpression(node.expression.expression) &&
      node.expression.expression.elements.some(isRoleLiteral);
    if (comparison || listed) {
      const line = source.getLineAndCharacterOfPosition(node.getStart()).line + 1;
      found.push(`${fileName}:${line}: ${node.getText()}`);
    }
    node.forEachChild(visit);
  };
  visit(source);
  return found;
}

describe('role predicates', () => {
  it('name each role check once', () => {
    const table = ROLES.map((role) => [role, isSuperadmin({ role }), isTenantAdmin({ role }), managesTenant(role)]);
    expect(table).toEqual([
      ['superadmin', true, false, true],
      ['admin', false, true, true],
      ['proctor', false, false, false],
      ['candidate', false, false, false],
    ]);
  });

  it('the scanner finds comparisons and role lists', () => {
    const text = `if (user.role === 'superadmin') a();
      const b = role !== 'admin';
      const c = ['admin', 'superadmin'].includes(user.role);
      const d = user.role === 'candidate';`;
    expect(inlineRoleChecks('x.ts', text)).toEqual([
      "x.ts:1: user.role === 'superadmin'",
      "x.ts:2: role !== 'admin'",
      "x.ts:3: ['admin', 'superadmin'].includes(user.role)",
    ]);
  });

  it('no service or rule checks superadmin or admin inline: they use role-predicates.ts', () => {
    const inline = sourceFiles(SRC)
      .filter((path) => path !== PREDICATES)
      .flatMap((path) => inlineRoleChecks(relative(join(SRC, '..'), path), readFileSync(path, 'utf8')));
    expect(inline).toEqual([]);
  });
});
