// Write protection of writable mappings, for lazy copy-on-write (userfaultfd, write-protect mode).
//
// When a VMO with a live ZX_VM_PERM_WRITE mapping is snapshotted, its writable mappings are
// write-protected (UFFDIO_WRITEPROTECT, which costs about what mprotect does) and the snapshot's
// pages stay where they are, lent from the VMO's memfd (see "Lent pages" in vmo.c); nothing is
// copied. The first store to a protected page faults into this file's handler thread, which takes
// the global lock, has vmar.c give the snapshot its copy of that one page (vmar_resolve_write),
// and lifts the protection, which wakes the writer; its store then lands where it was going. The
// handler never calls into Java and needs no call from it.
//
// The copy-on-write mode is chosen once, on the first writable mapping (or the first
// zircon4j_host_cow_mode call), from what the kernel grants, and logged in one stderr line:
// - "write-protect": a full userfaultfd (from /dev/userfaultfd or the userfaultfd syscall without
//   UFFD_USER_MODE_ONLY), whose faults include the kernel's own stores (read(2) into a protected
//   page), with the features WP_HUGETLBFS_SHMEM (write-protecting shmem, Linux 5.19) and
//   WP_UNPOPULATED (pages not yet faulted in are protected too, Linux 6.4).
// - "eager-copy": otherwise. Snapshots copy the writably mapped pages at once. The user-mode-only
//   userfaultfd that an unprivileged user gets with vm.unprivileged_userfaultfd=0 is never used:
//   a kernel store into a page it protects fails with EFAULT (read(2), recv(2), FileChannel.read
//   into the mapping), where zircon's would land in the VMO. ZIRCON4J_HOST_EAGER_COW (non-empty)
//   forces this mode; ZIRCON4J_HOST_UFFD_USER_MODE_ONLY (non-empty) makes the library act as if
//   only the user-mode-only userfaultfd were granted (what an unprivileged user sees), for tests.
//
// The structures and ioctl numbers of the userfaultfd ABI (linux/userfaultfd.h) are declared
// here, so the library also builds where kernel headers are missing (musl).

#define _GNU_SOURCE 1
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "zx_internal.h"

// ---- The userfaultfd ABI -----------------------------------------------------------------

#define UFFD_ABI_API ((uint64_t)0xAA)
#define UFFD_ABI_IOCTL_TYPE 0xAA
#define UFFD_ABI_FEATURE_THREAD_ID ((uint64_t)1 << 8)
#define UFFD_ABI_FEATURE_WP_SHMEM ((uint64_t)1 << 12)
#define UFFD_ABI_FEATURE_WP_UNPOPULATED ((uint64_t)1 << 13)
#define UFFD_ABI_REGISTER_MODE_WP ((uint64_t)1 << 1)
#define UFFD_ABI_WRITEPROTECT_MODE_WP ((uint64_t)1 << 0)
#define UFFD_ABI_EVENT_PAGEFAULT 0x12

struct uffd_api_args {
  uint64_t api;
  uint64_t features;
  uint64_t ioctls;
};

struct uffd_range_args {
  uint64_t start;
  uint64_t len;
};

struct uffd_register_args {
  struct uffd_range_args range;
  uint64_t mode;
  uint64_t ioctls;
};

struct uffd_writeprotect_args {
  struct uffd_range_args range;
  uint64_t mode;
};

// struct uffd_msg: 32 bytes; for UFFD_EVENT_PAGEFAULT, flags, address and the thread id.
struct uffd_message {
  uint8_t event;
  uint8_t reserved1;
  uint16_t reserved2;
  uint32_t reserved3;
  uint64_t flags;
  uint64_t address;
  uint32_t ptid;
  uint32_t pad;
};
_Static_assert(sizeof(struct uffd_message) == 32, "struct uffd_msg is 32 bytes");

#define UFFD_IOC_NEW _IO(UFFD_ABI_IOCTL_TYPE, 0x00)  // on /dev/userfaultfd
#define UFFD_IOC_REGISTER _IOWR(UFFD_ABI_IOCTL_TYPE, 0x00, struct uffd_register_args)
#define UFFD_IOC_WAKE _IOR(UFFD_ABI_IOCTL_TYPE, 0x02, struct uffd_range_args)
#define UFFD_IOC_WRITEPROTECT _IOWR(UFFD_ABI_IOCTL_TYPE, 0x06, struct uffd_writeprotect_args)
#define UFFD_IOC_API _IOWR(UFFD_ABI_IOCTL_TYPE, 0x3F, struct uffd_api_args)

// ---- State -------------------------------------------------------------------------------

// Set once by wp_init (under the global lock, before the handler thread starts); reset in a
// forked child, which has no handler thread.
static struct {
  bool initialized;
  bool enabled;
  int fd;
} g_wp = {.fd = -1};

