#include "server/process_info.h"

#include <malloc.h>
#include <unistd.h>

#include <fstream>

namespace starling::server {

ProcessInfo ReadProcessInfo(int tcp_port, const std::string& config_file) {
  ProcessInfo p;
  p.pid = getpid();
  p.tcp_port = tcp_port;
  p.config_file = config_file;
  char buf[4096];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
  if (n > 0) p.executable.assign(buf, static_cast<size_t>(n));
  struct mallinfo2 mi = mallinfo2();
  p.used_memory = mi.uordblks + mi.hblkhd;
  std::ifstream statm("/proc/self/statm");
  size_t pages_total = 0, pages_resident = 0;
  if (statm >> pages_total >> pages_resident) {
    p.used_memory_rss = pages_resident * static_cast<size_t>(sysconf(_SC_PAGESIZE));
  }
  return p;
}

}  // namespace starling::server
