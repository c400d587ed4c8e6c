// The MRA path codec on arbitrary segments and request targets: never crashes, and whatever
// decodes as an origin encodes back to a segment that decodes to the same origin.
#include <string_view>

#include "fuzz_target.hpp"
#include "mra/mra_path.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  if (auto decoded = mratls::mra::decode_segment(input);
      decoded && decoded->kind == mratls::mra::MraSegment::Kind::Origin) {
    const auto again = mratls::mra::decode_segment(mratls::mra::encode_segment(decoded->target));
    MRATLS_FUZZ_CHECK(again.has_value());
    MRATLS_FUZZ_CHECK(again->target == decoded->target);
  } else if (decoded) {
    MRATLS_FUZZ_CHECK(!decoded->domain.empty());
  } else {
    MRATLS_FUZZ_CHECK(!decoded.error().reason.empty());
  }
  if (auto split = mratls::mra::split_path(input)) {
    MRATLS_FUZZ_CHECK(split->segment.size() + split->rest.size() <= input.size());
  }
  (void)mratls::mra::encode_text(input);
  return 0;
}
