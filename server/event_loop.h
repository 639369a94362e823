// EventLoop: the production driver of a Node. One thread, epoll, non-blocking sockets; no
// thread per connection. It accepts clients, reads into each connection's RESP parser,
// runs complete commands on the node, ends the turn (the node commits its storage batch),
// then writes the replies. Timers (the node's period) and signals (SIGINT/SIGTERM for a
// clean shutdown, through signalfd) are epoll events too.
//
// This is the only place that touches client sockets; everything it learns it hands to the
// node as events, so the node stays deterministic.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "base/clock.h"
#include "base/status.h"
#include "server/node.h"
#include "server/resp/resp_parser.h"

namespace starling::server {

class EventLoop {
 public:
  EventLoop(Node& node, const Clock& clock);
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  // Binds the client listener (comma- or space-separated addresses) on port. Port 0 picks a
  // free port; port() tells which.
  Status Listen(const std::string& bind, int port);
  int port() const { return port_; }

  // Runs until the node requests shutdown or a termination signal arrives.
  Status Run();

  // Extra file descriptors the process wants polled (peer transport, later); the callback
  // runs on readability.
  void AddWatch(int fd, std::function<void()> on_readable);

 private:
  struct Conn {
    int fd = -1;
    Session* session = nullptr;
    std::unique_ptr<resp::Parser> parser;
    bool writing = false;  // EPOLLOUT registered
  };

  void Accept(int listen_fd);
  void OnReadable(Conn& c);
  void ProcessInput(Conn& c);
  void FlushAll();
  // Returns false if the connection was closed.
  bool Flush(Conn& c);
  void Close(Conn& c);
  void SyncLimits();

  Node& node_;
  const Clock& clock_;
  int epoll_fd_ = -1;
  int signal_fd_ = -1;
  std::vector<int> listen_fds_;
  int port_ = 0;
  resp::ParserLimits limits_;
  std::unordered_map<int, std::unique_ptr<Conn>> conns_;
  std::vector<int> pending_output_;  // fds with replies written this turn
  std::unordered_map<int, std::function<void()>> watches_;
  bool stop_ = false;
};

}  // namespace starling::server
