// BuildKit through buildx: which builder the docker CLI has, what becomes of DEVCONTAINER_CACHE_TO
// on it, and what a build's progress output says (steps run vs from cache, the image it tagged).
//
// With buildx present the devcontainer CLI builds with `docker buildx build --load` on the current
// builder. Its `docker` driver (the daemon's built-in BuildKit, no builder container, no network)
// cannot export cache (`Cache export is not supported for the docker driver`), only `inline`
// cache: metadata inside the image itself. So a `type=registry,ref=R` export is done as
// `--cache-to type=inline` plus a push of the built image to R; `--cache-from R` then takes the
// cached steps from the registry on any daemon (measured against dockerd 20.10.24, BuildKit 0.8).
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { type DockerContext, runDocker } from '@devcontainer-kit/docker-context';

export interface BuildxInfo {
  /** buildx version (`v0.38.2`). */
  version: string;
  /** The current builder's driver: `docker`, `docker-container`, `remote`, `kubernetes`. */
  driver: string;
}

/** buildx's version and the current builder's driver; undefined without buildx (legacy builder). */
export async function detectBuildx(docker: DockerContext): Promise<BuildxInfo | undefined> {
  const v = await runDocker(docker, ['buildx', 'version'], { timeoutMs: 15_000 });
  if (v.exitCode !== 0) return undefined;
  const version = /\bv\d+\.\d+\.\d+\S*/.exec(v.stdout)?.[0] ?? 'unknown';
  const i = await runDocker(docker, ['buildx', 'inspect'], { timeoutMs: 15_000 });
  const driver = /^Driver:\s*(\S+)/m.exec(i.stdout)?.[1] ?? 'unknown';
  return { version, driver };
}

/** `type=registry,ref=R,…` → R; plain `R` (an image reference, as `--cache-from` takes) too. Pure. */
export function registryCacheRef(spec: string): string | undefined {
  const fields = spec.split(',').map((f) => f.trim());
  const kv = Object.fromEntries(
    fields.filter((f) => f.includes('=')).map((f) => [f.slice(0, f.indexOf('=')).trim(), f.slice(f.indexOf('=') + 1)]),
  );
  if (!spec.includes('=')) return spec.trim() || undefined;
  return kv.type === 'registry' && kv.ref ? kv.ref : undefined;
}

export interface CacheToPlan {
  /** What `devcontainer up --cache-to` gets (undefined: nothing). */
  cliCacheTo?: string;
  /** Push the built image here after the build (its inline cache is the exported cache). */
  pushRef?: string;
  /** Why the plan differs from the setting, for the log. */
  note?: string;
}

/**
 * DEVCONTAINER_CACHE_TO on this builder. Pure.
 * - no buildx: passed on (the legacy builder ignores it; said in the note);
 * - compose configs: not passed (the devcontainer CLI refuses `--cache-to` for them);
 * - the `docker` driver and a registry export: inline cache + push of the image to the ref;
 * - anything else: passed on unchanged.
 */
export function planCacheTo(o: { cacheTo: string | undefined; buildx: BuildxInfo | undefined; compose: boolean }): CacheToPlan {
  const { cacheTo, buildx } = o;
  if (!cacheTo) return {};
  if (o.compose)
    return {
      note: `DEVCONTAINER_CACHE_TO is not used for Docker Compose configurations (the devcontainer CLI refuses --cache-to for them)`,
    };
  if (!buildx) return { cliCacheTo: cacheTo, note: 'DEVCONTAINER_CACHE_TO needs buildx: the legacy builder exports no cache' };
  const ref = registryCacheRef(cacheTo);
  if (buildx.driver === 'docker' && ref)
    return {
      cliCacheTo: 'type=inline',
      pushRef: ref,
      note: `buildx's docker driver cannot export cache: building with inline cache and pushing the image to ${ref}`,
    };
  return { cliCacheTo: cacheTo };
}

/** What a build's progress said so far. */
export interface BuildProgress {
  /** Dockerfile steps (not FROM) that ran. */
  built: number;
  /** Dockerfile steps (not FROM) taken from cache. */
  cached: number;
  /** Tags of the `docker buildx build` runs, in order (the first is the devcontainer's image, later ones e.g. its `-uid` layer). */
  images: string[];
  /** Feeds one log event's text (may hold several lines). */
  push(text: string): void;
}

/**
 * Reads BuildKit's plain progress (`#6 [stage 2/4] RUN …`, `#6 CACHED`, `#6 DONE 0.3s`) and the
 * devcontainer CLI's `Run: docker buildx build … -t IMAGE` lines. Pure (no I/O).
 */
export function createBuildProgress(): BuildProgress {
  const steps = new Set<string>();
  const cached = new Set<string>();
  const done = new Set<string>();
  let build = 0;
  const key = (id: string) => `${build}:${id}`;
  const progress: BuildProgress = {
    built: 0,
    cached: 0,
    images: [],
    push(text) {
      for (const line of text.split(/\r?\n/)) {
        const run = /^Run: docker (?:buildx build|build) .*?-t (\S+)/.exec(line.trim());
        if (run) {
          // The CLI logs each command when it starts and again when it ends.
          if (progress.images.at(-1) !== run[1]) {
            build++;
            progress.images.push(run[1] as string);
          }
          continue;
        }
        const step = /^#(\d+) \[[^\]]*\b\d+\/\d+\] (\w+)/.exec(line);
        if (step) {
          if (step[2] !== 'FROM') steps.add(key(step[1] as string));
          continue;
        }
        const end = /^#(\d+) (CACHED|DONE\b)/.exec(line);
        if (!end || !steps.has(key(end[1] as string))) continue;
        (end[2] === 'CACHED' ? cached : done).add(key(end[1] as string));
      }
      progress.cached = cached.size;
      progress.built = [...done].filter((k) => !cached.has(k)).length;
    },
  };
  return progress;
}

