#include "server/event_loop.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <sstream>

namespace starling::server {
namespace {

std::string AddrToString(const sockaddr_storage& ss) {
  char host[INET6_ADDRSTRLEN] = {0};
  int port = 0;
  if (ss.ss_family == AF_INET) {
    const auto* a = reinterpret_cast<const sockaddr_in*>(&ss);
    inet_ntop(AF_INET, &a->sin_addr, host, sizeof(host));
    port = ntohs(a->sin_port);
  } else if (ss.ss_family == AF_INET6) {
    const auto* a = reinterpret_cast<const sockaddr_in6*>(&ss);
    inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof(host));
    port = ntohs(a->sin6_port);
  }
  return std::string(host) + ":" + std::to_string(port);
}

}  // namespace

EventLoop::EventLoop(Node& node, const Clock& clock) : node_(node), clock_(clock) {
  epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  sigset_t mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGINT);
  sigaddset(&mask, SIGTERM);
  sigaddset(&mask, SIGHUP);
  sigprocmask(SIG_BLOCK, &mask, nullptr);
  signal_fd_ = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = signal_fd_;
  epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, signal_fd_, &ev);
  SyncLimits();
}

EventLoop::~EventLoop() {
  for (auto& [fd, c] : conns_) ::close(fd);
  for (int fd : listen_fds_) ::close(fd);
  if (signal_fd_ >= 0) ::close(signal_fd_);
  if (epoll_fd_ >= 0) ::close(epoll_fd_);
}

Status EventLoop::Listen(const std::string& bind, int port) {
  std::istringstream addrs(bind);
  std::string addr;
  while (addrs >> addr) {
    for (char& ch : addr) {
      if (ch == ',') ch = ' ';
    }
    addrinfo hints{}, *res = nullptr;
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICHOST;
    std::string port_str = std::to_string(port_ != 0 ? port_ : port);
    if (int rc = getaddrinfo(addr.c_str(), port_str.c_str(), &hints, &res); rc != 0) {
      return Status::InvalidArgument("bad bind address '" + addr + "': " + gai_strerror(rc));
    }
    int fd = socket(res->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (res->ai_family == AF_INET6) setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
    if (::bind(fd, res->ai_addr, res->ai_addrlen) != 0 || ::listen(fd, 511) != 0) {
      std::string e = std::strerror(errno);
      freeaddrinfo(res);
      ::close(fd);
      return Status::IoError("cannot listen on " + addr + ":" + port_str + ": " + e);
    }
    freeaddrinfo(res);
    sockaddr_storage ss{};
    socklen_t len = sizeof(ss);
    getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len);
    port_ = ss.ss_family == AF_INET ? ntohs(reinterpret_cast<sockaddr_in*>(&ss)->sin_port)
                                    : ntohs(reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port);
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = fd;
    epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev);
    listen_fds_.push_back(fd);
  }
  if (listen_fds_.empty()) return Status::InvalidArgument("no bind address");
  return Status::Ok();
}

void EventLoop::AddWatch(int fd, std::function<void()> on_readable) {
  watches_[fd] = std::move(on_readable);
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = fd;
  epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev);
}

void EventLoop::SyncLimits() {
  const Config& cfg = node_.config();
  limits_.max_bulk_len = cfg.proto_max_bulk_len;
  limits_.max_query_buffer = static_cast<size_t>(cfg.client_query_buffer_limit);
}

Status EventLoop::Run() {
  std::vector<epoll_event> events(256);
  int64_t next_timer = clock_.MonoMillis() + node_.TimerPeriodMs();
  while (!stop_ && !node_.shutdown_requested()) {
    int64_t now = clock_.MonoMillis();
    int64_t wait = std::min(std::max<int64_t>(0, next_timer - now), node_.MsUntilNextWork());
    int64_t blocked_wait = node_.MsUntilBlockedDeadline();
    if (blocked_wait >= 0) wait = std::min(wait, blocked_wait);
    int timeout = static_cast<int>(wait);
    int n = epoll_wait(epoll_fd_, events.data(), static_cast<int>(events.size()), timeout);
    if (n < 0 && errno != EINTR) return Status::IoError(std::string("epoll_wait: ") + strerror(errno));
    SyncLimits();
    for (int i = 0; i < n; ++i) {
      int fd = events[i].data.fd;
      uint32_t what = events[i].events;
      if (fd == signal_fd_) {
        signalfd_siginfo si;
        while (read(signal_fd_, &si, sizeof(si)) == sizeof(si)) {
          if (si.ssi_signo == SIGHUP) {
            Status st = node_.ReloadCluster();
            if (st.ok()) {
              SPDLOG_INFO("SIGHUP: cluster config reloaded");
            } else {
              SPDLOG_ERROR("SIGHUP: cluster config not reloaded: {}", st.ToString());
            }
            continue;
          }
          SPDLOG_INFO("received signal {}, shutting down", si.ssi_signo);
          stop_ = true;
        }
        continue;
      }
      if (std::find(listen_fds_.begin(), listen_fds_.end(), fd) != listen_fds_.end()) {
        Accept(fd);
        continue;
      }
      if (auto w = watches_.find(fd); w != watches_.end()) {
        w->second();
        continue;
      }
      auto it = conns_.find(fd);
      if (it == conns_.end()) continue;
      Conn& c = *it->second;
      if (what & (EPOLLERR | EPOLLHUP)) {
        if (!(what & EPOLLIN)) {
          Close(c);
          continue;
        }
      }
      if (what & EPOLLOUT) {
        if (!Flush(c)) continue;
      }
      if (what & EPOLLIN) OnReadable(c);
    }
    // Watched descriptors may be edge-triggered (ZeroMQ's ZMQ_FD): poll them every turn.
    for (auto& [wfd, cb] : watches_) cb();
    if (clock_.MonoMillis() >= next_timer) {
      node_.OnTimer();
      next_timer = clock_.MonoMillis() + node_.TimerPeriodMs();
      for (auto& [fd, c] : conns_) {
        if (!c->session->out.empty()) pending_output_.push_back(fd);
      }
    }
    node_.ExpireBlocked();
    // Sessions that stopped waiting get their reply sent and their pipelined input run.
    for (uint64_t id : node_.TakeUnblockedSessions()) {
      Session* s = node_.FindSession(id);
      if (!s) continue;
      auto it = conns_.find(s->fd);
      if (it != conns_.end() && it->second->session == s) ProcessInput(*it->second);
    }
    node_.EndOfTurn();
    for (uint64_t id : node_.TakeKilledSessions()) {
      for (auto& [fd, c] : conns_) {
        if (c->session->id == id) {
          pending_output_.push_back(fd);
          break;
        }
      }
    }
    FlushAll();
  }
  // Clean shutdown: send what is pending, close clients.
  node_.EndOfTurn();
  FlushAll();
  return Status::Ok();
}

