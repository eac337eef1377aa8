// Debian's HAProxy and nginx as plain reverse proxies in front of one backend, for the ingress
// benchmarks (bench:ingress on 127.0.0.1, bench:cluster in front of an API pod). They are the
// proxies inside the HAProxy-based ingress controllers and ingress-nginx; those controllers'
// own parts (ingress-nginx's Lua balancer, for one) are not here, so these are lower bounds.
import { chmodSync, existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { start } from './bench-driver.mjs';

/** The first `name` on PATH or in the sbin directories (where Debian puts both proxies); undefined if none. */
function onPath(name) {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/usr/local/sbin'];
  return dirs.map((d) => join(d, name)).find((p) => existsSync(p));
}

export const HAPROXY = process.env.HAPROXY ?? onPath('haproxy');
export const NGINX = process.env.NGINX ?? onPath('nginx');
export const haproxyMissing =
  HAPROXY && existsSync(HAPROXY) ? undefined : 'no haproxy on PATH: apt-get install haproxy, or set HAPROXY';
export const nginxMissing =
  NGINX && existsSync(NGINX) ? undefined : 'no nginx on PATH: apt-get install nginx-light, or set NGINX';

/** A fresh directory for the proxies' files; nginx's workers, unprivileged when started as root, write request bodies under it. */
export function proxyWorkDir(prefix) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  chmodSync(dir, 0o755);
  return dir;
}

/**
 * HAProxy in HTTP mode on `listen` (host:port) in front of `backend` (a URL), idle server
 * connections reused (its default, `http-reuse safe`). Started with bench-driver's start: ready
 * once `readyUrl` answers through it.
 */
export function startHaproxy({ listen, backend, readyUrl, dir }) {
  const file = join(dir, `haproxy-${listen.replace(/\W/g, '-')}.cfg`);
  writeFileSync(
    file,
    `global
  maxconn 4096
defaults
  mode http
  timeout connect 2s
  timeout client 60s
  timeout server 60s
  http-reuse safe
frontend web
  bind ${listen}
  default_backend backend
backend backend
  server api ${new URL(backend).host}
`,
  );
  return start(HAPROXY, ['-db', '-f', file], {}, readyUrl, { quiet: true });
}

/** nginx on `listen` in front of `backend` with a keep-alive upstream, as ingress-nginx proxies (HTTP/1.1, no Connection header). */
export function startNginx({ listen, backend, readyUrl, dir }) {
  const prefix = join(dir, `nginx-${listen.replace(/\W/g, '-')}-${Date.now()}`);
  mkdirSync(prefix, { recursive: true });
  writeFileSync(
    join(prefix, 'nginx.conf'),
    `worker_processes auto;
pid ${prefix}/nginx.pid;
error_log ${prefix}/error.log error;
daemon off;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${prefix}/body;
  proxy_temp_path ${prefix}/proxy;
  fastcgi_temp_path ${prefix}/fastcgi;
  uwsgi_temp_path ${prefix}/uwsgi;
  scgi_temp_path ${prefix}/scgi;
  upstream backend {
    server ${new URL(backend).host};
    keepalive 320;
  }
  server {
    listen ${listen};
    location / {
      proxy_pass http://backend;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
}
`,
  );
  const args = ['-p', prefix, '-c', join(prefix, 'nginx.conf'), '-e', join(prefix, 'error.log')];
  return start(NGINX, args, {}, readyUrl, { quiet: true });
}
