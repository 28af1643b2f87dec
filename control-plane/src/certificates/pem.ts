// Keys and X.509 certificates: ECDSA P-256 key pairs, certificates signed by a local CA (the dev
// CA in the state dir, which signs one certificate per platform subdomain), the edge's
// self-signed fallback, and what a PEM certificate says (names, expiry, serial). Built on
// @peculiar/x509 over Node's WebCrypto; node:crypto alone cannot write a certificate.
import { createPrivateKey, webcrypto, X509Certificate as NodeX509 } from 'node:crypto';
import * as x509 from '@peculiar/x509';

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;

// Node's WebCrypto is the Crypto the library expects (typed as DOM's, which the control plane does not load).
x509.cryptoProvider.set(webcrypto as never);

const EC = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

/** A certificate chain (leaf first) and its private key, both PEM. */
export interface CertificatePair {
  certPem: string;
  keyPem: string;
}

/** What a certificate says about itself. */
export interface CertificateFacts {
  hosts: string[];
  notAfter: Date;
  notBefore: Date;
  serial: string;
  issuer: string;
}

async function newKeys(): Promise<CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify'])) as CryptoKeyPair;
}

async function keyPem(key: CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key));
  return `-----BEGIN PRIVATE KEY-----\n${der.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '')}\n-----END PRIVATE KEY-----\n`;
}

/** Imports a PEM private key of any form openssl writes (SEC1 "EC PRIVATE KEY" or PKCS#8) for signing. */
async function importSigningKey(pem: string): Promise<CryptoKey> {
  const der = createPrivateKey(pem).export({ format: 'der', type: 'pkcs8' });
  return webcrypto.subtle.importKey('pkcs8', der, EC, false, ['sign']) as Promise<CryptoKey>;
}

const serialNumber = () => `01${Buffer.from(webcrypto.getRandomValues(new Uint8Array(15))).toString('hex')}`;

/** A CA that signs leaf certificates: its certificate and key, PEM. */
export interface LocalCa {
  certPem: string;
  keyPem: string;
}

/** A new self-signed CA (tests make their own; the dev stack makes one with openssl). */
export async function createCa(name: string, days = 3650): Promise<LocalCa> {
  const keys = await newKeys();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serialNumber(),
    name: `CN=${name}`,
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + days * 86400_000),
    keys,
    signingAlgorithm: EC,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certPem: cert.toString('pem') + '\n', keyPem: await keyPem(keys.privateKey) };
}

/**
 * A leaf certificate for `hosts` (the first is its subject), signed by `ca`, with a fresh P-256
 * key. `days`: validity (825 at most, what browsers accept from a local CA).
 */
export async function issueFromCa(ca: LocalCa, hosts: string[], days = 825): Promise<CertificatePair> {
  const caCert = new x509.X509Certificate(ca.certPem);
  const keys = await newKeys();
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serialNumber(),
    subject: `CN=${hosts[0]}`,
    issuer: caCert.subject,
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + Math.min(days, 825) * 86400_000),
    publicKey: keys.publicKey,
    signingKey: await importSigningKey(ca.keyPem),
    signingAlgorithm: EC,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(hosts.map((h) => ({ type: 'dns' as const, value: h }))),
      await x509.AuthorityKeyIdentifierExtension.create(caCert),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certPem: cert.toString('pem') + '\n', keyPem: await keyPem(keys.privateKey) };
}

/**
 * The edge's fallback certificate, served to a client that names no host or one without a
 * certificate (HAProxy needs one to listen); nobody trusts it, which is the point.
 */
export async function selfSigned(name: string): Promise<CertificatePair> {
  const ca = await createCa(name, 3650);
  return { certPem: ca.certPem, keyPem: ca.keyPem };
}

/** Names, validity and serial of the first certificate in `pem`. */
export function certificateFacts(pem: string): CertificateFacts {
  const c = new NodeX509(pem);
  const hosts = (c.subjectAltName ?? '').split(',').map((s) => s.trim()).filter((s) => s.startsWith('DNS:')).map((s) => s.slice(4).toLowerCase());
  return { hosts, notAfter: new Date(c.validTo), notBefore: new Date(c.validFrom), serial: c.serialNumber, issuer: c.issuer };
}

/** True when the private key in `keyPem` belongs to the certificate in `certPem`. */
export function keyMatches(certPem: string, keyPem: string): boolean {
  try {
    return new NodeX509(certPem).checkPrivateKey(createPrivateKey(keyPem));
  } catch {
    return false;
  }
}
