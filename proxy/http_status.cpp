#include "proxy/http_status.hpp"

namespace mratls::proxy {

std::string_view reason_phrase(int status) {
  switch (status) {
    case 100: return "Continue";
    case 200: return "OK";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 411: return "Length Required";
    case 413: return "Request Entity Too Large";
    case 414: return "Request-URI Too Long";
    case 415: return "Unsupported Media Type";
    case 421: return "Misdirected Request";
    case 431: return "Request Header Fields Too Large";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 504: return "Gateway Timeout";
  }
  return "Unknown";
}

int status_for(ParseFailure failure) {
  switch (failure) {
    case ParseFailure::UriTooLong: return 414;
    case ParseFailure::HeaderTooLarge: return 431;
    case ParseFailure::BadTransferCoding: return 501;
    default: return 400;
  }
}

}  // namespace mratls::proxy
