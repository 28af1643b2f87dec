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

export type CertificateTables = {
  certificates: CertificatesTable;
};

export type CertificateRow = Selectable<CertificatesTable>;

export function certificatesDb(db: Db) {
  return db.withTables<CertificateTables>();
}
