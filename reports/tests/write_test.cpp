// write_atomically and write_all: the file appears whole or not at all, no temporary file stays
// behind, and errors name the path.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "gauntlet/reports/report.hpp"
#include "samples.hpp"
#include "test_support.hpp"

namespace gauntlet::reports {
namespace {

namespace fs = std::filesystem;
using testing::read_file;
using testing::TempDir;

std::vector<std::string> listing(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir)) {
    names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

TEST(ReportWrite, WritesAndReplacesLeavingNoTemporaryFile) {
  const TempDir dir;
  const std::string path = dir / "report.json";
  ASSERT_EQ(write_atomically(path, "first"), std::nullopt);
  EXPECT_EQ(read_file(path), "first");
  ASSERT_EQ(write_atomically(path, "second, longer than the first"), std::nullopt);
  EXPECT_EQ(read_file(path), "second, longer than the first");
  ASSERT_EQ(write_atomically(path, ""), std::nullopt);
  EXPECT_EQ(read_file(path), "");
  EXPECT_EQ(listing(dir.path()), std::vector<std::string>{"report.json"});
}

TEST(ReportWrite, FileIsReadableByOthers) {
  const TempDir dir;
  const std::string path = dir / "summary.md";
  ASSERT_EQ(write_atomically(path, "x"), std::nullopt);
  struct stat info {};
  ASSERT_EQ(::stat(path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777U, 0644U);
}

TEST(ReportWrite, RelativePathWritesInTheCurrentDirectory) {
  const TempDir dir;
  const fs::path before = fs::current_path();
  fs::current_path(dir.path());
  const auto error = write_atomically("plain.txt", "here");
  fs::current_path(before);
  ASSERT_EQ(error, std::nullopt);
  EXPECT_EQ(read_file(dir / "plain.txt"), "here");
}

TEST(ReportWrite, ErrorNamesThePathOfAMissingOrBlockedDirectory) {
  const TempDir dir;
  const std::string missing = dir / "no/such/dir/report.json";
  const auto error = write_atomically(missing, "x");
  ASSERT_TRUE(error);
  EXPECT_NE(error->find(missing), std::string::npos) << *error;

  testing::write_file(dir / "a-file", "");
  const std::string under_file = dir / "a-file/report.json";
  const auto blocked = write_atomically(under_file, "x");
  ASSERT_TRUE(blocked);
  EXPECT_NE(blocked->find(under_file), std::string::npos) << *blocked;
  EXPECT_NE(blocked->find("Not a directory"), std::string::npos) << *blocked;
}

TEST(ReportWrite, ErrorNamesThePathOfAnUnwritableDirectory) {
  if (::geteuid() == 0) GTEST_SKIP() << "root writes into read-only directories";
  const TempDir dir;
  const fs::path locked = dir.path() / "locked";
  fs::create_directory(locked);
  fs::permissions(locked, fs::perms::owner_read | fs::perms::owner_exec);
  const std::string path = (locked / "report.json").string();
  const auto error = write_atomically(path, "x");
  fs::permissions(locked, fs::perms::owner_all);
  ASSERT_TRUE(error);
  EXPECT_NE(error->find(path), std::string::npos) << *error;
  EXPECT_NE(error->find("Permission denied"), std::string::npos) << *error;
}

TEST(ReportWrite, FailedRenameRemovesTheTemporaryFile) {
  const TempDir dir;
  fs::create_directory(dir.path() / "report.json");  // a directory where the file should go
  const auto error = write_atomically(dir / "report.json", "x");
  ASSERT_TRUE(error);
  EXPECT_NE(error->find("rename"), std::string::npos) << *error;
  EXPECT_EQ(listing(dir.path()), std::vector<std::string>{"report.json"});
}

TEST(ReportWrite, WriteAllCreatesTheDirectoryAndTheFourFiles) {
  const TempDir dir;
  const std::string out = dir / "nested/reports";
  ASSERT_EQ(write_all(out, samples::failing()), std::nullopt);
  EXPECT_EQ(listing(out),
            (std::vector<std::string>{"junit.xml", "report.html", "report.json", "summary.md"}));
  std::string error;
  const auto back = from_json(Json::parse(read_file(out + "/report.json")), error);
  ASSERT_TRUE(back) << error;
  EXPECT_EQ(*back, samples::failing());
  EXPECT_EQ(read_file(out + "/junit.xml"), to_junit_xml(samples::failing()));
  EXPECT_EQ(read_file(out + "/summary.md"), to_markdown(samples::failing()));
  EXPECT_EQ(read_file(out + "/report.html"), to_html(samples::failing()));

  // Again over the same directory: replaced, nothing left over.
  ASSERT_EQ(write_all(out, samples::incomplete()), std::nullopt);
  EXPECT_EQ(listing(out).size(), 4U);
  EXPECT_EQ(Json::parse(read_file(out + "/report.json"))["complete"], false);
}

TEST(ReportRead, ReadsBackWhatWriteAllWrote) {
  const TempDir dir;
  ASSERT_EQ(write_all(dir.path().string(), samples::conformance()), std::nullopt);
  std::string error;
  const auto back = read_report_file(dir / "report.json", error);
  ASSERT_TRUE(back) << error;
  EXPECT_EQ(*back, samples::conformance());
}

TEST(ReportRead, ErrorsNameTheFileAndWhatIsWrong) {
  const TempDir dir;
  std::string error;
  EXPECT_FALSE(read_report_file(dir / "absent.json", error));
  EXPECT_EQ(error, (dir / "absent.json") + ": cannot be read");
  ASSERT_EQ(write_atomically(dir / "text.json", "not json"), std::nullopt);
  EXPECT_FALSE(read_report_file(dir / "text.json", error));
  EXPECT_EQ(error, (dir / "text.json") + ": not JSON");
  ASSERT_EQ(write_atomically(dir / "other.json", R"({"schema": "x"})"), std::nullopt);
  EXPECT_FALSE(read_report_file(dir / "other.json", error));
  EXPECT_NE(error.find("other.json: not a gauntlet report: "), std::string::npos) << error;
}

TEST(ReportWrite, WriteAllNamesTheDirectoryItCannotCreate) {
  const TempDir dir;
  testing::write_file(dir / "taken", "");
  const std::string out = dir / "taken/reports";
  const auto error = write_all(out, samples::passing());
  ASSERT_TRUE(error);
  EXPECT_NE(error->find(out), std::string::npos) << *error;
}

TEST(ReportWrite, WriteAllNamesEachFileItCannotWrite) {
  const TempDir dir;
  fs::create_directories(dir.path() / "junit.xml");  // blocks one file; the others still appear
  const auto error = write_all(dir.path().string(), samples::passing());
  ASSERT_TRUE(error);
  EXPECT_NE(error->find(dir / "junit.xml"), std::string::npos) << *error;
  EXPECT_TRUE(fs::is_regular_file(dir.path() / "report.json"));
  EXPECT_TRUE(fs::is_regular_file(dir.path() / "summary.md"));
  EXPECT_TRUE(fs::is_regular_file(dir.path() / "report.html"));
}

}  // namespace
}  // namespace gauntlet::reports
