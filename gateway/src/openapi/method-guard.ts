// 405 Method Not Allowed (with `Allow`) for a documented path asked with a method the contract does not list, and
// OPTIONS answered from the same contract: the OpenAPI paths are the gateway's one list of what exists.
import type { RequestHandler } from 'express';

interface PathMethods {
  pattern: RegExp;
  allow: string;
  methods: ReadonlySet<string>;
}

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

/** `/api/orders/{orderId}/timeline` -> /^\/api\/orders\/[^/]+\/timeline$/ (a parameter is one non-empty segment). */
function templatePattern(template: string): RegExp {
  const source = template
    .split(/(\{[^}]+\})/)
    .map((part) => (part.startsWith('{') ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`);
}

/** What the contract declares for each path template; HEAD comes with GET and OPTIONS with everything (Express answers both). */
export function documentedMethods(paths: Record<string, object>): PathMethods[] {
  return Object.entries(paths).map(([template, item]) => {
    const declared = HTTP_METHODS.filter((method) => method in item).map((method) => method.toUpperCase());
    const methods = new Set([...declared, ...(declared.includes('GET') ? ['HEAD'] : []), 'OPTIONS']);
    return { pattern: templatePattern(template), allow: [...methods].join(', '), methods };
  });
}

/** The Allow list for a request path, or undefined when no documented path matches it (then it is not this guard's business). */
export function allowedMethods(table: readonly PathMethods[], path: string): PathMethods | undefined {
  // No two documented templates match the same path (their segment counts or literal segments differ).
  return table.find((entry) => entry.pattern.test(path));
}

export function methodGuard(paths: Record<string, object>): RequestHandler {
  const table = documentedMethods(paths);
  return (req, res, next) => {
    const entry = allowedMethods(table, req.path);
    if (!entry) return next();
    if (req.method === 'OPTIONS') {
      res.setHeader('Allow', entry.allow);
      res.status(204).end();
      return;
    }
    if (entry.methods.has(req.method)) return next();
    res.setHeader('Allow', entry.allow);
    res.status(405).json({ error: { code: 'METHOD_NOT_ALLOWED', message: `${req.method} is not allowed here; allowed: ${entry.allow}` } });
  };
}
