#include "control/admin_server.hpp"

#include "control/admin_connection.hpp"
#include "mra/mra_path.hpp"

#include <asio/error.hpp>
#include <asio/strand.hpp>

namespace mratls::control {

AdminServer::~AdminServer() { stop(); }

std::expected<void, std::string> AdminServer::listen(const std::string& address, std::uint16_t port) {
  std::error_code ec;
  auto ip = asio::ip::make_address(address == "localhost" ? "127.0.0.1" : address, ec);
  if (ec) return std::unexpected("admin.address '" + address + "' is not an IP address");
  auto acceptor = std::make_unique<asio::ip::tcp::acceptor>(io_);
  asio::ip::tcp::endpoint endpoint(ip, port);
  acceptor->open(endpoint.protocol(), ec);
  if (!ec) acceptor->set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor->bind(endpoint, ec);
  if (!ec) acceptor->listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return std::unexpected("cannot listen for admin on " + mra::host_port(address, port) + ": " + ec.message());
  port_ = acceptor->local_endpoint().port();
  acceptor_ = std::move(acceptor);
  pause_ = std::make_unique<asio::steady_timer>(io_);
  return {};
}

void AdminServer::accept_next() {
  acceptor_->async_accept(asio::make_strand(io_), [this](std::error_code ec, asio::ip::tcp::socket socket) {
    if (ec == asio::error::operation_aborted || !acceptor_->is_open()) return;
    if (const auto pause = proxy::pause_after(proxy::errno_of(ec, asio::error::get_system_category())); ec && pause.wait.count() > 0) {
      // Out of descriptors: the same error comes back at once, so wait rather than spin.
      pause_->expires_after(pause.wait);
      pause_->async_wait([this](std::error_code e) {
        if (!e && acceptor_ && acceptor_->is_open()) accept_next();
      });
      return;
    }
    if (!ec && open_.load() >= kMaxConnections) {
      std::error_code ignored;
      socket.close(ignored);
    } else if (!ec) {
      std::make_shared<AdminConnection>(std::move(socket), api_, hub_, open_)->start();
    }
    accept_next();
  });
}

void AdminServer::start() {
  accept_next();
  for (int i = 0; i < kThreads; ++i) threads_.emplace_back([this] { io_.run(); });
}

void AdminServer::stop() {
  if (threads_.empty()) return;
  hub_.close();
  io_.stop();
  for (auto& t : threads_) t.join();
  threads_.clear();
  // The connections' coroutines go with the io_context's queue, on this thread.
  pause_.reset();
  acceptor_.reset();
}

}  // namespace mratls::control
