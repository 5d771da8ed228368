// The exit status of every `liaison` command, in one place so that scripts can rely on them.
#pragma once

namespace liaison::cli {

/// Done: answered, verified, included, valid, permitted.
inline constexpr int kExitOk = 0;
/// Failed, or found a problem: an error, an invalid file, a refused read, a policy that refuses
/// (`policy explain`), a log that does not verify, a receipt not included.
inline constexpr int kExitFailure = 1;
/// The command line is wrong (unknown command or option, missing or bad value); nothing was done.
inline constexpr int kExitUsage = 2;
/// `query`: the node refused the request (its answer says why).
inline constexpr int kExitRefused = 3;
/// `audit prove`: the receipt's entry is not yet under a signed tree head; ask again later.
inline constexpr int kExitNotYet = 3;
/// `query`: the node found the request invalid.
inline constexpr int kExitInvalid = 4;
/// `query`, `audit`: the node's audit log contradicts a tree head it signed before (a fork); the
/// evidence is kept in the state folder.
inline constexpr int kExitFork = 5;

}  // namespace liaison::cli
