/**
 * A request or response as `cli preview` and `cli send` print it (apps/cli/src/preview.command.ts
 * formatMessage): the first line, `name: value` headers, a blank line, the body.
 */
export function parsePrintedMessage(text: string): { firstLine: string; headers: Record<string, string>; body: string } {
  const [head, ...rest] = text.split('\n\n');
  const [firstLine, ...headerLines] = head.split('\n');
  const headers = Object.fromEntries(headerLines.map((l) => [l.slice(0, l.indexOf(': ')), l.slice(l.indexOf(': ') + 2)]));
  return { firstLine, headers, body: rest.join('\n\n').replace(/\n$/, '') };
}
