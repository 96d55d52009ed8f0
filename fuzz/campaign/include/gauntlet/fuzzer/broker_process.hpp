// The broker that `gauntlet fuzz --spawn CMD` runs: started through /bin/sh in a process group of
// its own, its standard output and error kept in one log file per start (sanitizer reports land
// there), its exit status collected with waitpid, its RSS and descriptors read from /proc, and
// stopped by its pid (SIGTERM, then SIGKILL to its process group) — never by name.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>

namespace gauntlet::fuzzer {

/// What a sanitizer (AddressSanitizer, UndefinedBehaviorSanitizer, LeakSanitizer, ...) or a
/// crashing broker wrote, reduced to what triage needs.
struct CrashReport {
  std::string excerpt;     ///< from the "==ERROR:" / "runtime error:" line to "SUMMARY" (trimmed)
  std::string error;       ///< "AddressSanitizer: heap-use-after-free", "" when none was found
  std::string top_frames;  ///< the first three frames' functions, " | " between them
};

/// Reads a sanitizer report out of `log` (the text a broker wrote); empty fields when none.
CrashReport parse_crash_report(const std::string& log);

/// "exited with 1", "killed by SIGABRT".
std::string describe_wait_status(int status);

class BrokerProcess {
 public:
  /// `log_dir` receives broker-1.log, broker-2.log, ... (one per start).
  BrokerProcess(std::string command, std::string log_dir);
  ~BrokerProcess();
  BrokerProcess(const BrokerProcess&) = delete;
  BrokerProcess& operator=(const BrokerProcess&) = delete;

  /// Starts the command (an earlier process must have ended). False and `error` on failure.
  bool start(std::string& error);
  /// The process is running (collects its exit status when it has ended).
  bool running();
  /// The exit status once it ended (waitpid's status), nullopt while running.
  [[nodiscard]] std::optional<int> exit_status() const noexcept { return exit_status_; }
  /// SIGTERM, up to `grace_ms` for it to end, then SIGKILL to the whole process group.
  void stop(int grace_ms = 2000);
  /// The log of the current (or last) start, read from the beginning.
  [[nodiscard]] std::string log_text() const;
  [[nodiscard]] const std::string& log_path() const noexcept { return log_path_; }
  [[nodiscard]] pid_t pid() const noexcept { return pid_; }
  [[nodiscard]] std::uint64_t starts() const noexcept { return starts_; }
  [[nodiscard]] const std::string& command() const noexcept { return command_; }

  /// Resident set size in KiB and open descriptors, from /proc; nullopt when not running.
  std::optional<std::uint64_t> rss_kib() const;
  std::optional<std::uint64_t> descriptors() const;

 private:
  std::string command_;
  std::string log_dir_;
  std::string log_path_;
  pid_t pid_ = 0;
  std::optional<int> exit_status_;
  std::uint64_t starts_ = 0;
  bool stopped_ = false;  ///< stop() ran for this start: its process group is not signalled twice
};

}  // namespace gauntlet::fuzzer
