#include "node/net/tls_identity.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <unistd.h>

#include <array>
#include <memory>
#include <span>
#include <vector>

#include "crypto/secret_memory.h"
#include "crypto/secure_file.h"

namespace liaison::net {
namespace fs = std::filesystem;

namespace {

// Frees an OpenSSL object when its owner goes out of scope.
template <auto Free>
struct OpenSslFree {
  template <typename T>
  void operator()(T* object) const {
    Free(object);
  }
};
using KeyPtr = std::unique_ptr<EVP_PKEY, OpenSslFree<EVP_PKEY_free>>;
using CertificatePtr = std::unique_ptr<X509, OpenSslFree<X509_free>>;
using BioPtr = std::unique_ptr<BIO, OpenSslFree<BIO_free_all>>;
using BignumPtr = std::unique_ptr<BIGNUM, OpenSslFree<BN_free>>;
using ExtensionPtr = std::unique_ptr<X509_EXTENSION, OpenSslFree<X509_EXTENSION_free>>;
using GeneralNamesPtr = std::unique_ptr<GENERAL_NAMES, OpenSslFree<GENERAL_NAMES_free>>;

// The certificate anyone may read; the private key only its owner.
constexpr crypto::BoundedFileRules kCertificateFile{.limitFor = "this file"};
constexpr crypto::BoundedFileRules kPrivateKeyFile{.limitFor = "this file",
                                                   .ownerOnlyContent = "a TLS private key"};
constexpr std::string_view kReplaceAdvice = "move the existing identity away first if you mean to replace it";

// The reasons OpenSSL queued on this thread, joined; clears the queue so they do not surface later
// in an unrelated call.
std::string openSslReasons() {
  std::string reasons;
  while (unsigned long code = ERR_get_error()) {
    std::array<char, 256> text{};
    ERR_error_string_n(code, text.data(), text.size());
    if (!reasons.empty()) reasons += "; ";
    reasons += text.data();
  }
  return reasons.empty() ? "no reason given" : reasons;
}

Error openSslError(ErrorKind kind, std::string_view what) {
  return fail(kind, std::string(what) + " (OpenSSL: " + openSslReasons() + ")");
}

// A host name as DNS allows it (RFC 1123 labels), short enough for a certificate's CN (64). Checked
// because the name goes into the certificate's subjectAltName as a dNSName.
bool isDnsName(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  size_t labelStart = 0;
  for (size_t i = 0; i <= name.size(); ++i) {
    if (i == name.size() || name[i] == '.') {
      std::string_view label = name.substr(labelStart, i - labelStart);
      if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') return false;
      labelStart = i + 1;
      continue;
    }
    char c = name[i];
    bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (!alnum && c != '-') return false;
  }
  return true;
}

// Never prompts: a node runs unattended, and an encrypted key is reported rather than waited on.
int refusePassphrase(char*, int, int, void*) { return -1; }

// Adds an extension given in OpenSSL's configuration syntax. Used only with constant values.
bool addExtension(X509* certificate, int nid, const char* value) {
  X509V3_CTX context;
  X509V3_set_ctx_nodb(&context);
  X509V3_set_ctx(&context, certificate, certificate, nullptr, nullptr, 0);
  ExtensionPtr extension(X509V3_EXT_conf_nid(nullptr, &context, nid, value));
  return extension && X509_add_ext(certificate, extension.get(), -1) == 1;
}

// subjectAltName DNS:commonName, DNS:localhost, IP:127.0.0.1, built as values rather than as
// configuration text so that no name can smuggle in extra entries.
bool addSubjectAltNames(X509* certificate, const std::string& commonName) {
  GeneralNamesPtr names(sk_GENERAL_NAME_new_null());
  if (!names) return false;
  auto add = [&](int type, ASN1_STRING* value) {
    GENERAL_NAME* name = GENERAL_NAME_new();
    if (!name || !value) {
      GENERAL_NAME_free(name);
      ASN1_STRING_free(value);
      return false;
    }
    GENERAL_NAME_set0_value(name, type, value);
    if (sk_GENERAL_NAME_push(names.get(), name) == 0) {
      GENERAL_NAME_free(name);
      return false;
    }
    return true;
  };
  auto dnsName = [](std::string_view text) {
    ASN1_IA5STRING* value = ASN1_IA5STRING_new();
    if (value && ASN1_STRING_set(value, text.data(), static_cast<int>(text.size())) != 1) {
      ASN1_IA5STRING_free(value);
      return static_cast<ASN1_IA5STRING*>(nullptr);
    }
    return value;
  };
  constexpr std::array<unsigned char, 4> kLoopback{127, 0, 0, 1};
  ASN1_OCTET_STRING* loopback = ASN1_OCTET_STRING_new();
  if (loopback && ASN1_OCTET_STRING_set(loopback, kLoopback.data(), kLoopback.size()) != 1) {
    ASN1_OCTET_STRING_free(loopback);
    loopback = nullptr;
  }

  bool added = add(GEN_DNS, dnsName(commonName));
  if (commonName != "localhost") added = add(GEN_DNS, dnsName("localhost")) && added;
  added = add(GEN_IPADD, loopback) && added;
  return added &&
         X509_add1_ext_i2d(certificate, NID_subject_alt_name, names.get(), 0, X509V3_ADD_DEFAULT) == 1;
}

// A positive random 128-bit serial: unique without a registry of issued serials.
bool setRandomSerial(X509* certificate) {
  std::array<unsigned char, 16> bytes{};
  BignumPtr serial;
  do {
    if (RAND_bytes(bytes.data(), bytes.size()) != 1) return false;
    serial.reset(BN_bin2bn(bytes.data(), bytes.size(), nullptr));
    if (!serial) return false;
  } while (BN_is_zero(serial.get()));
  return BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(certificate)) != nullptr;
}

Result<CertificatePtr> makeCertificate(EVP_PKEY* key, const std::string& commonName, int validDays) {
  CertificatePtr certificate(X509_new());
  if (!certificate) return openSslError(ErrorKind::internal, "cannot allocate a certificate");
  X509* cert = certificate.get();
  X509_NAME* name = X509_get_subject_name(cert);
  bool built = X509_set_version(cert, X509_VERSION_3) == 1 && setRandomSerial(cert) &&
               X509_gmtime_adj(X509_getm_notBefore(cert), 0) != nullptr &&
               X509_time_adj_ex(X509_getm_notAfter(cert), validDays, 0, nullptr) != nullptr &&
               X509_NAME_add_entry_by_NID(name, NID_commonName, MBSTRING_UTF8,
                                          reinterpret_cast<const unsigned char*>(commonName.data()),
                                          static_cast<int>(commonName.size()), -1, 0) == 1 &&
               X509_set_issuer_name(cert, name) == 1 && X509_set_pubkey(cert, key) == 1 &&
               addExtension(cert, NID_basic_constraints, "critical,CA:FALSE") &&
               addExtension(cert, NID_key_usage, "critical,digitalSignature") &&
               addExtension(cert, NID_ext_key_usage, "serverAuth,clientAuth") &&
               addSubjectAltNames(cert, commonName) &&
               // Ed25519 signs the message itself, so there is no separate digest to name.
               X509_sign(cert, key, nullptr) > 0;
  if (!built) return openSslError(ErrorKind::internal, "cannot build the certificate for " + commonName);
  return certificate;
}

// The bytes a memory BIO holds, without copying them.
std::span<const char> bioContents(BIO* bio) {
  char* data = nullptr;
  long size = BIO_get_mem_data(bio, &data);
  return {data, static_cast<size_t>(size > 0 ? size : 0)};
}

Result<CertificatePtr> readCertificateFile(const fs::path& path) {
  std::vector<char> text(kMaxCertificateFileBytes + 1);
  Result<size_t> size = crypto::readBoundedFile(path, text, kCertificateFile);
  if (!size) return size.error();
  BioPtr bio(BIO_new_mem_buf(text.data(), static_cast<int>(*size)));
  if (!bio) return openSslError(ErrorKind::internal, "cannot allocate a buffer");
  CertificatePtr certificate(PEM_read_bio_X509(bio.get(), nullptr, refusePassphrase, nullptr));
  if (!certificate) {
    ERR_clear_error();
    return crypto::fileError(ErrorKind::invalidInput, path,
                             "not a PEM certificate (expected `-----BEGIN CERTIFICATE-----`, as "
                             "`liaison tls-cert` writes)");
  }
  return certificate;
}

Result<KeyPtr> readPrivateKeyFile(const fs::path& path) {
  // The PEM text is the private key: read into guarded memory (crypto/secret_memory.h), wiped when done.
  crypto::SecretBuffer text(kMaxTlsKeyFileBytes + 1);
  Result<size_t> size = crypto::readBoundedFile(path, text.writableText(), kPrivateKeyFile);
  if (!size) return size.error();
  BioPtr bio(BIO_new_mem_buf(text.bytes().data(), static_cast<int>(*size)));
  if (!bio) return openSslError(ErrorKind::internal, "cannot allocate a buffer");
  KeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, refusePassphrase, nullptr));
  if (!key) {
    // OpenSSL's reasons are left out on purpose: they would not help, and they concern a secret.
    ERR_clear_error();
    return crypto::fileError(ErrorKind::invalidInput, path,
                             "not an unencrypted PEM private key (expected `-----BEGIN PRIVATE KEY-----`, as "
                             "`liaison tls-cert` writes)");
  }
  return key;
}

}  // namespace

