// `liaison directory sign|verify|show`: the federation directory's tools. `sign` turns the source an
// operator writes (node/cli/directory_source.h) into the signed directory every node reads,
// `verify` checks a signed one as a node would, and `show` prints what one says.
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <system_error>

#include "crypto/digest.h"
#include "crypto/keys.h"
#include "crypto/secure_file.h"
#include "node/cli/commands.h"
#include "node/cli/directory_source.h"
#include "node/cli/exit_codes.h"
#include "node/client/directory.h"

namespace liaison::cli {
namespace {

using Json = nlohmann::ordered_json;

/// The longest --valid-days: client::kMaxDirectoryValidity.
constexpr unsigned long kMaxValidDays = 366;
constexpr unsigned long kDefaultValidDays = 30;

Timestamp now() { return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()); }

std::string memberCount(size_t count) { return std::to_string(count) + (count == 1 ? " member" : " members"); }

std::string period(Timestamp from, Timestamp to) { return formatTimestamp(from) + " .. " + formatTimestamp(to); }

// Replaces `out` in one step (write beside it, then rename), so that a node watching the file never
// reads half of it.
Status replaceFile(const std::filesystem::path& out, const std::vector<uint8_t>& bytes) {
  const std::filesystem::path temporary = out.string() + "." + std::to_string(::getpid()) + ".tmp";
  const std::span<const char> content(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  if (Status written = crypto::writeNewFile(temporary, content, 0644, "remove the leftover file"); !written) {
    return written;
  }
  std::error_code error;
  std::filesystem::rename(temporary, out, error);
  if (error) {
    std::filesystem::remove(temporary, error);
    return fail(ErrorKind::unavailable, out.string() + ": cannot replace it: " + error.message());
  }
  return crypto::syncParentDirectory(out);
}

int sign(const Arguments& args, const CommandContext& context) {
  const std::filesystem::path in = args.require("in");
  const std::filesystem::path out = args.require("out");
  const unsigned long days = args.number("valid-days", kDefaultValidDays, kMaxValidDays);
  if (days == 0) throw UsageError{"--valid-days must be at least 1"};
  auto key = crypto::loadSecretKey(args.require("key"));
  if (!key) {
    context.err << "liaison: " << key.error().message << "\n";
    return kExitFailure;
  }
  const Timestamp issuedAt = now();
  auto directory = readDirectorySource(in, issuedAt, issuedAt + std::chrono::days(days));
  if (!directory) {
    context.err << directory.error().message << "\n" << in.string() << ": nothing was signed\n";
    return kExitFailure;
  }
  // The directory key is the federation's trust anchor, never a member's signing key as well.
  const crypto::PublicKey directoryKey = key->publicKey();
  for (const DirectoryMember& member : directory->members) {
    for (const DirectoryKey& listed : member.signingKeys) {
      if (listed.publicKey == directoryKey.bytes()) {
        context.err << in.string() << ": member " << member.member << " lists the directory key " << directoryKey.id().hex()
                    << " as its signing key; a directory key signs directories only\n";
        return kExitFailure;
      }
    }
  }
  auto signedBytes = client::signDirectory(*directory, *key);
  if (!signedBytes) {
    context.err << in.string() << ": " << signedBytes.error().message << "\n" << in.string() << ": nothing was signed\n";
    return kExitFailure;
  }
  if (Status written = replaceFile(out, *signedBytes); !written) {
    context.err << "liaison: " << written.error().message << "\n";
    return kExitFailure;
  }
  context.out << "signed directory serial " << directory->serial << " of federation " << directory->federation << ": "
              << memberCount(directory->members.size()) << ", valid " << period(directory->issuedAt, directory->expiresAt)
              << " (" << days << " days)\n"
              << "wrote " << out.string() << " (" << signedBytes->size() << " bytes), signed by key "
              << directoryKey.id().hex() << "\n";
  return kExitOk;
}

std::vector<std::filesystem::path> anchorFiles(const Arguments& args) {
  std::vector<std::filesystem::path> files;
  for (const std::string& file : splitCommaList(args.require("anchor"))) files.emplace_back(file);
  return files;
}

int verify(const Arguments& args, const CommandContext& context) {
  const std::filesystem::path file = args.positional("FILE");
  Timestamp at = now();
  if (auto text = args.option("at")) {
    auto parsed = parseTimestamp(*text);
    if (!parsed) throw UsageError{"--at must be a UTC time like 2026-01-31T00:00:00Z"};
    at = *parsed;
  }
  auto anchors = client::loadDirectoryAnchors(anchorFiles(args));
  if (!anchors) {
    context.err << "liaison: " << anchors.error().message << "\n";
    return kExitFailure;
  }
  auto refused = [&](const client::DirectoryRefusal& refusal) {
    context.err << file.string() << ": refused (" << client::name(refusal.problem) << "): " << refusal.message << "\n";
    return kExitFailure;
  };
  auto bytes = client::readSignedDirectoryFile(file);
  if (auto* refusal = std::get_if<client::DirectoryRefusal>(&bytes)) return refused(*refusal);
  auto opened = client::openDirectory(std::get<std::vector<uint8_t>>(bytes), *anchors, at);
  if (auto* refusal = std::get_if<client::DirectoryRefusal>(&opened)) return refused(*refusal);
  const client::TrustedDirectory& trusted = std::get<client::TrustedDirectory>(opened);
  const crypto::TrustedKey* anchor = anchors->find(trusted.signer().id());
  context.out << file.string() << ": valid directory serial " << trusted->serial << " of federation "
              << trusted->federation << ", " << memberCount(trusted->members.size()) << "\n"
              << "signed by anchor " << trusted.signer().id().hex() << " (" << (anchor ? anchor->owner : "") << ")\n"
              << "valid " << period(trusted->issuedAt, trusted->expiresAt) << ", expires in "
              << client::roughDuration(trusted->expiresAt - at) << "\n";
  return kExitOk;
}

std::string keyIdOf(const DirectoryKey& key) {
  auto publicKey = crypto::PublicKey::fromBytes(key.publicKey);
  return publicKey ? publicKey->id().hex() : "(not a valid key)";
}

Json showJson(const client::UnverifiedDirectory& shown) {
  const Directory& d = shown.directory;
  Json members = Json::array();
  for (const DirectoryMember& member : d.members) {
    Json roles = Json::array();
    for (Role role : member.roles) roles.push_back(std::string(name(role)));
    Json keys = Json::array();
    for (const DirectoryKey& key : member.signingKeys) {
      keys.push_back({{"key_id", keyIdOf(key)},
                      {"public_key", crypto::base64(key.publicKey)},
                      {"not_before", formatTimestamp(key.notBefore)},
                      {"not_after", formatTimestamp(key.notAfter)}});
    }
    Json pins = Json::array();
    for (const DirectoryPin& pin : member.tlsPins) {
      pins.push_back({{"pin", pin.pin}, {"not_before", formatTimestamp(pin.notBefore)}, {"not_after", formatTimestamp(pin.notAfter)}});
    }
    members.push_back({{"member", member.member},
                       {"endpoint", member.endpoint},
                       {"roles", roles},
                       {"purposes", member.purposes ? Json(*member.purposes) : Json()},
                       {"signing_keys", keys},
                       {"tls_pins", pins}});
  }
  return {{"federation", d.federation},
          {"serial", d.serial},
          {"issued_at", formatTimestamp(d.issuedAt)},
          {"expires_at", formatTimestamp(d.expiresAt)},
          {"signed_by", shown.signer.hex()},
          {"verified", false},
          {"members", members}};
}

void showText(const client::UnverifiedDirectory& shown, const std::filesystem::path& file, std::ostream& out) {
  const Directory& d = shown.directory;
  out << "directory serial " << d.serial << " of federation " << d.federation << "\n"
      << "signed by key " << shown.signer.hex() << " (not verified: liaison directory verify " << file.string()
      << " --anchor KEY.pub)\n"
      << "valid " << period(d.issuedAt, d.expiresAt) << "\n"
      << memberCount(d.members.size()) << "\n";
  for (const DirectoryMember& member : d.members) {
    std::string roles;
    for (Role role : member.roles) roles += (roles.empty() ? "" : ", ") + std::string(name(role));
    std::string purposes;
    if (member.purposes) {
      for (const std::string& p : *member.purposes) purposes += (purposes.empty() ? "" : ", ") + p;
    } else {
      purposes = "any the answering node's policy knows";
    }
    out << "member " << member.member << "\n"
        << "  endpoint     " << (member.endpoint.empty() ? "(none)" : member.endpoint) << "\n"
        << "  roles        " << roles << "\n"
        << "  purposes     " << purposes << "\n";
    for (const DirectoryKey& key : member.signingKeys) {
      out << "  signing key  " << keyIdOf(key) << "  " << period(key.notBefore, key.notAfter) << "\n";
    }
    for (const DirectoryPin& pin : member.tlsPins) {
      out << "  TLS pin      " << pin.pin << "  " << period(pin.notBefore, pin.notAfter) << "\n";
    }
  }
}

int show(const Arguments& args, const CommandContext& context) {
  const std::filesystem::path file = args.positional("FILE");
  auto bytes = client::readSignedDirectoryFile(file);
  if (auto* refusal = std::get_if<client::DirectoryRefusal>(&bytes)) {
    context.err << file.string() << ": " << refusal->message << "\n";
    return kExitFailure;
  }
  auto shown = client::decodeSignedDirectory(std::get<std::vector<uint8_t>>(bytes));
  if (!shown) {
    context.err << file.string() << ": not a signed directory: " << shown.error().message << "\n";
    return kExitFailure;
  }
  if (args.flag("json")) {
    context.out << showJson(*shown).dump(2) << "\n";
  } else {
    showText(*shown, file, context.out);
  }
  return kExitOk;
}

}  // namespace

Command directoryCommand() {
  return Command{
      .name = "directory",
      .summary = "sign, verify or show a federation directory (members, endpoints, keys, TLS pins, validity)",
      .subcommands =
          {
              Command{
                  .name = "sign",
                  .summary = "sign a directory source file with the directory key",
                  .details = "The source is TOML (examples/directory/directory.toml): federation, serial, and one "
                             "[[member]] per member with [[member.key]] and [[member.tls]] tables. The directory is "
                             "issued now and expires after --valid-days (default 30, at most 366); a key or pin "
                             "without not_before/not_after takes the directory's period. OUT is replaced in one step "
                             "(mode 0644), so a node watching it never reads half a file. Make the directory key with "
                             "`liaison keygen`; its .key file must be mode 0600.\n"
                             "exit status: 0 signed, 1 refused (every problem named) or failed, 2 usage error\n",
                  .options =
                      {
                          {"in", "DIRECTORY.toml", "the directory source", true},
                          {"key", "DIRECTORY.key", "the directory key (from `liaison keygen`)", true},
                          {"out", "DIRECTORY.signed", "where to write the signed directory", true},
                          {"valid-days", "N", "how long it is valid from now, in days (default 30, at most 366)"},
                      },
                  .run = sign,
                  .loadsSecretKeys = true,
              },
              Command{
                  .name = "verify",
                  .summary = "check a signed directory as a node would: signature, rules, validity",
                  .details = "Prints the serial, the anchor that signed it and when it expires. A refusal names its "
                             "kind: unreadable, malformed, unknown-key (not signed by any --anchor), bad-signature, "
                             "invalid (signed but breaks a rule), not-yet-valid or expired.\n"
                             "exit status: 0 valid, 1 refused, 2 usage error\n",
                  .positionals = {{"FILE", "the signed directory"}},
                  .options =
                      {
                          {"anchor", "KEY.pub[,KEY.pub]", "the directory keys trusted to sign it", true},
                          {"at", "TIME", "check validity at this UTC time (2026-01-31T00:00:00Z) instead of now"},
                      },
                  .run = verify,
              },
              Command{
                  .name = "show",
                  .summary = "print what a signed directory lists, without verifying it",
                  .details = "Use `liaison directory verify` to check its signature and validity.\n"
                             "exit status: 0 shown, 1 not a signed directory, 2 usage error\n",
                  .positionals = {{"FILE", "the signed directory"}},
                  .options = {{"json", "", "print JSON instead of text"}},
                  .run = show,
              },
          },
  };
}

}  // namespace liaison::cli
