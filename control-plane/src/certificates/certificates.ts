// Certificates in the platform database: the one source every edge loads from. A private key is
// stored sealed with the master key, bound to its host, so a key copied into another row does not
// open; a certificate whose key does not match, or which does not name its host, is refused.
import type { SecretBox } from '../secrets/box.js';
import type { Db } from '../store/db.js';
import { certificateFacts, keyMatches, type CertificatePair } from './pem.js';
import { certificatesDb, type CertificateSource } from './tables.js';

/** A certificate this close to expiry is made again (dev CA) or renewed (ACME). */
export const RENEW_BEFORE_MS = 30 * 86400_000;

/** A certificate ready to serve: chain and key in clear, for the edge only. */
export interface ServedCertificate extends CertificatePair {
  host: string;
  serial: string;
  notAfter: Date;
}

const keyContext = (host: string) => `certificate:${host}`;

/** Stores (or replaces) the certificate of `host`; the edges pick it up on their next sync. */
export async function saveCertificate(
  db: Db,
  secrets: SecretBox,
  host: string,
  pair: CertificatePair,
  source: CertificateSource,
): Promise<ServedCertificate> {
  const name = host.toLowerCase();
  const facts = certificateFacts(pair.certPem);
  if (!facts.hosts.includes(name)) throw new Error(`The certificate for ${name} names ${facts.hosts.join(', ') || 'no host'}, not ${name}.`);
  if (!keyMatches(pair.certPem, pair.keyPem)) throw new Error(`The private key given for ${name} does not belong to its certificate.`);
  const row = {
    host: name,
    source,
    cert_pem: pair.certPem,
    key_enc: secrets.seal(pair.keyPem, keyContext(name)),
    serial: facts.serial,
    not_after: facts.notAfter,
  };
  await certificatesDb(db).insertInto('certificates').values(row)
    .onConflict((oc) => oc.column('host').doUpdateSet({ ...row, updated_at: new Date() })).execute();
  return { host: name, serial: facts.serial, notAfter: facts.notAfter, ...pair };
}

/** Host and serial of every stored certificate: what an edge compares with what it serves. */
export async function certificateSerials(db: Db): Promise<Array<{ host: string; serial: string }>> {
  return certificatesDb(db).selectFrom('certificates').select(['host', 'serial']).orderBy('host').execute();
}

/** Stored certificates (of `hosts`, or all) with their keys opened, for an edge to serve. */
export async function servedCertificates(db: Db, secrets: SecretBox, hosts?: string[]): Promise<ServedCertificate[]> {
  if (hosts?.length === 0) return [];
  let query = certificatesDb(db).selectFrom('certificates').select(['host', 'cert_pem', 'key_enc', 'serial', 'not_after']).orderBy('host');
  if (hosts) query = query.where('host', 'in', hosts);
  const rows = await query.execute();
  return rows.map((r) => ({
    host: r.host,
    serial: r.serial,
    notAfter: r.not_after,
    certPem: r.cert_pem,
    keyPem: secrets.open(r.key_enc, keyContext(r.host)),
  }));
}

export async function deleteCertificate(db: Db, host: string): Promise<void> {
  await certificatesDb(db).deleteFrom('certificates').where('host', '=', host.toLowerCase()).execute();
}
