// Certificates from an ACME CA (Let's Encrypt, or any RFC 8555 server: PADDOCK_ACME_DIRECTORY) by
// HTTP-01, with acme-client. The account key is made once per directory and kept sealed in the
// platform database. A challenge is published in the platform database and every live edge is
// told and waited for before the CA is asked to check it, so whichever edge the CA reaches
// answers. The client's own pre-check of the challenge URL is skipped: the CA checks it anyway,
// and the pre-check would hang where the platform cannot reach its own public address.
import { readFileSync } from 'node:fs';
import { Agent } from 'node:https';
import * as acme from 'acme-client';
import type { SecretBox } from '../secrets/box.js';
import type { Db } from '../store/db.js';
import type { CertificatePair } from './pem.js';
import { certificatesDb } from './tables.js';

export interface AcmeSettings {
  /** The ACME directory URL. */
  directoryUrl: string;
  /** The account's contact address ('' for none). */
  email: string;
  /** PEM file the directory's own HTTPS certificate is checked against (a private ACME server); '' for the system's. */
  caFile: string;
}

export interface AcmeDeps {
  db: Db;
  secrets: SecretBox;
  /** Resolves once every live edge answers the challenges now in the platform database. */
  challengesPublished(): Promise<void>;
}

const accountContext = (directoryUrl: string) => `acme-account:${directoryUrl}`;

let trustedCaFile = '';

/** acme-client speaks through one axios instance: a private ACME server's CA is trusted there. */
function trustCa(caFile: string): void {
  if (!caFile || trustedCaFile === caFile) return;
  acme.axios.defaults.httpsAgent = new Agent({ ca: readFileSync(caFile, 'utf8'), keepAlive: true });
  trustedCaFile = caFile;
}

/** The account key for this directory, made and stored (sealed) the first time. */
async function accountKey(deps: AcmeDeps, directoryUrl: string): Promise<{ key: string; url: string | null }> {
  const db = certificatesDb(deps.db);
  const row = await db.selectFrom('acme_accounts').select(['key_enc', 'account_url']).where('directory_url', '=', directoryUrl).executeTakeFirst();
  if (row) return { key: deps.secrets.open(row.key_enc, accountContext(directoryUrl)), url: row.account_url };
  const key = (await acme.crypto.createPrivateEcdsaKey('P-256')).toString();
  await db.insertInto('acme_accounts').values({ directory_url: directoryUrl, key_enc: deps.secrets.seal(key, accountContext(directoryUrl)), account_url: null })
    .onConflict((oc) => oc.column('directory_url').doNothing()).execute();
  // Another worker may have made one at the same time: use whichever was stored.
  const stored = await db.selectFrom('acme_accounts').select(['key_enc', 'account_url']).where('directory_url', '=', directoryUrl).executeTakeFirstOrThrow();
  return { key: deps.secrets.open(stored.key_enc, accountContext(directoryUrl)), url: stored.account_url };
}

/** Orders a certificate for `host` by HTTP-01; resolves with the chain and its new P-256 key. */
export async function orderCertificate(deps: AcmeDeps, settings: AcmeSettings, host: string): Promise<CertificatePair> {
  trustCa(settings.caFile);
  const account = await accountKey(deps, settings.directoryUrl);
  const client = new acme.Client({ directoryUrl: settings.directoryUrl, accountKey: account.key, ...(account.url ? { accountUrl: account.url } : {}) });
  const [key, csr] = await acme.crypto.createCsr({ commonName: host, altNames: [host] }, await acme.crypto.createPrivateEcdsaKey('P-256'));
  const challenges = certificatesDb(deps.db);
  const certPem = await client.auto({
    csr,
    ...(settings.email ? { email: settings.email } : {}),
    termsOfServiceAgreed: true,
    skipChallengeVerification: true,
    challengePriority: ['http-01'],
    challengeCreateFn: async (_authz, challenge, keyAuthorization) => {
      if (challenge.type !== 'http-01') throw new Error(`the CA offered ${challenge.type}, and the edge answers http-01 only`);
      await challenges.insertInto('acme_challenges').values({ token: challenge.token, host, key_authorization: keyAuthorization })
        .onConflict((oc) => oc.column('token').doUpdateSet({ key_authorization: keyAuthorization })).execute();
      await deps.challengesPublished();
    },
    challengeRemoveFn: async (_authz, challenge) => {
      await challenges.deleteFrom('acme_challenges').where('token', '=', challenge.token).execute();
    },
  });
  if (!account.url) {
    await certificatesDb(deps.db).updateTable('acme_accounts').set({ account_url: client.getAccountUrl() }).where('directory_url', '=', settings.directoryUrl).execute();
  }
  return { certPem, keyPem: key.toString() };
}