/** Tags IMAGE as REF and pushes it (the inline cache travels in its config). Never throws. */
export async function pushCacheImage(
  docker: DockerContext,
  o: { image: string; ref: string; onLog: (line: string, level: 'info' | 'warn') => void },
): Promise<boolean> {
  const tag = await runDocker(docker, ['tag', o.image, o.ref]);
  const push = tag.exitCode === 0 ? await runDocker(docker, ['push', '-q', o.ref], { timeoutMs: 30 * 60_000 }) : tag;
  if (push.exitCode !== 0) {
    o.onLog(`cache export to ${o.ref} failed: ${push.stderr.trim().split('\n').pop() || `exit ${push.exitCode}`}`, 'warn');
    return false;
  }
  o.onLog(
    `build cache exported: ${o.image} (inline cache) pushed to ${o.ref} in ${((tag.durationMs + push.durationMs) / 1000).toFixed(1)} s`,
    'info',
  );
  return true;
}

/** The `# syntax=` directive of a Dockerfile (in its leading comment lines), if any. Pure. */
export function dockerfileSyntax(text: string): string | undefined {
  for (const line of text.split(/\r?\n/)) {
    const l = line.trim();
    if (l === '') continue;
    if (!l.startsWith('#')) return undefined;
    const m = /^#\s*syntax\s*=\s*(\S+)/i.exec(l);
    if (m) return m[1];
  }
  return undefined;
}

/**
 * Whether the devcontainer CLI must build with the legacy builder (`--buildkit never`). Pure.
 * With BuildKit and features, on engines before 23 the CLI puts `# syntax=docker/dockerfile:1.4`
 * in front of the Dockerfile it generates (the engine's built-in frontend lacks named build
 * contexts) unless the user's Dockerfile names a frontend itself: that image comes from Docker
 * Hub, which an offline cluster cannot reach, and the build fails where the legacy builder
 * worked. So: legacy builder exactly then — engine < 23, features, no `# syntax=` of the user's.
 */
export function needsLegacyBuilder(o: {
  engineVersion: string | undefined;
  hasFeatures: boolean;
  userSyntax: string | undefined;
}): boolean {
  const major = Number.parseInt(o.engineVersion ?? '', 10);
  return o.hasFeatures && !o.userSyntax && Number.isFinite(major) && major < 23;
}

/** One `up`'s build: the `--cache-to` to pass, the progress reader, and the export after it. */
export interface BuildCacheSession {
  cliCacheTo: string | undefined;
  /** Extra `devcontainer up` arguments (`--buildkit never`, see needsLegacyBuilder). */
  cliArgs: string[];
  /** The Docker context for the CLI: with the legacy builder also `DOCKER_BUILDKIT=0` (a docker 23+ client with buildx would otherwise run `docker build` through BuildKit too). */
  docker: DockerContext;
  progress: BuildProgress;
  /** After a successful build: pushes the devcontainer's image when the plan says so. Never throws. */
  finish(): Promise<void>;
}

/** Plans DEVCONTAINER_CACHE_TO for this `up` (asks buildx only when it is set) and logs the plan. */
export async function startBuildCache(o: {
  docker: DockerContext;
  cacheTo: string | undefined;
  compose: boolean;
  /** devcontainer.json and its path: features and the Dockerfile's `# syntax=` decide the builder. */
  config?: { file: string; config: Record<string, unknown> };
  log: { write(line: string, level: 'info' | 'warn'): void };
}): Promise<BuildCacheSession> {
  const progress = createBuildProgress();
  const cliArgs: string[] = [];
  let docker = o.docker;
  const features = o.config?.config.features;
  if (o.config && features && typeof features === 'object' && Object.keys(features).length > 0) {
    const build = (o.config.config.build ?? {}) as { dockerfile?: unknown };
    const dockerfile = typeof build.dockerfile === 'string' ? build.dockerfile : (o.config.config.dockerFile as string | undefined);
    const text = typeof dockerfile === 'string' ? await readFile(resolve(dirname(o.config.file), dockerfile), 'utf8').catch(() => '') : '';
    const v = await runDocker(o.docker, ['version', '--format', '{{.Server.Version}}'], { timeoutMs: 15_000 });
    const engineVersion = v.exitCode === 0 ? v.stdout.trim() : undefined;
    if (needsLegacyBuilder({ engineVersion, hasFeatures: true, userSyntax: dockerfileSyntax(text) })) {
      cliArgs.push('--buildkit', 'never');
      docker = { ...o.docker, env: { ...o.docker.env, DOCKER_BUILDKIT: '0' } };
      o.log.write(
        `Docker engine ${engineVersion} (< 23) and features: building with the legacy builder — with BuildKit the devcontainer CLI would fetch docker/dockerfile:1.4 from Docker Hub (a "# syntax=" line in the Dockerfile opts into BuildKit)`,
        'info',
      );
    }
  }
  // The legacy builder (above) exports no cache, whatever buildx could do.
  const buildx = o.cacheTo && !o.compose && cliArgs.length === 0 ? await detectBuildx(o.docker) : undefined;
  const plan = planCacheTo({ cacheTo: o.cacheTo, buildx, compose: o.compose });
  if (plan.note) o.log.write(plan.note, plan.pushRef ? 'info' : 'warn');
  return {
    cliCacheTo: plan.cliCacheTo,
    cliArgs,
    docker,
    progress,
    async finish() {
      const image = progress.images[0];
      if (!plan.pushRef || !image) return;
      await pushCacheImage(o.docker, { image, ref: plan.pushRef, onLog: (line, level) => o.log.write(line, level) });
    },
  };
}
