#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <set>

#include "runtime/artifact/extractor.h"
#include "tests/runtime/artifact_test_util.h"

namespace asmplan {
namespace {

namespace fs = std::filesystem;
using testing::BuildArchive;
using testing::File;
using testing::ReadFile;
using testing::Symlink;
using testing::TempDir;
using testing::TestEntry;
using testing::WriteFile;

class ExtractorTest : public ::testing::Test {
 protected:
  bool Extract(const std::vector<TestEntry>& entries, std::string* err, bool zip = false) {
    std::string archive = dir_.path() + (zip ? "/a.zip" : "/a.tar.gz");
    WriteFile(archive, BuildArchive(entries, zip));
    ExtractRequest req;
    req.archive = archive;
    req.display_name = zip ? "a.zip" : "a.tar.gz";
    req.target_dir = target();
    req.marker_text = "marker v1\n";
    return ExtractArchive(req, err);
  }
  std::string target() const { return dir_.path() + "/work/release"; }
  int Mode(const std::string& rel) {
    struct stat st;
    if (::stat((target() + "/" + rel).c_str(), &st) != 0) return -1;
    return st.st_mode & 07777;
  }
  // Entries of the target's parent besides the target: a refused or finished extraction leaves
  // no temporary directory behind.
  std::vector<std::string> Siblings() {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(dir_.path() + "/work")) {
      if (e.path().filename() != "release") names.push_back(e.path().filename().string());
    }
    return names;
  }
  void ExpectRefused(const std::vector<TestEntry>& entries, const std::string& message) {
    std::string err;
    ASSERT_FALSE(Extract(entries, &err));
    EXPECT_EQ(err, message);
    EXPECT_FALSE(fs::exists(target()));
    EXPECT_TRUE(Siblings().empty());
  }

