// Session: one client connection's state as the node core sees it. The driver (the epoll
// loop, or a simulated client in dst/) owns the socket and the RESP parser; the node owns
// the Session and writes replies into `out`, which the driver flushes after the turn.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "server/resp/resp_writer.h"

namespace starling::server {

struct Session {
  uint64_t id = 0;
  resp::ReplyWriter out;  // reply bytes not yet sent; its protocol version is the session's

  bool authenticated = false;
  std::string name;      // CLIENT SETNAME
  std::string lib_name;  // CLIENT SETINFO LIB-NAME
  std::string lib_ver;   // CLIENT SETINFO LIB-VER
  std::string addr;      // peer "ip:port", from the driver
  std::string laddr;     // local "ip:port"
  int fd = -1;           // for CLIENT LIST only
  int db = 0;
  int64_t created_ms = 0;
  int64_t last_interaction_ms = 0;
  std::string last_command = "NULL";  // CLIENT LIST cmd=

  // The driver closes the connection once `out` is flushed (QUIT, CLIENT KILL, protocol
  // error) or at once without flushing (kNow).
  enum class Close { kNo, kAfterReply, kNow };
  Close close = Close::kNo;

  // Filled by the driver for CLIENT LIST / INFO clients.
  size_t query_buffer_bytes = 0;

  // Set while a blocking command (BLPOP, BZPOPMIN, BLMOVE...) waits. The driver runs no
  // further command of the session meanwhile; the node runs the command again when one of
  // the keys is written, or replies the timeout reply at the deadline (Node::Block).
  struct Blocked {
    std::vector<std::string> args;  // the command, to run again
    std::vector<std::string> keys;
    int64_t deadline_ms = 0;        // 0: wait forever
    bool null_array_on_timeout = true;  // BLPOP/BZPOPMIN: *-1; BLMOVE/BRPOPLPUSH: $-1
  };
  std::unique_ptr<Blocked> blocked;

  // Set while the node fetches the states of keys it does not replicate for this session's
  // command (cluster mode): the command, to run once they arrived.
  std::unique_ptr<std::vector<std::string>> fetching;

  // The driver runs no further command of the session while it waits.
  bool Paused() const { return blocked != nullptr || fetching != nullptr; }
};

}  // namespace starling::server
