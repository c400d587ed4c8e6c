#include "scan/capture/tls_handshake.hpp"

#include <algorithm>
#include <cstdio>
#include <span>

#include "scan/capture/bytes.hpp"

namespace mratls::scan::capture {
namespace {

constexpr std::size_t kMaxRecord = 16384 + 2048;  // TLSCiphertext's limit
constexpr std::size_t kMaxHandshakeMessage = 64 * 1024;

// RFC 8446 §4.1.3: a ServerHello with this random is a HelloRetryRequest.
constexpr std::uint8_t kHelloRetryRandom[32] = {0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c,
                                                0x02, 0x1e, 0x65, 0xb8, 0x91, 0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb,
                                                0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c};

bool is_grease(std::uint32_t v) { return (v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff); }

std::string hex(std::span<const std::uint8_t> bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (auto b : bytes) {
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 0xf]);
  }
  return out;
}

std::optional<ClientHello> client_hello(ByteReader in) {
  ClientHello h;
  h.legacy_version = static_cast<std::uint16_t>(in.u16());
  h.random_hex = hex(in.bytes(32));
  in.skip(in.u8());  // session id
  ByteReader suites(in.bytes(in.u16()));
  while (suites.ok() && suites.left() >= 2)
    if (auto s = suites.u16(); !is_grease(s)) h.cipher_suites.push_back(static_cast<std::uint16_t>(s));
  in.skip(in.u8());  // compression methods
  if (!in.ok()) return std::nullopt;
  if (in.left() == 0) return h;  // no extensions
  ByteReader extensions(in.bytes(in.u16()));
  while (extensions.ok() && extensions.left() >= 4) {
    const auto type = extensions.u16();
    ByteReader body(extensions.bytes(extensions.u16()));
    if (type == 0) {  // server_name: a list, of which the host_name entry counts
      ByteReader names(body.bytes(body.u16()));
      while (names.ok() && names.left() >= 3) {
        const auto kind = names.u8();
        auto name = names.bytes(names.u16());
        if (kind == 0 && names.ok()) h.sni.assign(name.begin(), name.end());
      }
    } else if (type == 43) {  // supported_versions
      ByteReader versions(body.bytes(body.u8()));
      while (versions.ok() && versions.left() >= 2)
        if (auto v = versions.u16(); !is_grease(v)) h.supported_versions.push_back(static_cast<std::uint16_t>(v));
    }
  }
  if (!extensions.ok()) return std::nullopt;
  return h;
}

std::optional<ServerHello> server_hello(ByteReader in) {
  ServerHello h;
  h.version = static_cast<std::uint16_t>(in.u16());
  auto random = in.bytes(32);
  h.hello_retry_request = in.ok() && std::equal(random.begin(), random.end(), std::begin(kHelloRetryRandom));
  in.skip(in.u8());
  h.cipher_suite = static_cast<std::uint16_t>(in.u16());
  in.skip(1);  // compression
  if (!in.ok()) return std::nullopt;
  if (in.left() == 0) return h;
  ByteReader extensions(in.bytes(in.u16()));
  while (extensions.ok() && extensions.left() >= 4) {
    const auto type = extensions.u16();
    ByteReader body(extensions.bytes(extensions.u16()));
    if (type == 43 && body.left() >= 2) h.version = static_cast<std::uint16_t>(body.u16());
  }
  if (!extensions.ok()) return std::nullopt;
  return h;
}

bool certificates(ByteReader in, std::vector<std::string>& out) {
  ByteReader list(in.bytes(in.u24()));
  while (list.ok() && list.left() > 0) {
    auto der = list.bytes(list.u24());
    if (list.ok()) out.emplace_back(der.begin(), der.end());
  }
  return list.ok() && in.ok();
}