void EventLoop::Accept(int listen_fd) {
  for (;;) {
    sockaddr_storage ss{};
    socklen_t len = sizeof(ss);
    int fd = accept4(listen_fd, reinterpret_cast<sockaddr*>(&ss), &len,
                     SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) return;  // EAGAIN or a transient error
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    if (static_cast<int64_t>(conns_.size()) >= node_.config().maxclients) {
      static constexpr char kMsg[] = "-ERR max number of clients reached\r\n";
      ssize_t ignored = write(fd, kMsg, sizeof(kMsg) - 1);
      (void)ignored;
      ::close(fd);
      ++node_.stats().rejected_connections;
      continue;
    }
    sockaddr_storage local{};
    socklen_t llen = sizeof(local);
    getsockname(fd, reinterpret_cast<sockaddr*>(&local), &llen);
    auto c = std::make_unique<Conn>();
    c->fd = fd;
    c->session = &node_.OpenSession(AddrToString(ss), AddrToString(local), fd);
    c->parser = std::make_unique<resp::Parser>(&limits_);
    c->parser->set_auth_required(!c->session->authenticated);
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = fd;
    epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev);
    conns_[fd] = std::move(c);
  }
}

void EventLoop::OnReadable(Conn& c) {
  std::span<char> dst = c.parser->PrepareRead();
  ssize_t n = read(c.fd, dst.data(), dst.size());
  if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
    Close(c);
    return;
  }
  if (n < 0) return;
  node_.stats().total_net_input_bytes += static_cast<uint64_t>(n);
  c.parser->CommitRead(static_cast<size_t>(n));
  ProcessInput(c);
}

void EventLoop::ProcessInput(Conn& c) {
  Session& s = *c.session;
  while (s.close == Session::Close::kNo && !s.Paused()) {
    resp::ParseResult r = c.parser->Next();
    if (r == resp::ParseResult::kCommand) {
      node_.Execute(s, c.parser->args());
      c.parser->set_auth_required(!s.authenticated);
      continue;
    }
    if (r == resp::ParseResult::kError) {
      if (!c.parser->error().empty()) {
        s.out.Error(std::string("ERR ") + std::string(c.parser->error()));
        SPDLOG_DEBUG("protocol error from {}: {}", s.addr, c.parser->error());
      }
      s.close = c.parser->error().empty() ? Session::Close::kNow : Session::Close::kAfterReply;
    }
    break;
  }
  s.query_buffer_bytes = c.parser->buffered_bytes();
  if (!s.out.empty() || s.close != Session::Close::kNo) pending_output_.push_back(c.fd);
}

void EventLoop::FlushAll() {
  std::vector<int> fds;
  fds.swap(pending_output_);
  for (int fd : fds) {
    auto it = conns_.find(fd);
    if (it != conns_.end()) Flush(*it->second);
  }
}

bool EventLoop::Flush(Conn& c) {
  Session& s = *c.session;
  if (s.close == Session::Close::kNow) {
    Close(c);
    return false;
  }
  std::string& buf = s.out.buffer();
  size_t off = 0;
  while (off < buf.size()) {
    ssize_t n = write(c.fd, buf.data() + off, buf.size() - off);
    if (n > 0) {
      off += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) break;
    Close(c);
    return false;
  }
  node_.stats().total_net_output_bytes += off;
  buf.erase(0, off);
  bool want_write = !buf.empty();
  if (!want_write && s.close == Session::Close::kAfterReply) {
    Close(c);
    return false;
  }
  if (want_write != c.writing) {
    epoll_event ev{};
    ev.events = want_write ? (EPOLLIN | EPOLLOUT) : static_cast<uint32_t>(EPOLLIN);
    ev.data.fd = c.fd;
    epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, c.fd, &ev);
    c.writing = want_write;
  }
  if (buf.empty() && buf.capacity() > 64 * 1024) std::string().swap(buf);
  return true;
}

void EventLoop::Close(Conn& c) {
  int fd = c.fd;
  epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
  ::close(fd);
  node_.CloseSession(c.session->id);
  conns_.erase(fd);
}

}  // namespace starling::server
