#include "lab/login_sequence.hpp"

#include "mra/mra_path.hpp"

namespace mratls::lab {
namespace {

LoginStep step(const LoginTarget& t, std::string name, const std::string& protocol, const std::string& host,
               std::uint16_t port, const std::string& path, std::string method = "GET", std::string body = "") {
  return {std::move(name), std::move(method), protocol + "://" + mra::host_port(host, port),
          "/" + mra::encode_segment({t.domain, protocol, host, port, mra::is_ip_literal(host)}) + path, std::move(body)};
}

}  // namespace

std::vector<LoginStep> login_steps(const LoginTarget& t) {
  const std::string home = t.home_node.empty() ? t.cucm : t.home_node;
  const std::string tftp = t.tftp.empty() ? t.cucm : t.tftp;
  const std::string tftp_protocol = t.tftp_port == config::kTftpHttpPort ? "http" : "https";
  std::vector<LoginStep> steps = {
      step(t, "UDS version on the publisher", "https", t.cucm, config::kUdsPort, "/cucm-uds/version"),
      step(t, "UDS home cluster lookup on the publisher", "https", t.cucm, config::kUdsPort, "/cucm-uds/clusterUser?username=" + t.user),
      step(t, "UDS user details on the home node", "https", home, config::kUdsPort, "/cucm-uds/user/" + t.user),
      step(t, "UDS devices on the home node", "https", home, config::kUdsPort, "/cucm-uds/user/" + t.user + "/devices"),
      step(t, "TFTP jabber-config.xml", tftp_protocol, tftp, t.tftp_port, "/jabber-config.xml"),
      step(t, "TFTP device configuration CSF" + t.user + ".cnf.xml", tftp_protocol, tftp, t.tftp_port,
           "/CSF" + t.user + ".cnf.xml"),
  };
  if (!t.imp.empty())
    steps.push_back(step(t, "IM&P login (EPASSoap)", "https", t.imp, config::kUdsPort, "/EPASSoap/service/v105", "POST",
                         "<soapenv:Envelope><soapenv:Body><login><username>" + t.user +
                             "</username></login></soapenv:Body></soapenv:Envelope>"));
  if (!t.unity.empty()) steps.push_back(step(t, "Unity Connection voicemail (vmrest)", "https", t.unity, config::kUnityPort, "/vmrest/version"));
  return steps;
}

std::string login_request(const LoginTarget& t, const LoginStep& s, const std::string& tracking_id) {
  std::string out = s.method + " http://" + t.public_name + ":8443" + s.target + " HTTP/1.1\r\nHost: " + t.public_name +
                    ":8443\r\nUser-Agent: mratls-login (Jabber-like)\r\nTrackingID: " + tracking_id + "\r\n";
  if (s.method == "POST") out += "Content-Type: text/xml\r\nContent-Length: " + std::to_string(s.body.size()) + "\r\n";
  return out + "\r\n" + s.body;
}

}  // namespace mratls::lab
