// The admin page (GET /): one self-contained HTML file, no external script, style or font,
// embedded in the binary at build time from control/page/admin.html.
#pragma once

#include <string_view>

#include "control/admin_api.hpp"

namespace mratls::control {

std::string_view admin_page_html();

// The page with headers that keep it to itself: its own origin only, never in a frame.
AdminResponse admin_page();

}  // namespace mratls::control
