// Session: one client connection's state as the node core sees it. The driver (the epoll
// loop, or a simulated client in dst/) owns the socket and the RESP parser; the node owns
// the Session and writes replies into `out`, which the driver flushes after the turn.
#pragma once

#include <cstdint>
#include <string>

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
};

}  // namespace starling::server