fs::path tlsCertificatePath(const fs::path& prefix) {
  fs::path path = prefix;
  path += ".crt";
  return path;
}

fs::path tlsKeyPath(const fs::path& prefix) {
  fs::path path = prefix;
  path += ".tlskey";
  return path;
}

Status writeTlsIdentity(const fs::path& prefix, const std::string& commonName, int validDays) {
  if (!isDnsName(commonName)) {
    return fail(ErrorKind::invalidInput,
                "\"" + commonName +
                    "\" is not a usable certificate name: use a DNS name of at most 64 characters "
                    "(letters, digits, '-' and '.'), such as node-a.liaison.example");
  }
  if (validDays < 1 || validDays > kMaxValidDays) {
    return fail(ErrorKind::invalidInput, "validity of " + std::to_string(validDays) + " days is outside 1.." +
                                             std::to_string(kMaxValidDays));
  }

  KeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
  if (!key) return openSslError(ErrorKind::internal, "cannot generate an Ed25519 key");
  Result<CertificatePtr> certificate = makeCertificate(key.get(), commonName, validDays);
  if (!certificate) return certificate.error();

  BioPtr certificatePem(BIO_new(BIO_s_mem()));
  // Secure-heap memory for the key's PEM, so it is wiped when freed.
  BioPtr keyPem(BIO_new(BIO_s_secmem()));
  if (!certificatePem || !keyPem || PEM_write_bio_X509(certificatePem.get(), certificate->get()) != 1 ||
      PEM_write_bio_PrivateKey(keyPem.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return openSslError(ErrorKind::internal, "cannot encode the identity as PEM");
  }

  const fs::path keyPath = tlsKeyPath(prefix);
  const fs::path certificatePath = tlsCertificatePath(prefix);
  if (Status written = crypto::writeNewFile(keyPath, bioContents(keyPem.get()), 0600, kReplaceAdvice);
      !written) {
    return written;
  }
  if (Status written =
          crypto::writeNewFile(certificatePath, bioContents(certificatePem.get()), 0644, kReplaceAdvice);
      !written) {
    // Leave nothing behind rather than a key without its certificate.
    ::unlink(keyPath.c_str());
    return written;
  }
  return crypto::syncParentDirectory(keyPath);
}

Result<std::string> spkiPin(const x509_st* certificate) {
  unsigned char* der = nullptr;
  int derSize = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(certificate), &der);
  if (derSize <= 0) return openSslError(ErrorKind::internal, "cannot encode the certificate's public key");
  std::array<unsigned char, 32> digest{};
  unsigned int digestSize = 0;
  int hashed =
      EVP_Digest(der, static_cast<size_t>(derSize), digest.data(), &digestSize, EVP_sha256(), nullptr);
  OPENSSL_free(der);
  if (hashed != 1 || digestSize != digest.size())
    return openSslError(ErrorKind::internal, "cannot hash the public key");

  std::array<unsigned char, 45> base64{};  // 44 characters and the NUL EVP_EncodeBlock writes
  EVP_EncodeBlock(base64.data(), digest.data(), static_cast<int>(digest.size()));
  return std::string(kPinPrefix) + reinterpret_cast<const char*>(base64.data());
}

