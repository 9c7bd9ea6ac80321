// Debian's nginx in front of test instances, with the site of docs/scale-out.md (TLS swapped for a loopback port).
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { freePort } from './free-port.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
export const NGINX = ['/usr/sbin/nginx', '/usr/bin/nginx'].find(
  (bin) => spawnSync(bin, ['-v'], { stdio: 'ignore' }).status === 0,
);

/**
 * The documented site, so the test proves what operators copy: the upstream's servers become the
 * instances, and the TLS listener (with its certificate lines) becomes a plain loopback port.
 */
export function documentedSite(instances: string[], port: number): string {
  const doc = readFileSync(join(root, 'docs/scale-out.md'), 'utf8');
  const site = /```nginx\n([\s\S]*?)```/.exec(doc)?.[1];
  if (!site) throw new Error('docs/scale-out.md has no ```nginx block');
  const servers = instances.map((url) => `    server ${new URL(url).host};`).join('\n');
  const replaced = site
    .replace(/^(\s*)server \d[\d.]*:\d+;.*\n(?:\s*server \d[\d.]*:\d+;.*\n)*/m, `${servers}\n`)
    .replace(/^\s*listen 443 ssl;.*$/m, `    listen 127.0.0.1:${port};`)
    .replace(/^\s*(http2 on|server_name|ssl_certificate|ssl_certificate_key)\b.*$/gm, '');
  if (
    !replaced.includes(`listen 127.0.0.1:${port}`) ||
    instances.some((u) => !replaced.includes(new URL(u).host))
  )
    throw new Error(`could not fit the documented site to the test:\n${replaced}`);
  return replaced;
}

export interface AccessEntry {
  method: string;
  uri: string;
  status: number;
  /** The instances tried, in order (`127.0.0.1:1234`, or several when nginx retried). */
  upstreams: string[];
}

export async function startNginx(instances: string[]) {
  if (!NGINX) throw new Error('nginx is not installed');
  const dir = mkdtempSync(join(tmpdir(), 'playground-nginx-'));
  for (const sub of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(join(dir, sub));
  const port = await freePort();
  const conf = `
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 1024; }
http {
  log_format upstreams '$request_method $request_uri $status $upstream_addr';
  access_log ${dir}/access.log upstreams flush=100ms buffer=4k;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
${documentedSite(instances, port)}
}
`;
  writeFileSync(join(dir, 'nginx.conf'), conf);
  const child: ChildProcess = spawn(NGINX, ['-p', dir, '-c', join(dir, 'nginx.conf'), '-g', 'daemon off;'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`nginx exited: ${stderr}\n${conf}`);
    const ok = await fetch(`${url}/health`).then(
      () => true,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline) throw new Error(`nginx did not answer on ${port}: ${stderr}`);
    await sleep(50);
  }

  return {
    url,
    conf,
    /** What nginx logged so far (it flushes every 100 ms: wait that long after a request). */
    async access(): Promise<AccessEntry[]> {
      await sleep(250);
      let text = '';
      try {
        text = readFileSync(join(dir, 'access.log'), 'utf8');
      } catch {
        return [];
      }
      return text
        .split('\n')
        .filter(Boolean)
        .map((line) => {
          const [method = '', uri = '', status = '0', ...rest] = line.split(' ');
          return {
            method,
            uri,
            status: Number(status),
            upstreams: rest
              .join(' ')
              .split(/[,:]\s+/)
              .map((s) => s.trim())
              .filter((s) => s && s !== '-'),
          };
        });
    },
    async stop() {
      if (child.exitCode === null) {
        const exited = once(child, 'exit');
        child.kill('SIGQUIT');
        await Promise.race([exited, sleep(5000).then(() => child.kill('SIGKILL'))]);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export type Nginx = Awaited<ReturnType<typeof startNginx>>;
