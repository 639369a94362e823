#include "server/process_info.h"

#include <malloc.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <fstream>

namespace starling::server {
namespace {

double Seconds(const timeval& tv) {
  return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6;
}

}  // namespace

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
  size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  if (statm >> pages_total >> pages_resident) p.used_memory_rss = pages_resident * page;
  long phys = sysconf(_SC_PHYS_PAGES);
  if (phys > 0) p.total_system_memory = static_cast<size_t>(phys) * page;
  utsname u;
  if (uname(&u) == 0) p.os = std::string(u.sysname) + " " + u.release + " " + u.machine;
  rusage self{}, children{};
  if (getrusage(RUSAGE_SELF, &self) == 0) {
    p.used_cpu_sys = Seconds(self.ru_stime);
    p.used_cpu_user = Seconds(self.ru_utime);
  }
  if (getrusage(RUSAGE_CHILDREN, &children) == 0) {
    p.used_cpu_sys_children = Seconds(children.ru_stime);
    p.used_cpu_user_children = Seconds(children.ru_utime);
  }
  return p;
}

}  // namespace starling::server
