// Writing reports to disk (DESIGN.md §6: atomically). A CI job or `gauntlet report diff` may read
// a report while a run rewrites it, and a run may be killed while writing: through a temporary file
// in the same directory (same filesystem, so the rename is atomic), fsync before the rename (or a
// crash could leave the new name pointing at an empty file), readers see the old report or the new
// one, never half of one.
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <exception>
#include <filesystem>
#include <system_error>

#include "gauntlet/reports/report.hpp"

namespace gauntlet::reports {

namespace {

namespace fs = std::filesystem;

std::string errno_text() {
  return std::generic_category().message(errno);
}

// Writes all of `content`, resuming after short writes and signals.
bool write_fully(int fd, std::string_view content) {
  while (!content.empty()) {
    const ssize_t n = ::write(fd, content.data(), content.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    content.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

// Makes the rename itself durable. Best effort: some filesystems refuse fsync on a directory, and
// the report is complete and in place either way.
void sync_directory(const fs::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  (void)::fsync(fd);
  (void)::close(fd);
}

}  // namespace

std::optional<std::string> write_atomically(const std::string& path, std::string_view content) {
  const fs::path target(path);
  if (!target.has_filename()) return fmt::format("cannot write {}: not a file name", path);
  const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
  // A dot file, so that directory listings and globs like *.json skip a leftover after a crash.
  std::string temp = (dir / ("." + target.filename().string() + ".tmp-XXXXXX")).string();

  // O_CLOEXEC: a broker the fuzzer spawns meanwhile must not inherit the descriptor.
  const int fd = ::mkostemp(temp.data(), O_CLOEXEC);
  if (fd < 0) {
    return fmt::format("cannot write {}: cannot create a temporary file in {}: {}", path,
                       dir.string(), errno_text());
  }
  auto fail = [&](std::string_view step) {
    std::string message = fmt::format("cannot write {}: {}: {}", path, step, errno_text());
    (void)::close(fd);  // errno is already in the message: the first failure is the one to report
    (void)::unlink(temp.c_str());
    return message;
  };
  if (!write_fully(fd, content)) return fail("write");
  // mkostemp creates the file 0600; a report is meant to be read by others (CI, web servers).
  if (::fchmod(fd, S_IRUSR | S_IWUSR | S_IRGRP | S_IROTH) != 0) return fail("chmod");
  if (::fsync(fd) != 0) return fail("fsync");
  if (::close(fd) != 0) {
    std::string message = fmt::format("cannot write {}: close: {}", path, errno_text());
    (void)::unlink(temp.c_str());
    return message;
  }
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    std::string message = fmt::format("cannot write {}: rename: {}", path, errno_text());
    (void)::unlink(temp.c_str());
    return message;
  }
  sync_directory(dir);
  return std::nullopt;
}

std::optional<std::string> write_all(const std::string& dir, const Report& report) {
  const fs::path root = dir.empty() ? fs::path(".") : fs::path(dir);
  std::error_code ec;
  fs::create_directories(root, ec);
  if (ec) return fmt::format("cannot create the report directory {}: {}", dir, ec.message());

  using Render = std::string (*)(const Report&);
  const std::array<std::pair<const char*, Render>, 4> files{{
      {"report.json", to_json_text},
      {"junit.xml", to_junit_xml},
      {"summary.md", to_markdown},
      {"report.html", to_html},
  }};
  // One file failing does not stop the others: an interrupted run wants whatever can be written.
  std::string errors;
  for (const auto& [name, render] : files) {
    const std::string path = (root / name).string();
    std::optional<std::string> error;
    try {
      error = write_atomically(path, render(report));
    } catch (const std::exception& e) {
      error = fmt::format("cannot write {}: {}", path, e.what());
    }
    if (error) errors += (errors.empty() ? "" : "; ") + *error;
  }
  if (errors.empty()) return std::nullopt;
  return errors;
}

}  // namespace gauntlet::reports