Result<std::string> spkiPinOfCertificateFile(const fs::path& path) {
  Result<CertificatePtr> certificate = readCertificateFile(path);
  if (!certificate) return certificate.error();
  return spkiPin(certificate->get());
}

bool pinsEqual(std::string_view a, std::string_view b) {
  // The length of a pin is public (all are kPinLength); only the content is compared in constant time.
  if (a.empty() || a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

Status useTlsIdentity(ssl_ctx_st* context, const fs::path& certificateFile, const fs::path& keyFile) {
  Result<CertificatePtr> certificate = readCertificateFile(certificateFile);
  if (!certificate) return certificate.error();
  Result<KeyPtr> key = readPrivateKeyFile(keyFile);
  if (!key) return key.error();
  if (SSL_CTX_use_certificate(context, certificate->get()) != 1) {
    return openSslError(ErrorKind::invalidInput,
                        certificateFile.string() + ": certificate not usable for TLS");
  }
  if (SSL_CTX_use_PrivateKey(context, key->get()) != 1 || SSL_CTX_check_private_key(context) != 1) {
    ERR_clear_error();
    return fail(ErrorKind::invalidInput, keyFile.string() + ": this key does not belong to the certificate " +
                                             certificateFile.string());
  }
  return {};
}

}  // namespace liaison::net
