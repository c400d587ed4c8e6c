// The headers every translation unit of the product parses, precompiled once per build for
// clang (build_support/CMakeLists.txt says when and why). Only what mratls includes itself. A
// source that forgets an include of its own is caught by a build with MRATLS_UNITY=OFF only:
// the PCH is in every unit of the clang builds, and in a unity build a file also sees what the
// files before it in its unit included.
#pragma once

#include <algorithm>
#include <array>
#include <atomic>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <expected>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include <asio.hpp>
#include <asio/ssl.hpp>
#include <nlohmann/json.hpp>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>
#include <spdlog/spdlog.h>
#include <yaml-cpp/yaml.h>
