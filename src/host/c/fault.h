// The hook of injected failures (fault.c; the controls are in native-headers/zircon4j/fault.h).
//
// Every exported syscall that returns a zx_status_t starts with ZX_FAULT_POINT, naming its
// handle arguments (ZX_HANDLE_INVALID where it has fewer than two) and its option argument
// (ZX_FAULT_NO_OPTION where it has none). While no thread has a fault armed or a trace running,
// the hook costs one relaxed load of a global counter, which only arming and disarming write.

#ifndef ZIRCON4J_HOST_FAULT_H_
#define ZIRCON4J_HOST_FAULT_H_

#include <stdint.h>
#include <zircon/types.h>

// Threads with a fault armed or a trace running.
__attribute__((visibility("hidden"))) extern unsigned zx_fault_threads;

// The injected status for this call of `syscall` on the calling thread (recording it if the
// thread traces), or ZX_OK to run it as usual.
__attribute__((visibility("hidden"))) zx_status_t fault_check(const char* syscall, zx_handle_t a,
                                                              zx_handle_t b, uint64_t option);

// The option argument of a syscall that has none: outside every 32-bit option, so never matched.
#define ZX_FAULT_NO_OPTION UINT64_MAX

#define ZX_FAULT_POINT(a, b, option)                                                  \
  do {                                                                                \
    if (__builtin_expect(__atomic_load_n(&zx_fault_threads, __ATOMIC_RELAXED), 0)) {  \
      zx_status_t injected_ = fault_check(__func__, (a), (b), (option));              \
      if (injected_ != ZX_OK) return injected_;                                       \
    }                                                                                 \
  } while (0)

#endif  // ZIRCON4J_HOST_FAULT_H_
