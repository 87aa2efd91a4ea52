// A small Dockerfile reader (not a linter): stages and instructions, and the promises our one image must keep.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Manifest } from './manifest';

export interface Instruction {
  keyword: string;
  args: string;
}
export interface Stage {
  from: string;
  name?: string;
  instructions: Instruction[];
}

/** Stages in order; continuation lines joined, comments and blank lines dropped. */
export function parseDockerfile(text: string): { args: Instruction[]; stages: Stage[] } {
  const lines: string[] = [];
  let pending = '';
  for (const raw of text.split('\n')) {
    if (/^\s*#/.test(raw)) continue; // also inside a continued instruction, where Docker drops it too
    const line = raw.replace(/\s+$/, '');
    if (line.endsWith('\\')) pending += `${line.slice(0, -1)} `;
    else if (pending || line.trim()) {
      lines.push((pending + line).trim());
      pending = '';
    }
  }
  if (pending.trim()) lines.push(pending.trim());
  const args: Instruction[] = [];
  const stages: Stage[] = [];
  for (const line of lines) {
    const match = /^(\S+)\s*(.*)$/s.exec(line);
    if (!match) continue;
    const instruction = { keyword: match[1].toUpperCase(), args: match[2] };
    if (instruction.keyword === 'FROM') {
      const from = /^(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?/i.exec(instruction.args);
      stages.push({ from: from?.[1] ?? '', name: from?.[2], instructions: [] });
    } else if (stages.length === 0) args.push(instruction);
    else stages[stages.length - 1].instructions.push(instruction);
  }
  return { args, stages };
}

/** What the issue asks of the image; each failure says what a user would hit. */
export function dockerfileErrors(text: string, manifest: Manifest, root: string): string[] {
  const errors: string[] = [];
  const { stages } = parseDockerfile(text);
  if (stages.length < 2) errors.push(`one stage only: the compiler and dev dependencies would ship in the image`);
  const final = stages[stages.length - 1];
  if (!final) return [...errors, 'no FROM: not a Dockerfile'];
  const of = (keyword: string) => final.instructions.filter((i) => i.keyword === keyword);
  const user = of('USER').at(-1)?.args.trim().split(':')[0];
  if (!user) errors.push('the final stage sets no USER: the services would run as root');
  else if (user === 'root' || user === '0') errors.push(`the final stage runs as ${user}`);
  const healthcheck = of('HEALTHCHECK').at(-1);
  if (!healthcheck || /^NONE\b/i.test(healthcheck.args)) errors.push('the final stage has no HEALTHCHECK');
  else if (!healthcheck.args.includes('/health/live')) errors.push('the HEALTHCHECK does not ask /health/live');
  if (!of('RUN').some((r) => /\bnpm ci\b/.test(r.args) && /--omit[= ]dev\b/.test(r.args))) errors.push('the final stage does not install with `npm ci --omit=dev`');
  if (!/node_modules/.test(of('RUN').map((r) => r.args).join(' ')) && of('COPY').some((c) => /node_modules/.test(c.args))) {
    errors.push('the final stage copies node_modules from elsewhere instead of installing production dependencies');
  }
  if (!of('CMD').length && !of('ENTRYPOINT').length) errors.push('the final stage has no CMD: the image runs nothing by default');
  // The dists reach the image through a `for ws in <globs>` copy loop: every script's workspace must be among them.
  const loop = stages.flatMap((st) => st.instructions).find((i) => i.keyword === 'RUN' && /for ws in [^;]+;.*dist/.test(i.args));
  const globs = (/for ws in ([^;]+);/.exec(loop?.args ?? '')?.[1] ?? '').trim().split(/\s+/).filter(Boolean);
  const matches = (workspace: string) => globs.some((g) => new RegExp(`^${g.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]+')}$`).test(workspace));
  for (const service of manifest.services) {
    const workspace = service.script.split('/dist/')[0];
    if (!matches(workspace)) errors.push(`${service.script} (${service.name}) is not copied into the image: ${workspace}/dist is outside ${globs.join(' ') || 'any copy loop'}`);
    if (!existsSync(join(root, service.script))) errors.push(`${service.script} (${service.name}) does not exist: run \`tsc -b\`, or fix the manifest's script`);
  }
  return errors;
}
