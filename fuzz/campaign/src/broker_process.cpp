#include "gauntlet/fuzzer/broker_process.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>
#include <vector>

namespace gauntlet::fuzzer {

CrashReport parse_crash_report(const std::string& log) {
  CrashReport out;
  // The first sanitizer report: AddressSanitizer, LeakSanitizer, ThreadSanitizer, MemorySanitizer
  // write "==PID==ERROR: NAME: what"; UndefinedBehaviorSanitizer writes "file:line:col: runtime
  // error: what".
  static const std::regex error_line(R"(==\d+==ERROR: (\w+Sanitizer: [A-Za-z0-9_-]+))");
  static const std::regex ubsan_line(R"(runtime error: ([^\n]{0,80}))");
  static const std::regex frame_line(
      R"(^\s*#(\d+) 0x[0-9a-fA-F]+ in (.+?)(?: [^ ]+:\d+(?::\d+)?)?\s*$)");
  std::smatch match;
  std::size_t begin = std::string::npos;
  if (std::regex_search(log, match, error_line)) {
    out.error = match[1];
    begin = static_cast<std::size_t>(match.position(0));
  } else if (std::regex_search(log, match, ubsan_line)) {
    out.error = "UndefinedBehaviorSanitizer: " + std::string(match[1]);
    begin = log.rfind('\n', static_cast<std::size_t>(match.position(0)));
    begin = begin == std::string::npos ? 0 : begin + 1;
  }
  if (begin == std::string::npos) return out;
  std::size_t end = log.find("SUMMARY:", begin);
  end = end == std::string::npos ? log.size() : log.find('\n', end);
  if (end == std::string::npos) end = log.size();
  out.excerpt = log.substr(begin, std::min<std::size_t>(end - begin, 6000));

  std::istringstream lines(out.excerpt);
  std::string line;
  std::vector<std::string> frames;
  while (std::getline(lines, line) && frames.size() < 3) {
    if (std::regex_match(line, match, frame_line)) {
      if (match[1] == "0" && !frames.empty()) break;  // the next stack (allocation, free)
      frames.push_back(match[2]);
    }
  }
  for (std::size_t i = 0; i < frames.size(); ++i) {
    out.top_frames += (i == 0 ? "" : " | ") + frames[i];
  }
  return out;
}

std::string describe_wait_status(int status) {
  if (WIFEXITED(status)) return "exited with " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) {
    const int sig = WTERMSIG(status);
    const char* name = sigabbrev_np(sig);
    return std::string("killed by ") +
           (name != nullptr ? std::string("SIG") + name : "signal " + std::to_string(sig));
  }
  return "ended (status " + std::to_string(status) + ")";
}

BrokerProcess::BrokerProcess(std::string command, std::string log_dir)
    : command_(std::move(command)), log_dir_(std::move(log_dir)) {}

BrokerProcess::~BrokerProcess() {
  stop(1000);
}

bool BrokerProcess::start(std::string& error) {
  if (pid_ > 0 && running()) {
    error = "the broker is still running";
    return false;
  }
  std::error_code ec;
  std::filesystem::create_directories(log_dir_, ec);
  ++starts_;
  log_path_ = log_dir_ + "/broker-" + std::to_string(starts_) + ".log";
  const int log = open(log_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (log < 0) {
    error = log_path_ + ": cannot be written: " + std::strerror(errno);
    return false;
  }
  const std::string shell_command = "exec " + command_;
  const pid_t child = fork();
  if (child < 0) {
    error = std::string("fork failed: ") + std::strerror(errno);
    close(log);
    return false;
  }
  if (child == 0) {
    // Its own process group, so that stop() reaches whatever the command starts; and it dies
    // with us if we are killed.
    setpgid(0, 0);
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    dup2(log, STDOUT_FILENO);
    dup2(log, STDERR_FILENO);
    const int null = open("/dev/null", O_RDONLY);
    if (null >= 0) dup2(null, STDIN_FILENO);
    execl("/bin/sh", "sh", "-c", shell_command.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  setpgid(child, child);  // also here: no race with the signals of stop()
  close(log);
  pid_ = child;
  exit_status_.reset();
  stopped_ = false;
  return true;
}

bool BrokerProcess::running() {
  if (pid_ <= 0) return false;
  if (exit_status_) return false;
  int status = 0;
  const pid_t waited = waitpid(pid_, &status, WNOHANG);
  if (waited == pid_) {
    exit_status_ = status;
    return false;
  }
  return waited == 0;
}

void BrokerProcess::stop(int grace_ms) {
  if (pid_ <= 0 || stopped_) return;
  stopped_ = true;
  if (running()) {
    kill(pid_, SIGTERM);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(grace_ms);
    while (running() && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    if (running()) {
      kill(-pid_, SIGKILL);  // the process group this class created
      int status = 0;
      if (waitpid(pid_, &status, 0) == pid_) exit_status_ = status;
    }
  }
  // Whatever it started in its group and left behind (a broker behind a proxy, say).
  kill(-pid_, SIGTERM);
}

std::string BrokerProcess::log_text() const {
  std::ifstream in(log_path_, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::optional<std::uint64_t> BrokerProcess::rss_kib() const {
  if (pid_ <= 0 || exit_status_) return std::nullopt;
  std::ifstream status("/proc/" + std::to_string(pid_) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) {
      return std::stoull(line.substr(6));
    }
  }
  return std::nullopt;
}

std::optional<std::uint64_t> BrokerProcess::descriptors() const {
  if (pid_ <= 0 || exit_status_) return std::nullopt;
  const std::string path = "/proc/" + std::to_string(pid_) + "/fd";
  DIR* dir = opendir(path.c_str());
  if (dir == nullptr) return std::nullopt;
  std::uint64_t count = 0;
  while (const dirent* entry = readdir(dir)) {
    if (entry->d_name[0] != '.') ++count;
  }
  closedir(dir);
  return count;
}

}  // namespace gauntlet::fuzzer