// Handshake messages can span records and records can hold several: the messages are read
// from the concatenated handshake bytes.
void handshake_messages(std::string& pending, TlsRead& out) {
  std::size_t used = 0;
  for (;;) {
    ByteReader in(std::span(reinterpret_cast<const std::uint8_t*>(pending.data()) + used, pending.size() - used));
    const auto type = in.u8();
    const std::size_t length = in.u24();
    if (!in.ok()) break;
    if (length > kMaxHandshakeMessage) {
      out.problem = "a handshake message of " + std::to_string(length) + " bytes";
      pending.clear();
      return;
    }
    auto body = in.bytes(length);
    if (!in.ok()) break;  // the rest is in a later record
    used += 4 + length;
    ByteReader message(body);
    if (type == 1 && !out.client_hello) {
      out.client_hello = client_hello(message);
      if (!out.client_hello) out.problem = "a malformed ClientHello";
    } else if (type == 2 && !out.server_hello) {
      out.server_hello = server_hello(message);
      if (!out.server_hello) out.problem = "a malformed ServerHello";
    } else if (type == 11 && !out.certificate_message) {
      out.certificate_message = true;
      if (!certificates(message, out.certificates)) out.problem = "a malformed Certificate message";
    }
    if (!out.problem.empty()) return;
  }
  pending.erase(0, used);
}

}  // namespace

TlsRead read_tls(std::string_view bytes) {
  TlsRead out;
  ByteReader in(std::span(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()));
  std::string pending;
  bool first = true;
  while (in.left() > 0 && out.problem.empty()) {
    if (in.left() < 5) {
      out.problem = "the capture ends inside a record header";
      break;
    }
    const auto type = in.u8();
    const auto major = in.u8();
    in.skip(1);
    const std::size_t length = in.u16();
    const bool plausible = type >= 20 && type <= 23 && major == 3 && length <= kMaxRecord;
    if (!plausible) {
      out.problem = first ? "not TLS" : "not a TLS record (content type " + std::to_string(type) + ")";
      break;
    }
    out.tls = true;
    first = false;
    auto fragment = in.bytes(length);
    if (!in.ok()) {
      out.problem = "the capture ends inside a record";
      break;
    }
    if (type == 20 || type == 23) {
      out.encrypted = true;
      if (type == 23) break;  // application data: nothing more in the clear
      continue;
    }
    if (type == 21) {
      Alert a;
      a.encrypted = out.encrypted;
      if (!out.encrypted && fragment.size() >= 2) {
        a.level = fragment[0];
        a.description = fragment[1];
      }
      out.alerts.push_back(a);
      continue;
    }
    if (out.encrypted) continue;  // an encrypted Finished
    pending.append(reinterpret_cast<const char*>(fragment.data()), fragment.size());
    handshake_messages(pending, out);
  }
  return out;
}

std::string version_name(std::uint16_t version) {
  switch (version) {
    case 0x0300: return "SSLv3";
    case 0x0301: return "TLSv1";
    case 0x0302: return "TLSv1.1";
    case 0x0303: return "TLSv1.2";
    case 0x0304: return "TLSv1.3";
  }
  char text[8];
  std::snprintf(text, sizeof text, "0x%04x", version);
  return text;
}

std::string alert_name(std::uint8_t description) {
  switch (description) {
    case 0: return "close_notify";
    case 10: return "unexpected_message";
    case 20: return "bad_record_mac";
    case 40: return "handshake_failure";
    case 42: return "bad_certificate";
    case 43: return "unsupported_certificate";
    case 44: return "certificate_revoked";
    case 45: return "certificate_expired";
    case 46: return "certificate_unknown";
    case 47: return "illegal_parameter";
    case 48: return "unknown_ca";
    case 49: return "access_denied";
    case 50: return "decode_error";
    case 51: return "decrypt_error";
    case 70: return "protocol_version";
    case 71: return "insufficient_security";
    case 80: return "internal_error";
    case 86: return "inappropriate_fallback";
    case 90: return "user_canceled";
    case 109: return "missing_extension";
    case 110: return "unsupported_extension";
    case 112: return "unrecognized_name";
    case 116: return "certificate_required";
    case 120: return "no_application_protocol";
  }
  return "alert " + std::to_string(description);
}

}  // namespace mratls::scan::capture