static bool env_set(const char* name) {
  const char* v = getenv(name);
  return v != NULL && v[0] != '\0';
}

static void wp_log_write_protect(const char* source) {
  fprintf(stderr, "zircon4j host: copy-on-write mode: write-protect (a full userfaultfd from %s "
          "resolves user and kernel stores); a snapshot of a writably mapped VMO copies nothing, "
          "each page is copied on its first store\n", source);
}

// `why` says why write protection is not used; `advice` what would enable it (or NULL).
static void wp_log_eager(const char* why, const char* advice) {
  fprintf(stderr, "zircon4j host: copy-on-write mode: eager-copy (%s); a snapshot of a writably "
          "mapped VMO copies its mapped pages at once%s%s\n", why, advice != NULL ? ". " : "",
          advice != NULL ? advice : "");
}

// What an administrator can do when only the user-mode-only userfaultfd is granted.
static const char kFullUffdAdvice[] =
    "For the faster write-protect mode an administrator can run "
    "`sysctl vm.unprivileged_userfaultfd=1` or give this user read-write access to "
    "/dev/userfaultfd";

// Opens a full userfaultfd (kernel-mode faults delivered too): /dev/userfaultfd, else the
// syscall. On failure returns -1 and says why in `why` (both errors).
static int wp_open(const char** source, char* why, size_t why_len) {
  int flags = O_CLOEXEC;  // blocking: the handler thread sleeps in read(2)
  if (env_set("ZIRCON4J_HOST_UFFD_USER_MODE_ONLY")) {
    snprintf(why, why_len, "ZIRCON4J_HOST_UFFD_USER_MODE_ONLY is set: acting as if only the "
             "user-mode-only userfaultfd were granted, under which read(2) into a protected page "
             "fails with EFAULT");
    return -1;
  }
  int dev_err = 0;
  int dev = open("/dev/userfaultfd", O_RDWR | O_CLOEXEC);
  if (dev >= 0) {
    int fd = ioctl(dev, UFFD_IOC_NEW, flags);
    dev_err = fd < 0 ? errno : 0;
    close(dev);
    if (fd >= 0) {
      *source = "/dev/userfaultfd";
      return fd;
    }
  } else {
    dev_err = errno;
  }
  int fd = (int)syscall(SYS_userfaultfd, flags);
  if (fd >= 0) {
    *source = "the userfaultfd syscall";
    return fd;
  }
  int sys_err = errno;
  snprintf(why, why_len, "no full userfaultfd: /dev/userfaultfd: %s, userfaultfd(2): %s; the "
           "user-mode-only one would make read(2) into a writable mapping fail with EFAULT after "
           "a snapshot", strerror(dev_err), strerror(sys_err));
  return -1;
}

static void* wp_handler(void* arg);

static void wp_atfork_prepare(void) {
  zx_lock();
  vmar_resolve_all_protected();  // the child gets plain mappings of the top layers
}

static void wp_atfork_parent(void) { zx_unlock(); }

static void wp_atfork_child(void) {
  // The child has no handler thread, and the descriptor speaks for the parent's address space.
  if (g_wp.fd >= 0) close(g_wp.fd);
  g_wp.fd = -1;
  g_wp.enabled = false;
  zx_unlock();
}

static void wp_init(void) {
  g_wp.initialized = true;
  if (env_set("ZIRCON4J_HOST_EAGER_COW")) {
    wp_log_eager("ZIRCON4J_HOST_EAGER_COW is set", NULL);
    return;
  }
  const char* source = NULL;
  char why[512];
  int fd = wp_open(&source, why, sizeof(why));
  if (fd < 0) {
    wp_log_eager(why, kFullUffdAdvice);
    return;
  }
  // A first handshake with no feature asked reports what the kernel supports; the API can be
  // set only once per descriptor, so the one used is opened afresh.
  struct uffd_api_args api = {.api = UFFD_ABI_API};
  if (ioctl(fd, UFFD_IOC_API, &api) != 0) {
    snprintf(why, sizeof(why), "UFFDIO_API failed: %s", strerror(errno));
    close(fd);
    wp_log_eager(why, NULL);
    return;
  }
  close(fd);
  const uint64_t needed = UFFD_ABI_FEATURE_WP_SHMEM | UFFD_ABI_FEATURE_WP_UNPOPULATED;
  if ((api.features & needed) != needed) {
    wp_log_eager((api.features & UFFD_ABI_FEATURE_WP_SHMEM) == 0
                     ? "the kernel cannot write-protect shmem with userfaultfd"
                     : "the kernel cannot write-protect unpopulated pages with userfaultfd",
                 (api.features & UFFD_ABI_FEATURE_WP_SHMEM) == 0
                     ? "Linux 5.19 or later has the write-protect mode"
                     : "Linux 6.4 or later has the write-protect mode");
    return;
  }
  fd = wp_open(&source, why, sizeof(why));
  if (fd < 0) {
    wp_log_eager(why, kFullUffdAdvice);
    return;
  }
  api = (struct uffd_api_args){.api = UFFD_ABI_API,
                               .features = needed | (api.features & UFFD_ABI_FEATURE_THREAD_ID)};
  if (ioctl(fd, UFFD_IOC_API, &api) != 0) {
    snprintf(why, sizeof(why), "UFFDIO_API with write protection failed: %s", strerror(errno));
    close(fd);
    wp_log_eager(why, NULL);
    return;
  }
  // The handler thread takes no signal meant for the application.
  sigset_t all, old;
  sigfillset(&all);
  pthread_t thread;
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  g_wp.fd = fd;
  int rc = pthread_create(&thread, &attr, wp_handler, NULL);
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  pthread_attr_destroy(&attr);
  if (rc != 0) {
    close(fd);
    g_wp.fd = -1;
    snprintf(why, sizeof(why), "cannot start the fault handler thread: %s", strerror(rc));
    wp_log_eager(why, NULL);
    return;
  }
  pthread_atfork(wp_atfork_prepare, wp_atfork_parent, wp_atfork_child);
  g_wp.enabled = true;
  wp_log_write_protect(source);
}

