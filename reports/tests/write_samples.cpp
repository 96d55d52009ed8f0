// Writes every sample report into DIR/<sample>/ through write_all, for the schema and xmllint
// tests (reports/tests/CMakeLists.txt). Usage: gauntlet_reports_samples DIR
#include <cstdio>
#include <filesystem>
#include <system_error>

#include "gauntlet/reports/report.hpp"
#include "samples.hpp"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fputs("usage: gauntlet_reports_samples DIR\n", stderr);
    return 2;
  }
  const std::filesystem::path dir(argv[1]);
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);  // no sample of an older build may linger and pass
  for (const auto& [name, report] : gauntlet::reports::samples::all()) {
    if (const auto error = gauntlet::reports::write_all((dir / name).string(), report)) {
      std::fprintf(stderr, "%s\n", error->c_str());
      return 1;
    }
  }
  std::printf("wrote %zu sample reports to %s\n", gauntlet::reports::samples::all().size(),
              dir.c_str());
  return 0;
}
