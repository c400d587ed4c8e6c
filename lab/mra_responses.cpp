#include "lab/mra_responses.hpp"

namespace mratls::lab {
namespace {

std::string path_of(const std::string& target) { return target.substr(0, target.find('?')); }

std::string query_value(const std::string& target, const std::string& key) {
  auto q = target.find('?');
  if (q == std::string::npos) return {};
  std::string query = target.substr(q + 1);
  for (std::size_t pos = 0; pos < query.size();) {
    auto amp = query.find('&', pos);
    auto pair = query.substr(pos, amp == std::string::npos ? std::string::npos : amp - pos);
    auto eq = pair.find('=');
    if (eq != std::string::npos && pair.substr(0, eq) == key) return pair.substr(eq + 1);
    if (amp == std::string::npos) break;
    pos = amp + 1;
  }
  return {};
}

OriginReply xml(std::string body) {
  OriginReply r;
  r.body = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n" + std::move(body);
  return r;
}

OriginReply not_found() {
  OriginReply r;
  r.status = 404;
  r.content_type = "text/html";
  r.body = "<html><body>Not Found</body></html>\n";
  return r;
}

// "/cucm-uds/user/emusk/devices" → "emusk"
std::string user_in(const std::string& path, const std::string& prefix) {
  if (path.rfind(prefix, 0) != 0) return {};
  auto rest = path.substr(prefix.size());
  return rest.substr(0, rest.find('/'));
}

OriginReply cucm_uds(const NodeIdentity& node, const std::string& target) {
  const std::string path = path_of(target);
  if (path == "/cucm-uds/version")
    return xml("<versionInformation uri=\"https://" + node.host + ":8443/cucm-uds/version\" version=\"" + node.version +
               "\"><version>" + node.version + "</version><capabilities><usersResourceAuthEnabled>false</usersResourceAuthEnabled></capabilities></versionInformation>\n");
  if (path == "/cucm-uds/servers") {
    std::string list;
    for (const auto& server : node.cluster_servers.empty() ? std::vector<std::string>{node.host} : node.cluster_servers)
      list += "<server>" + server + "</server>";
    return xml("<servers uri=\"https://" + node.host + ":8443/cucm-uds/servers\" version=\"" + node.version + "\">" + list +
               "</servers>\n");
  }
  if (path == "/cucm-uds/clusterUser") {
    auto user = query_value(target, "username");
    return xml("<clusterUser uri=\"https://" + node.host + ":8443/cucm-uds/clusterUser?username=" + user + "\" version=\"" +
               node.version + "\"><result found=\"true\"/><userHomeCluster><primaryNode><hostname>" +
               (node.home_node.empty() ? node.host : node.home_node) +
               "</hostname></primaryNode></userHomeCluster></clusterUser>\n");
  }
  auto user = user_in(path, "/cucm-uds/user/");
  if (!user.empty() && path == "/cucm-uds/user/" + user)
    return xml("<user uri=\"https://" + node.host + ":8443/cucm-uds/user/" + user + "\" version=\"" + node.version +
               "\"><userName>" + user + "</userName><firstName>Elon</firstName><lastName>Musk</lastName>"
               "<email>" + user + "@" + node.domain + "</email><homeCluster>true</homeCluster>"
               "<imAndPresenceEnabled>true</imAndPresenceEnabled><serviceProfile uri=\"https://" + node.host +
               ":8443/cucm-uds/user/" + user + "/serviceProfile\"/></user>\n");
  if (!user.empty() && path == "/cucm-uds/user/" + user + "/devices")
    return xml("<devices uri=\"https://" + node.host + ":8443/cucm-uds/user/" + user + "/devices\" version=\"" +
               node.version + "\" start=\"0\" requestedCount=\"64\" returnedCount=\"1\" totalCount=\"1\">"
               "<device uri=\"https://" + node.host + ":8443/cucm-uds/device/csf" + user + "\"><name>CSF" + user +
               "</name><model>Cisco Unified Client Services Framework</model></device></devices>\n");
  if (!user.empty() && path == "/cucm-uds/user/" + user + "/serviceProfile")
    return xml("<serviceProfile><name>Default</name><imAndPresence><server>imp." + node.domain +
               "</server></imAndPresence><voicemail><server>cuc." + node.domain + "</server></voicemail></serviceProfile>\n");
  return not_found();
}

OriginReply cucm_tftp(const NodeIdentity& node, const std::string& target) {
  const std::string path = path_of(target);
  if (path == "/jabber-config.xml")
    return xml("<config version=\"1.0\"><Client><PrtLogServerUrl>https://" + node.host +
               "/prt</PrtLogServerUrl></Client><Policies><EnableTelephony>true</EnableTelephony></Policies></config>\n");
  if (path == "/SPDefault.cnf.xml")
    return xml("<device><fullConfig>true</fullConfig><devicePool><callManagerGroup><members><member priority=\"0\">"
               "<callManager><processNodeName>" + node.host + "</processNodeName></callManager></member></members>"
               "</callManagerGroup></devicePool></device>\n");
  if (path.rfind("/CSF", 0) == 0 && path.size() > 12 && path.substr(path.size() - 8) == ".cnf.xml")
    return xml("<device xsi:type=\"axl:XIPPhone\" ctiid=\"1\"><fullConfig>true</fullConfig><deviceProtocol>SIP</deviceProtocol>"
               "<sipProfile><sipProxies><registerWithProxy>true</registerWithProxy></sipProxies></sipProfile>"
               "<loadInformation></loadInformation><name>" + path.substr(1, path.size() - 9) + "</name></device>\n");
  return not_found();
}

OriginReply imp(const NodeIdentity& node, const OriginRequest& request) {
  const std::string path = path_of(request.target);
  if (path.rfind("/cup/", 0) == 0 || path.rfind("/EPASSoap/", 0) == 0) {
    auto r = xml("<presence node=\"" + node.host + "\" path=\"" + path + "\"/>\n");
    if (request.method == "POST") r.body += request.body;
    return r;
  }
  return not_found();
}

OriginReply unity(const NodeIdentity& node, const std::string& target) {
  const std::string path = path_of(target);
  if (path.rfind("/vmrest/", 0) != 0) return not_found();
  if (path == "/vmrest/version")
    return xml("<VersionInformation><name>Cisco Unity Connection</name><version>" + node.version + "</version></VersionInformation>\n");
  return xml("<Messages total=\"0\" node=\"" + node.host + "\"/>\n");
}

}  // namespace

OriginReply mra_reply(const NodeIdentity& node, const OriginRequest& request) {
  switch (node.service) {
    case Service::Uds: return cucm_uds(node, request.target);
    case Service::Tftp: return cucm_tftp(node, request.target);
    case Service::ImAndPresence: return imp(node, request);
    case Service::UnityConnection: return unity(node, request.target);
  }
  return not_found();
}

}  // namespace mratls::lab
