// Helpers shared by the conformance scenarios: each checks the call it wraps.

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zircon/process.h>
#include <zircon/syscalls.h>

#include "harness.h"

uint64_t ps(void) { return zx_system_get_page_size(); }

bool cow_write_protect(void) {
  const char* mode = zircon4j_host_cow_mode();
  CHECK(strcmp(mode, "write-protect") == 0 || strcmp(mode, "eager-copy") == 0);
  return strcmp(mode, "write-protect") == 0;
}

zx_handle_t make_vmo(uint64_t size, uint32_t options) {
  zx_handle_t h = ZX_HANDLE_INVALID;
  CHECK_EQ(zx_vmo_create(size, options, &h), ZX_OK);
  return h;
}

zx_info_vmo_t vmo_info(zx_handle_t h) {
  zx_info_vmo_t info;
  memset(&info, 0, sizeof(info));
  CHECK_EQ(zx_object_get_info(h, ZX_INFO_VMO, &info, sizeof(info), NULL, NULL), ZX_OK);
  return info;
}

// Touches addr in a forked child; returns the signal that killed it, or 0.
int touch_signal(uintptr_t addr, int write) {
  pid_t pid = fork();
  if (pid == 0) {
    signal(SIGSEGV, SIG_DFL);
    signal(SIGBUS, SIG_DFL);
    // The fault is the expected outcome: no core file (natively or from qemu-user, which honours
    // RLIMIT_CORE for its target's dumps) and no "uncaught target signal" line from qemu-user,
    // which writes it to the faulting process's stderr.
    struct rlimit no_core = {0, 0};
    setrlimit(RLIMIT_CORE, &no_core);
    int devnull = open("/dev/null", O_WRONLY);
    if (devnull >= 0) dup2(devnull, STDERR_FILENO);
    volatile uint8_t* p = (volatile uint8_t*)addr;
    if (write) {
      *p = 1;
    } else {
      (void)*p;
    }
    _exit(0);
  }
  int status = 0;
  if (pid < 0 || waitpid(pid, &status, 0) != pid) return -1;
  return WIFSIGNALED(status) ? WTERMSIG(status) : 0;
}

// The permission string ("r--p", ...) of the /proc/self/maps line holding addr.
void perms_of(uintptr_t addr, char out[5]) {
  strcpy(out, "????");
  FILE* f = fopen("/proc/self/maps", "r");
  if (f == NULL) return;
  char line[512];
  while (fgets(line, sizeof(line), f) != NULL) {
    unsigned long lo, hi;
    char perms[5];
    if (sscanf(line, "%lx-%lx %4s", &lo, &hi, perms) == 3 && addr >= lo && addr < hi) {
      memcpy(out, perms, 5);
      break;
    }
  }
  fclose(f);
}

uint64_t* map_words(zx_vm_option_t options, zx_handle_t vmo, size_t len) {
  zx_vaddr_t addr = 0;
  CHECK_EQ(zx_vmar_map(zx_vmar_root_self(), options, 0, vmo, 0, len, &addr), ZX_OK);
  return (uint64_t*)addr;
}

void unmap_words(uint64_t* words, size_t len) {
  CHECK_EQ(zx_vmar_unmap(zx_vmar_root_self(), (zx_vaddr_t)words, len), ZX_OK);
}