  TempDir dir_;
};

TEST_F(ExtractorTest, ExtractsTheReleaseWithARunnableIstioctl) {
  std::string err;
  ASSERT_TRUE(Extract(testing::ReleaseEntries(), &err)) << err;
  std::string istioctl = target() + "/istio-1.5.10-asm.2/bin/istioctl";
  EXPECT_EQ(Mode("istio-1.5.10-asm.2/bin/istioctl"), 0755);
  EXPECT_EQ(testing::RunAndCapture(istioctl), "istioctl 1.5.10-asm.2\n");
  EXPECT_EQ(ReadFile(target() + "/istio-1.5.10-asm.2/samples/README"), "samples\n");
  EXPECT_EQ(ReadExtractMarker(target()), "marker v1\n");
  EXPECT_TRUE(Siblings().empty());
}

TEST_F(ExtractorTest, ZipKeepsModes) {
  std::string err;
  ASSERT_TRUE(Extract({File("istio/bin/istioctl.exe", "MZ", 0755), File("istio/private", "p", 0640),
                       File("istio/readme", "r", 0644)},
                      &err, /*zip=*/true))
      << err;
  EXPECT_EQ(Mode("istio/bin/istioctl.exe"), 0755);
  EXPECT_EQ(Mode("istio/private"), 0640);
  EXPECT_EQ(Mode("istio/readme"), 0644);
  EXPECT_EQ(ReadFile(target() + "/istio/bin/istioctl.exe"), "MZ");
}

TEST_F(ExtractorTest, DropsSetuidBits) {
  std::string err;
  ASSERT_TRUE(Extract({File("bin/tool", "x", 04755)}, &err)) << err;
  EXPECT_EQ(Mode("bin/tool"), 0755);
}

TEST_F(ExtractorTest, RefusesDotDot) {
  ExpectRefused({File("ok", "1"), File("../evil", "x")},
                "archive a.tar.gz refused: entry \"../evil\" has a `..` component");
  EXPECT_FALSE(fs::exists(dir_.path() + "/work/evil"));
}

TEST_F(ExtractorTest, RefusesDotDotInTheMiddle) {
  ExpectRefused({File("a/../../evil", "x")},
                "archive a.tar.gz refused: entry \"a/../../evil\" has a `..` component");
}

TEST_F(ExtractorTest, RefusesAbsolutePaths) {
  ExpectRefused({File("/tmp/evil", "x")},
                "archive a.tar.gz refused: entry \"/tmp/evil\" has an absolute path");
}

TEST_F(ExtractorTest, RefusesEscapingSymlinks) {
  ExpectRefused({Symlink("istio/link", "../../outside")},
                "archive a.tar.gz refused: entry \"istio/link\" is a symlink leaving the target");
  ExpectRefused({Symlink("etc", "/etc")},
                "archive a.tar.gz refused: entry \"etc\" is a symlink leaving the target");
}

TEST_F(ExtractorTest, RefusesSymlinkChainsLeavingTheTarget) {
  // Each link looks harmless on its own; together "up" resolves to the target's parent.
  ExpectRefused({Symlink("d/l1", ".."), Symlink("up", "d/l1/..")},
                "archive a.tar.gz refused: entry \"up\" is a symlink leaving the target");
}

TEST_F(ExtractorTest, KeepsSymlinksInsideTheTarget) {
  std::string err;
  ASSERT_TRUE(Extract(
      {File("istio/bin/istioctl", "x", 0755), Symlink("istioctl", "istio/bin/istioctl")}, &err))
      << err;
  EXPECT_EQ(fs::read_symlink(target() + "/istioctl"), "istio/bin/istioctl");
}

TEST_F(ExtractorTest, RefusesDeviceFilesAndFifos) {
  TestEntry dev{"dev/null", "", AE_IFCHR, 0666, "", false};
  ExpectRefused({dev},
                "archive a.tar.gz refused: entry \"dev/null\" is a device file, FIFO or socket");
  TestEntry fifo{"pipe", "", AE_IFIFO, 0644, "", false};
  ExpectRefused({fifo},
                "archive a.tar.gz refused: entry \"pipe\" is a device file, FIFO or socket");
}

TEST_F(ExtractorTest, RefusesHardLinksLeavingTheTarget) {
  TestEntry link{"passwd", "", AE_IFREG, 0644, "../../etc/passwd", true};
  ExpectRefused({link},
                "archive a.tar.gz refused: entry \"passwd\" is a hard link leaving the target");
}

TEST_F(ExtractorTest, RefusesHardLinksThroughSymlinks) {
  TestEntry link{"h", "", AE_IFREG, 0644, "d/l1/x", true};
  ExpectRefused({File("x", "1"), Symlink("d/l1", ".."), link},
                "archive a.tar.gz refused: entry \"h\" is a hard link leaving the target");
}

TEST_F(ExtractorTest, KeepsHardLinksInsideTheTarget) {
  TestEntry link{"b", "", AE_IFREG, 0644, "a", true};
  std::string err;
  ASSERT_TRUE(Extract({File("a", "same"), link}, &err)) << err;
  EXPECT_EQ(ReadFile(target() + "/b"), "same");
}

TEST_F(ExtractorTest, ReplacesAnOldExtractionWhole) {
  std::string err;
  ASSERT_TRUE(Extract({File("old-only", "1"), File("common", "old")}, &err)) << err;
  ASSERT_TRUE(Extract({File("common", "new")}, &err)) << err;
  EXPECT_FALSE(fs::exists(target() + "/old-only"));
  EXPECT_EQ(ReadFile(target() + "/common"), "new");
  EXPECT_TRUE(Siblings().empty());
}

TEST_F(ExtractorTest, RefusedArchiveLeavesTheOldExtractionAlone) {
  std::string err;
  ASSERT_TRUE(Extract({File("common", "old")}, &err)) << err;
  ASSERT_FALSE(Extract({File("common", "new"), File("../evil", "x")}, &err));
  EXPECT_EQ(ReadFile(target() + "/common"), "old");
  EXPECT_EQ(ReadExtractMarker(target()), "marker v1\n");
  EXPECT_TRUE(Siblings().empty());
}

TEST_F(ExtractorTest, RemovesLeftoversOfAKilledExtraction) {
  fs::create_directories(dir_.path() + "/work/.release.tmp-abc123/half");
  std::string err;
  ASSERT_TRUE(Extract({File("a", "1")}, &err)) << err;
  EXPECT_TRUE(Siblings().empty());
}

// Every file and directory of the new tree is fsynced before the swap, so a fetch journaled as
// done cannot leave an empty bin/istioctl after a power loss.
TEST_F(ExtractorTest, EveryFileAndDirectoryIsSyncedBeforeTheSwap) {
  std::string archive = dir_.path() + "/a.tar.gz";
  WriteFile(archive, BuildArchive(testing::ReleaseEntries()));
  ExtractRequest req;
  req.archive = archive;
  req.display_name = "a.tar.gz";
  req.target_dir = target();
  req.marker_text = "m";
  std::set<std::string> synced;  // relative to the temporary tree
  bool target_seen = false;
  const std::string work = fs::canonical(dir_.path()).string() + "/work/";  // as /proc shows it
  req.fsync_for_test = [&](int fd) {
    std::string path = fs::read_symlink("/proc/self/fd/" + std::to_string(fd)).string();
    std::string tree = path.substr(0, path.find('/', work.size()));
    synced.insert(path.size() > tree.size() ? path.substr(tree.size() + 1) : ".");
    target_seen = target_seen || fs::exists(target());
    return ::fsync(fd);
  };
  std::string err;
  ASSERT_TRUE(ExtractArchive(req, &err)) << err;
  EXPECT_FALSE(target_seen);  // all of it before the swap
  for (const char* rel :
       {"istio-1.5.10-asm.2/bin/istioctl", "istio-1.5.10-asm.2/samples/README", ".asmplan-artifact",
        "istio-1.5.10-asm.2/bin", "istio-1.5.10-asm.2", "."}) {
    EXPECT_TRUE(synced.count(rel)) << rel;
  }
}

// A tree that cannot be made durable is not swapped in: the old one stays, nothing is left beside.
TEST_F(ExtractorTest, ATreeThatCannotBeSyncedIsNotSwappedIn) {
  std::string err;
  ASSERT_TRUE(Extract({File("old", "1")}, &err)) << err;
  std::string archive = dir_.path() + "/b.tar.gz";
  WriteFile(archive, BuildArchive({File("new", "2")}));
  ExtractRequest req;
  req.archive = archive;
  req.display_name = "b.tar.gz";
  req.target_dir = target();
  req.marker_text = "marker v2\n";
  req.fsync_for_test = [](int) { return errno = EIO, -1; };
  ASSERT_FALSE(ExtractArchive(req, &err));
  EXPECT_EQ(err.rfind("archive b.tar.gz refused: cannot be made durable: ", 0), 0u) << err;
  EXPECT_NE(err.find("Input/output error"), std::string::npos) << err;
  EXPECT_EQ(ReadFile(target() + "/old"), "1");
  EXPECT_EQ(ReadExtractMarker(target()), "marker v1\n");
  EXPECT_TRUE(Siblings().empty());
}

TEST_F(ExtractorTest, DamagedArchiveIsRefused) {
  std::string archive = dir_.path() + "/a.tar.gz";
  std::string bytes = BuildArchive(testing::ReleaseEntries());
  WriteFile(archive, bytes.substr(0, bytes.size() / 2));
  ExtractRequest req{archive, "a.tar.gz", target(), "m"};
  std::string err;
  ASSERT_FALSE(ExtractArchive(req, &err));
  EXPECT_EQ(err.rfind("archive a.tar.gz refused: ", 0), 0u) << err;
  EXPECT_FALSE(fs::exists(target()));
}

TEST_F(ExtractorTest, NoMarkerWhenNothingWasExtracted) {
  EXPECT_EQ(ReadExtractMarker(target()), "");
}

}  // namespace
}  // namespace asmplan
