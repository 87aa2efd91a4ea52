// Builds (once, cached in .local/bin) and runs the two binaries the k8s tests need: kustomize and tools/k8s-validate.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';

export const repoRoot = path.resolve(__dirname, '../..');
const binDir = path.join(repoRoot, '.local', 'bin');
const validatorSrc = path.join(repoRoot, 'tools', 'k8s-validate');

/** Pinned, built with the machine's Go (1.26): newer kustomize releases may need a newer Go, which GOTOOLCHAIN=local turns into a clear error. */
export const KUSTOMIZE_VERSION = 'v5.8.2';
export const kustomizeBin = path.join(binDir, 'kustomize');
export const validatorBin = path.join(binDir, 'k8s-validate');

/** A first build downloads modules and compiles kustomize: about a minute on a fresh machine, then nothing. */
export const TOOL_BUILD_TIMEOUT_MS = 8 * 60_000;

export type K8sObject = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string> } } & Record<string, unknown>;

function run(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number } = {}) {
  const res = spawnSync(cmd, args, {
    cwd: opts.cwd ?? repoRoot,
    env: opts.env ?? process.env,
    input: opts.input,
    encoding: 'utf8',
    timeout: opts.timeoutMs ?? 60_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (res.error) throw new Error(`${cmd} ${args.join(' ')}: ${res.error.message}`);
  return { status: res.status ?? -1, stdout: res.stdout, stderr: res.stderr };
}

// GOTOOLCHAIN=local: a dependency that wants a newer Go fails here with a clear message instead of fetching one.
const goEnv = (gobin?: string): NodeJS.ProcessEnv => ({ ...process.env, GOTOOLCHAIN: 'local', ...(gobin ? { GOBIN: gobin } : {}) });

function newestSourceMtime(): number {
  return Math.max(...readdirSync(validatorSrc).filter((f) => /\.go$|^go\.(mod|sum)$/.test(f)).map((f) => statSync(path.join(validatorSrc, f)).mtimeMs));
}

function kustomizeIsCurrent(): boolean {
  return existsSync(kustomizeBin) && run(kustomizeBin, ['version']).stdout.trim() === KUSTOMIZE_VERSION;
}

function validatorIsCurrent(): boolean {
  return existsSync(validatorBin) && statSync(validatorBin).mtimeMs >= newestSourceMtime();
}

/** Builds into a private directory, then renames: two jest workers never see a half-written binary. */
function build(name: 'kustomize' | 'k8s-validate'): void {
  mkdirSync(binDir, { recursive: true });
  const tmp = mkdtempSync(path.join(binDir, `.build-${name}-`));
  try {
    const res =
      name === 'kustomize'
        ? run('go', ['install', `sigs.k8s.io/kustomize/kustomize/v5@${KUSTOMIZE_VERSION}`], { env: goEnv(tmp), timeoutMs: TOOL_BUILD_TIMEOUT_MS })
        : run('go', ['build', '-buildvcs=false', '-o', path.join(tmp, name), '.'], { cwd: validatorSrc, env: goEnv(), timeoutMs: TOOL_BUILD_TIMEOUT_MS });
    if (res.status !== 0) throw new Error(`building ${name} failed (needs Go ${'>='}1.26 and the Go module proxy):\n${res.stderr}`);
    renameSync(path.join(tmp, name), path.join(binDir, name));
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

const sleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/** One builder at a time across jest workers (mkdir is atomic); a lock older than a build's timeout is stale. */
function withBuildLock(fn: () => void): void {
  mkdirSync(binDir, { recursive: true });
  const lock = path.join(binDir, '.k8s-tools.lock');
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (existsSync(lock) && Date.now() - statSync(lock).mtimeMs > TOOL_BUILD_TIMEOUT_MS) rmSync(lock, { recursive: true, force: true });
      sleep(250);
    }
  }
  try {
    fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** Makes sure both binaries exist and match their pinned version / current source. */
export function ensureK8sTools(): void {
  if (kustomizeIsCurrent() && validatorIsCurrent()) return;
  withBuildLock(() => {
    // Another worker may have built them while this one waited.
    if (!kustomizeIsCurrent()) build('kustomize');
    if (!validatorIsCurrent()) build('k8s-validate');
  });
}

export type KustomizeResult = { ok: boolean; yaml: string; stderr: string };

export function kustomizeBuild(dir: string, extraArgs: string[] = []): KustomizeResult {
  const res = run(kustomizeBin, ['build', ...extraArgs, dir]);
  return { ok: res.status === 0, yaml: res.stdout, stderr: res.stderr };
}

export type ValidationProblem = { index: number; kind: string; name: string; message: string };
export type ValidationReport = { exitCode: number; objects: K8sObject[]; errors: ValidationProblem[] };

/** Strictly decodes every document (YAML or JSON) against the k8s.io/api types; see tools/k8s-validate/main.go. */
export function validateManifests(text: string): ValidationReport {
  const res = run(validatorBin, ['-'], { input: text });
  if (res.status !== 0 && res.status !== 1) throw new Error(`k8s-validate crashed (${res.status}): ${res.stderr}`);
  const parsed = JSON.parse(res.stdout) as { objects: K8sObject[]; errors: ValidationProblem[] };
  return { exitCode: res.status, ...parsed };
}

/** Objects back to a multi-document stream (JSON is YAML), for validating mutated copies. */
export const toYamlStream = (objects: unknown[]): string => objects.map((o) => JSON.stringify(o)).join('\n---\n') + '\n';

/** Renders a kustomization and decodes it; throws when either step fails, so callers get objects or a reason. */
export function renderAndValidate(dir: string): ValidationReport {
  const built = kustomizeBuild(dir);
  if (!built.ok) throw new Error(`kustomize build ${dir} failed:\n${built.stderr}`);
  return validateManifests(built.yaml);
}
