// The admin page (GET /): one self-contained HTML file, no external script, style or font,
// embedded in the binary at build time from control/page/admin.html.
#pragma once

#include <string_view>

#include "control/admin_api.hpp"

namespace mratls::control {

std::string_view admin_page_html();
// "sha256-<base64>" of the page's inline script and style sheet, computed at build time.
std::string_view admin_page_script_hash();
std::string_view admin_page_style_hash();

// The page with headers that keep it to itself: its own origin only, never in a frame, and no
// script or style but its own (by hash: an injected one does not run).
AdminResponse admin_page();

}  // namespace mratls::control
