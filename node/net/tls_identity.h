// A node's TLS identity: an Ed25519 key and a self-signed certificate, trusted by peers through the
// SPKI pin of the key (RFC 7469 style), never through a certificate authority. On disk:
//   PREFIX.crt     the certificate, PEM, mode 0644
//   PREFIX.tlskey  the private key, PEM PKCS#8, mode 0600; refused when group or others may read it
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

#include "schema/status.h"

// OpenSSL's types, declared here so that includers need not see OpenSSL headers.
struct ssl_ctx_st;
struct x509_st;

namespace liaison::net {

/// Every pin starts with this: the hash that made it.
inline constexpr std::string_view kPinPrefix = "sha256:";

/// Length of a pin: the prefix and the base64 of a 32-byte SHA-256 digest.
inline constexpr size_t kPinLength = kPinPrefix.size() + 44;

/// Largest certificate file read. Ours are under 1 KiB; anything near this is not one of ours.
inline constexpr size_t kMaxCertificateFileBytes = 64 * 1024;

/// Largest private key file read.
inline constexpr size_t kMaxTlsKeyFileBytes = 16 * 1024;

/// Longest validity writeTlsIdentity accepts. Peers trust the pin, not the dates, so a long life is
/// harmless, but a certificate that outlives the key's owner is not.
inline constexpr int kMaxValidDays = 3650;

/// PREFIX.crt, the certificate file of an identity.
std::filesystem::path tlsCertificatePath(const std::filesystem::path& prefix);

/// PREFIX.tlskey, the private key file of an identity.
std::filesystem::path tlsKeyPath(const std::filesystem::path& prefix);

/// Generates an Ed25519 key and a self-signed X.509 v3 certificate for `commonName` (a DNS name,
/// also put in subjectAltName with localhost and 127.0.0.1, usable for server and client auth) valid
/// for `validDays` days from now. Writes PREFIX.crt and PREFIX.tlskey; refuses to overwrite either.
Status writeTlsIdentity(const std::filesystem::path& prefix, const std::string& commonName, int validDays);

/// The pin of a certificate's public key: "sha256:" + base64(SHA-256(DER SubjectPublicKeyInfo)).
/// Fails only when OpenSSL cannot encode the key (out of memory).
Result<std::string> spkiPin(const x509_st* certificate);

/// The pin of the first certificate in a PEM file.
Result<std::string> spkiPinOfCertificateFile(const std::filesystem::path& path);

/// Whether two pins are the same, in time independent of where they differ. Empty pins never match.
bool pinsEqual(std::string_view a, std::string_view b);

/// Loads a certificate and its private key into an OpenSSL context. Refuses a key file that group or
/// others may access, an encrypted key (there is no one to type a passphrase), and a key that does not
/// belong to the certificate.
Status useTlsIdentity(ssl_ctx_st* context, const std::filesystem::path& certificateFile,
                      const std::filesystem::path& keyFile);

}  // namespace liaison::net
