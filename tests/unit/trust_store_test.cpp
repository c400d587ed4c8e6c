// The trust store is built once and read by every event thread at once.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "lab/pki.hpp"
#include "verify/origin_verification.hpp"
#include "verify/trust_store.hpp"

using namespace mratls;

// OpenSSL fills a certificate's extension cache (key identifiers, flags) the first time a chain
// is built through it. Trust-store certificates are shared, so the first verifications on two
// threads raced on that cache (ThreadSanitizer, `mratls check`: an origin that sends its
// intermediate along); the store fills it on loading. Run under the TSan build to see it.
TEST(TrustStore, ManyThreadsVerifyThroughTheSameAuthorities) {
  auto root = lab::make_ca("mratls Race Root CA");
  auto intermediate = lab::make_ca("mratls Race Intermediate CA", &root);
  lab::CertSpec spec;
  spec.common_name = "cucm.steven.lab";
  spec.dns_sans = {"cucm.steven.lab"};
  auto leaf = lab::issue(spec, &intermediate);

  // Read from PEM like a configured trust store: objects no chain has been built through yet.
  auto store = verify::TrustStore::from_pem_text(root.cert_pem() + intermediate.cert_pem(), "race-store.pem");
  ASSERT_TRUE(store) << store.error();

  std::atomic<int> accepted{0};
  std::vector<std::thread> threads;
  constexpr int kThreads = 4, kRounds = 10;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&] {
      for (int r = 0; r < kRounds; ++r) {
        // Each connection parses its own copy of what the origin sent.
        ossl::X509Ptr presented(X509_dup(leaf.cert.get()));
        ossl::X509Ptr sent_along(X509_dup(intermediate.cert.get()));
        verify::OriginVerification v({"cucm.steven.lab", "cucm.steven.lab", "10.48.36.215"}, verify::Enforcement::Enforce);
        if (v.verify_offline(presented.get(), {sent_along.get()}, *store, 1)) ++accepted;
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(accepted.load(), kThreads * kRounds);
}

// A trust store the admin API edited is exported as the certificates themselves; loading reads
// such an entry as PEM text, and names it by its place in the list when it is not one.
TEST(TrustStore, InlineEntriesAreReadAsPemAndNamedByTheirPlace) {
  auto root = lab::make_ca("mratls Inline Root CA");
  auto store = verify::TrustStore::load({root.cert_pem()});
  ASSERT_TRUE(store) << store.error();
  ASSERT_EQ(store->certificates().size(), 1u);
  EXPECT_EQ(store->sources()[0], "inline certificate entry 1");
  auto bad = verify::TrustStore::load({root.cert_pem(), "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n"});
  ASSERT_FALSE(bad);
  EXPECT_TRUE(bad.error().starts_with("inline certificate entry 2: ")) << bad.error();
}
