// X.509 for IKEv2 certificate authentication: parsing (pkijs/asn1js), keys, path validation, CRLs.
export { PkiParseError, decodePem, type PemBlock } from "./pem.ts";
export { dnEquals, dnFromText, dnIsEmpty, dnText } from "./dn.ts";
export { KEY_USAGE, parseCertificate, parseCertificates, parseCrl, type Certificate, type Crl, type SubjectAltNames } from "./x509.ts";
export { caKeyHash, checkKeyMatchesCertificate, parsePrivateKey, publicKeyFromSpki } from "./keys.ts";
export { CertificateError, checkIdentity, validateChain, validateChainOrThrow, type CertProblem, type ChainResult, type ValidationOptions } from "./validate.ts";
export { formatUtc } from "./time.ts";
export { checkLocalCredential, encodeCertReqAuthorities, parseCertReqAuthorities, pathMatchesCertReq } from "./credential.ts";