bool wp_enabled(void) {
  if (!g_wp.initialized) wp_init();
  return g_wp.enabled;
}

// Test-only (not a zircon call, absent on Fuchsia): the copy-on-write mode in force,
// "write-protect" or "eager-copy", chosen now if no writable mapping chose it yet. A forked child
// of a process that had write protection reports "eager-copy" (it has no handler thread).
ZX_EXPORT const char* zircon4j_host_cow_mode(void) {
  zx_lock();
  bool lazy = wp_enabled();
  zx_unlock();
  return lazy ? "write-protect" : "eager-copy";
}

zx_status_t wp_register(uintptr_t addr, size_t len) {
  if (!g_wp.enabled) return ZX_ERR_NOT_SUPPORTED;
  struct uffd_register_args reg = {{addr, len}, UFFD_ABI_REGISTER_MODE_WP, 0};
  return ioctl(g_wp.fd, UFFD_IOC_REGISTER, &reg) == 0 ? ZX_OK : ZX_ERR_NO_MEMORY;
}

// UFFDIO_WRITEPROTECT of registered [addr, addr + len) with `mode`.
static zx_status_t wp_change(uintptr_t addr, size_t len, uint64_t mode) {
  if (!g_wp.enabled) return ZX_ERR_NOT_SUPPORTED;
  struct uffd_writeprotect_args wp = {{addr, len}, mode};
  return ioctl(g_wp.fd, UFFD_IOC_WRITEPROTECT, &wp) == 0 ? ZX_OK : ZX_ERR_NO_MEMORY;
}

zx_status_t wp_protect(uintptr_t addr, size_t len) {
  return wp_change(addr, len, UFFD_ABI_WRITEPROTECT_MODE_WP);
}

zx_status_t wp_unprotect(uintptr_t addr, size_t len) {
  return wp_change(addr, len, 0);  // no DONTWAKE: the threads faulting there resume
}

// ---- The fault handler thread --------------------------------------------------------------

// Resolves one write fault: under the lock (which no holder keeps while touching a protected
// page, see vmar_prepare_user_write), the page is copied up and re-pointed, or, if no mapping of
// ours holds the address any more (unmapped meanwhile), nothing is done: the writer retries on
// whatever is there now. Then the writer is woken. A page that cannot be copied (out of memory)
// gets the writer a SIGBUS, as a fault that cannot be served would.
static void wp_handle(const struct uffd_message* msg) {
  uintptr_t page = (uintptr_t)(msg->address & ~(zx_page() - 1));
  bool woken = false;
  zx_lock();
  zx_status_t status = vmar_resolve_write(page, &woken);
  zx_unlock();
  if (status != ZX_OK && msg->ptid != 0) {
    syscall(SYS_tgkill, getpid(), (pid_t)msg->ptid, SIGBUS);
  }
  if (woken) return;  // lifting the protection woke the writer
  struct uffd_range_args range = {page, zx_page()};
  ioctl(g_wp.fd, UFFD_IOC_WAKE, &range);
}

static void* wp_handler(void* arg) {
  (void)arg;
  int fd = g_wp.fd;
  struct uffd_message msgs[16];
  for (;;) {
    ssize_t n = read(fd, msgs, sizeof(msgs));
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR) continue;
      return NULL;  // the descriptor is gone
    }
    for (size_t i = 0; i < (size_t)n / sizeof(msgs[0]); i++) {
      if (msgs[i].event == UFFD_ABI_EVENT_PAGEFAULT) wp_handle(&msgs[i]);
    }
  }
}
