// The dev CA: made once in the state dir (like mkcert), it signs a certificate for every platform
// subdomain (the edge asks it for one per site, since TLS clients refuse a wildcard directly under
// a single-label domain such as `*.localhost`). Its key is readable by the platform's user only.
// Trust it in a client to fetch dev sites over HTTPS: `curl --cacert <dir>/ca.crt https://...`.
import { existsSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { ensureDir, stateDir } from './env.mjs';
import { ensurePackages, must } from './system.mjs';

export const devCaDir = join(stateDir, 'dev-ca');

/** Makes the dev CA when missing; returns its folder and whether it was made now. */
export function ensureDevCa() {
  const key = join(devCaDir, 'ca.key');
  const cert = join(devCaDir, 'ca.crt');
  ensureDir(devCaDir);
  if (existsSync(key) && existsSync(cert)) {
    chmodSync(key, 0o600);
    return { dir: devCaDir, cert, made: false };
  }
  ensurePackages(['openssl'], 'the dev CA');
  // ECDSA P-256, ten years; the edge's site certificates from it last 825 days and are made again 30 days ahead.
  must('openssl', ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', key]);
  chmodSync(key, 0o600);
  must('openssl', ['req', '-x509', '-new', '-key', key, '-sha256', '-days', '3650', '-out', cert,
    '-subj', `/O=Paddock development/CN=Paddock dev CA (${new Date().toISOString().slice(0, 10)})`,
    '-addext', 'basicConstraints=critical,CA:TRUE,pathlen:0',
    '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  return { dir: devCaDir, cert, made: true };
}
