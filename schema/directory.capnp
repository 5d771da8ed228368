# The federation directory: who the members of a federation are, where their nodes answer, which
# keys sign for them and which TLS certificates identify them, each for a stated period. The wire
# form of Directory in schema/directory.h; signed as the body of an envelope of type `directory`
# by a directory key that every node holds as its trust anchor. Conventions are described in
# common.capnp.

@0xec525d3d08ff5443;

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("liaison::wire");

using Common = import "/schema/common.capnp";

# A signing key of a member, trusted only from notBefore to notAfter (both included), so that a
# member's old and new keys can overlap while it rotates.
struct DirectoryKey {
  publicKey @0 :Data;  # exactly 32 bytes: the Ed25519 public key
  notBefore @1 :Int64;  # timestamp
  notAfter @2 :Int64;  # timestamp
}

# A TLS certificate of a member, by its SPKI pin, trusted from notBefore to notAfter.
struct DirectoryPin {
  pin @0 :Text;  # `sha256:` and the base64 of the SHA-256 of the certificate's public key
  notBefore @1 :Int64;  # timestamp
  notAfter @2 :Int64;  # timestamp
}

# One member of the federation.
struct DirectoryMember {
  member @0 :Text;  # member id, e.g. XB-BORDER
  endpoint @1 :Text;  # https://host:port of its node; may be empty
  signingKeys @2 :List(DirectoryKey);
  tlsPins @3 :List(DirectoryPin);
  roles @4 :List(Common.Role);  # the roles its officers may claim
  purposes :union {
    none @5 :Void;  # any purpose the answering node's policy knows
    some @6 :List(Text);  # only these
  }
}

# The body of a signed directory.
struct Directory {
  federation @0 :Text;  # the federation's name, e.g. EU-LIAISON
  serial @1 :UInt64;  # grows with every directory the federation issues
  issuedAt @2 :Int64;  # timestamp
  expiresAt @3 :Int64;  # timestamp after which no node uses it
  members @4 :List(DirectoryMember);
}
