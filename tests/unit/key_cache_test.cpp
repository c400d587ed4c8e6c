// The tests' key cache: keys of one process stay distinct, and the next process reuses them.
#include <gtest/gtest.h>
#include <openssl/err.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <unistd.h>

#include "lab/key_cache.hpp"
#include "lab/pki.hpp"

using namespace mratls;
namespace fs = std::filesystem;

namespace {
// A folder no other test (nor a repeat of this one) has used: ranks count per folder.
struct Folder {
  static inline int made = 0;
  fs::path path = fs::temp_directory_path() /
                  ("mratls-key-cache-" + std::to_string(::getpid()) + "-" + std::to_string(made++));
  Folder() { fs::create_directories(path); }
  ~Folder() {
    std::error_code ignored;
    fs::remove_all(path, ignored);
  }
};
ossl::PKeyPtr p256() { return ossl::PKeyPtr(EVP_EC_gen("P-256")); }
bool any_key(EVP_PKEY*) { return true; }
}  // namespace

TEST(KeyCache, TwoKeysOfOneProcessDifferAndBothAreKept) {
  Folder folder;
  std::atomic<int> made = 0;
  auto make = [&] {
    ++made;
    return p256();
  };
  auto first = lab::cached_key(folder.path, "distinct", any_key, make);
  auto second = lab::cached_key(folder.path, "distinct", any_key, make);
  ASSERT_TRUE(first && second);
  EXPECT_EQ(made, 2);
  EXPECT_NE(EVP_PKEY_eq(first.get(), second.get()), 1);
  ASSERT_TRUE(fs::exists(folder.path / "distinct-0.pem"));
  ASSERT_TRUE(fs::exists(folder.path / "distinct-1.pem"));
  std::ifstream kept(folder.path / "distinct-1.pem");
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(kept), {}), ossl::to_pem(second.get()));
}

TEST(KeyCache, AKeptKeyOfTheSameRankIsReusedInsteadOfMade) {
  Folder folder;
  auto earlier = p256();  // what an earlier process left as its first "reused" key
  std::ofstream(folder.path / "reused-0.pem") << ossl::to_pem(earlier.get());
  int made = 0;
  auto key = lab::cached_key(folder.path, "reused", any_key, [&] {
    ++made;
    return p256();
  });
  ASSERT_TRUE(key);
  EXPECT_EQ(made, 0);
  EXPECT_EQ(EVP_PKEY_eq(key.get(), earlier.get()), 1);
}

TEST(KeyCache, ADamagedOrUnwritableCacheOnlyCostsTheTimeToMakeTheKey) {
  Folder folder;
  std::ofstream(folder.path / "damaged-0.pem") << "-----BEGIN PRIVATE KEY-----\nnot base64\n-----END PRIVATE KEY-----\n";
  int made = 0;
  auto make = [&] {
    ++made;
    return p256();
  };
  EXPECT_TRUE(lab::cached_key(folder.path, "damaged", any_key, make));
  EXPECT_EQ(made, 1);
  EXPECT_EQ(ERR_peek_error(), 0UL) << "a damaged file leaves no error on the queue";
  // A folder under a regular file can never be made.
  std::ofstream(folder.path / "file") << "x";
  EXPECT_TRUE(lab::cached_key(folder.path / "file" / "below", "unwritable", any_key, make));
  EXPECT_EQ(made, 2);
  // A key that cannot take its name (a folder holds it) leaves no partial file behind.
  fs::create_directories(folder.path / "taken-0.pem" / "inside");
  EXPECT_TRUE(lab::cached_key(folder.path, "taken", any_key, make));
  EXPECT_EQ(made, 3);
  for (const auto& entry : fs::directory_iterator(folder.path))
    EXPECT_EQ(entry.path().filename().string().find(".part-"), std::string::npos) << "left behind: " << entry.path();
}

TEST(KeyCache, AKeptKeyOfAnotherKindIsNotTakenForTheOneAskedFor) {
  Folder folder;
  auto small = ossl::PKeyPtr(EVP_RSA_gen(1024));
  std::ofstream(folder.path / "rsa2048-0.pem") << ossl::to_pem(small.get());
  const auto is_2048 = [](EVP_PKEY* key) { return EVP_PKEY_get_bits(key) == 2048; };
  int made = 0;
  auto key = lab::cached_key(folder.path, "rsa2048", is_2048, [&] {
    ++made;
    return ossl::PKeyPtr(EVP_RSA_gen(2048));
  });
  ASSERT_TRUE(key);
  EXPECT_EQ(made, 1);
  EXPECT_EQ(EVP_PKEY_get_bits(key.get()), 2048);
}

TEST(KeyCache, TheFolderIsTheProgramsBelowTheEnvironmentsAndNoneWhenUnsetOrEmpty) {
  const char* before = std::getenv("MRATLS_KEY_CACHE");
  const std::string saved = before ? before : "";
  ::setenv("MRATLS_KEY_CACHE", "/tmp/somewhere", 1);
  EXPECT_EQ(lab::key_cache_folder(), fs::path("/tmp/somewhere") / "mratls_unit_tests");
  ::setenv("MRATLS_KEY_CACHE", "", 1);
  EXPECT_FALSE(lab::key_cache_folder());
  ::unsetenv("MRATLS_KEY_CACHE");
  EXPECT_FALSE(lab::key_cache_folder());
  if (before) ::setenv("MRATLS_KEY_CACHE", saved.c_str(), 1);
}
