#include "control/admin_page.hpp"

namespace mratls::control {

AdminResponse admin_page() {
  AdminResponse r;
  r.content_type = "text/html; charset=utf-8";
  r.body = std::string(admin_page_html());
  r.headers = {{"Content-Security-Policy",
                "default-src 'none'; script-src '" + std::string(admin_page_script_hash()) + "'; style-src '" +
                    std::string(admin_page_style_hash()) +
                    "'; img-src data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"},
               {"X-Frame-Options", "DENY"},
               {"Referrer-Policy", "no-referrer"}};
  return r;
}

}  // namespace mratls::control
