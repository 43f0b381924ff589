// A tiny test harness: counts individual checks. Each failing check prints file:line and both
// values. main() ends with exactly "N passed, M failed" (N, M = numbers of checks). The counters
// are atomic: some scenarios check from several threads.

#ifndef ZIRCON4J_HOST_TEST_HARNESS_H_
#define ZIRCON4J_HOST_TEST_HARNESS_H_

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <zircon/syscalls.h>

extern _Atomic int g_passed;
extern _Atomic int g_failed;
extern const char* g_scenario;

#define CHECK_EQ(actual, expected)                                                            \
  do {                                                                                        \
    long long a_ = (long long)(actual);                                                       \
    long long e_ = (long long)(expected);                                                     \
    if (a_ == e_) {                                                                           \
      g_passed++;                                                                             \
    } else {                                                                                  \
      g_failed++;                                                                             \
      fprintf(stderr, "%s:%d: [%s] %s == %s: got %lld (0x%llx), want %lld (0x%llx)\n",       \
              __FILE__, __LINE__, g_scenario, #actual, #expected, a_, (unsigned long long)a_, \
              e_, (unsigned long long)e_);                                                    \
    }                                                                                         \
  } while (0)

#define CHECK(cond)                                                                 \
  do {                                                                              \
    if (cond) {                                                                     \
      g_passed++;                                                                   \
    } else {                                                                        \
      g_failed++;                                                                   \
      fprintf(stderr, "%s:%d: [%s] %s is false\n", __FILE__, __LINE__, g_scenario, \
              #cond);                                                               \
    }                                                                               \
  } while (0)

#define SCENARIO(name) static void name(void)
#define RUN(name)     \
  do {                \
    g_scenario = #name; \
    name();           \
  } while (0)

// support.c: the page size, a VMO created with a checked status, its checked ZX_INFO_VMO, and
// probes of what the host has mapped.
uint64_t ps(void);
zx_handle_t make_vmo(uint64_t size, uint32_t options);
zx_info_vmo_t vmo_info(zx_handle_t h);
// A checked zx_vmar_map of all `len` bytes of `vmo` into the root VMAR, and its checked unmap.
uint64_t* map_words(zx_vm_option_t options, zx_handle_t vmo, size_t len);
void unmap_words(uint64_t* words, size_t len);
// Touches addr (writes when `write`) in a forked child; returns the signal that killed it, or 0.
int touch_signal(uintptr_t addr, int write);
// The permission string ("r--p", ...) of the /proc/self/maps line holding addr, or "????".
void perms_of(uintptr_t addr, char out[5]);

// The emulation's copy-on-write mode for snapshots of writably mapped VMOs, "write-protect" or
// "eager-copy" (a test-only export of libzircon.so, see src/host/c/uffd.c), and whether it is
// write-protect (lazy: a snapshot copies nothing, a first store copies one page).
const char* zircon4j_host_cow_mode(void);
bool cow_write_protect(void);

// conformance_vmar.c
void run_vmar_tests(void);
// conformance_objects.c
void run_object_tests(void);
// conformance_events.c
void run_event_tests(void);
// conformance_subvmar.c
void run_subvmar_tests(void);

// conformance_cow.c
void run_cow_tests(void);

// conformance_attribution.c
void run_attribution_tests(void);

// conformance_lent.c
void run_lent_tests(void);

// conformance_fidelity.c
void run_fidelity_tests(void);

// conformance_process.c
void run_process_tests(void);

// conformance_fault.c
void run_fault_tests(void);

// conformance_scale.c
void run_scale_tests(void);

#endif  // ZIRCON4J_HOST_TEST_HARNESS_H_
