// Finds syntax newer than ES2015 in shipped JavaScript, with TypeScript's parser: Sugar may run old
// minifiers (JShrink, jsmin) over controller files (sugar-platform.md §10).
import ts from 'typescript';

export function post2015Syntax(src: string): string[] {
  const sf = ts.createSourceFile('controller.js', src, ts.ScriptTarget.Latest, true, ts.ScriptKind.JS);
  const found: string[] = [];
  const at = (n: ts.Node, what: string) => found.push(`${what} at line ${sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1}`);
  const visit = (n: ts.Node): void => {
    if (ts.isAwaitExpression(n)) at(n, 'await (ES2017)');
    if ((ts.canHaveModifiers(n) ? ts.getModifiers(n) : undefined)?.some((m) => m.kind === ts.SyntaxKind.AsyncKeyword)) at(n, 'async function (ES2017)');
    if (ts.isBinaryExpression(n)) {
      const op = n.operatorToken.kind;
      if (op === ts.SyntaxKind.AsteriskAsteriskToken || op === ts.SyntaxKind.AsteriskAsteriskEqualsToken) at(n, '** (ES2016)');
      if (op === ts.SyntaxKind.QuestionQuestionToken) at(n, '?? (ES2020)');
      if (op === ts.SyntaxKind.QuestionQuestionEqualsToken || op === ts.SyntaxKind.BarBarEqualsToken || op === ts.SyntaxKind.AmpersandAmpersandEqualsToken)
        at(n, 'logical assignment (ES2021)');
    }
    if ((ts.isPropertyAccessExpression(n) || ts.isElementAccessExpression(n) || ts.isCallExpression(n)) && n.questionDotToken) at(n, '?. (ES2020)');
    if (ts.isSpreadAssignment(n)) at(n, 'object spread (ES2018)');
    if (ts.isBindingElement(n) && n.dotDotDotToken && ts.isObjectBindingPattern(n.parent)) at(n, 'object rest (ES2018)');
    if (ts.isBigIntLiteral(n)) at(n, 'BigInt (ES2020)');
    if (ts.isCatchClause(n) && !n.variableDeclaration) at(n, 'catch without binding (ES2019)');
    if (ts.isPropertyDeclaration(n) && ts.isClassLike(n.parent)) at(n, 'class field (ES2022)');
    if (ts.isPrivateIdentifier(n)) at(n, 'private name (ES2022)');
    if (ts.isForOfStatement(n) && n.awaitModifier) at(n, 'for await (ES2018)');
    if (ts.isNumericLiteral(n) && n.getText(sf).includes('_')) at(n, 'numeric separator (ES2021)');
    if (ts.isRegularExpressionLiteral(n) && (/\/[a-z]*s[a-z]*$/.test(n.text) || n.text.includes('(?<'))) at(n, 'ES2018 regular expression');
    if (ts.isCallExpression(n) && n.expression.kind === ts.SyntaxKind.ImportKeyword) at(n, 'dynamic import (ES2020)');
    if (
      (ts.isFunctionLike(n) && 'parameters' in n && n.parameters.hasTrailingComma) ||
      ((ts.isCallExpression(n) || ts.isNewExpression(n)) && n.arguments?.hasTrailingComma)
    )
      at(n, 'trailing comma in parameters (ES2017)');
    ts.forEachChild(n, visit);
  };
  visit(sf);
  const diags = (sf as unknown as { parseDiagnostics?: ts.Diagnostic[] }).parseDiagnostics ?? [];
  for (const d of diags) found.push(`parse error: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`);
  return found;
}
