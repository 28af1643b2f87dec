// The certificates table as Kysely sees it (migration 20261207T1600_certificates), added to the
// platform database's type with `withTables` like the deploy pipeline's tables.
import type { ColumnType, Generated, Selectable } from 'kysely';
import type { Db } from '../store/db.js';

type Timestamp = ColumnType<Date, Date | string, Date | string>;

/** Who made a certificate: the dev CA (platform subdomains in dev), an ACME CA, or the operator. */
export type CertificateSource = 'dev-ca' | 'acme' | 'operator';

export type CertificatesTable = {
  /** The host name it is served for (lower case); one certificate per host. */
  host: string;
  source: CertificateSource;
  /** The chain, leaf first (PEM; public). */
  cert_pem: string;
  /** The private key, sealed with the master key (context `certificate:<host>`). */
  key_enc: string;
  serial: string;
  not_after: Timestamp;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
};

export type CertificateState = 'pending' | 'issued' | 'renewing' | 'failed';

/** A custom domain's ACME issuance: where it stands, and why it failed last. */
export type CertificateStatesTable = {
  host: string;
  state: CertificateState;
  last_error: string | null;
  /** When a failed issuance is tried again. */
  retry_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  attempts: Generated<number>;
  updated_at: Generated<Date>;
};

export type AcmeAccountsTable = {
  directory_url: string;
  /** The account key, sealed (context `acme-account:<directory>`). */
  key_enc: string;
  account_url: string | null;
  created_at: Generated<Date>;
};

/** HTTP-01 challenges under way: every edge answers /.well-known/acme-challenge/<token> from here. */
export type AcmeChallengesTable = {
  token: string;
  host: string;
  key_authorization: string;
  created_at: Generated<Date>;
};

export type CertificateTables = {
  certificates: CertificatesTable;
  certificate_states: CertificateStatesTable;
  acme_accounts: AcmeAccountsTable;
  acme_challenges: AcmeChallengesTable;
};

export type CertificateRow = Selectable<CertificatesTable>;

export function certificatesDb(db: Db) {
  return db.withTables<CertificateTables>();
}
