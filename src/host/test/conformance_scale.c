// Conformance suite, part 6: behaviour at scale. A snapshot's mapping never shows a later write,
// however many pages the writer changes and in whatever order (the host's address-space limit,
// vm.max_map_count, must not be reachable through a write pattern); mapping costs what the
// history leaves, never a failure.

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zircon/process.h>
#include <zircon/syscalls.h>

#include "harness.h"

static const uint32_t kSnapshot = ZX_VMO_CHILD_SNAPSHOT | ZX_VMO_CHILD_NO_WRITE;
static const zx_vm_option_t kReadWrite = ZX_VM_PERM_READ | ZX_VM_PERM_WRITE;

// Lines of /proc/self/maps: the process's VMAs.
static long vma_count(void) {
  FILE* f = fopen("/proc/self/maps", "r");
  if (f == NULL) return -1;
  long lines = 0;
  int c;
  while ((c = fgetc(f)) != EOF) {
    if (c == '\n') lines++;
  }
  fclose(f);
  return lines;
}

// A permutation of 0..n-1 (xorshift-driven Fisher-Yates, fixed seed: the same order every run).
static uint64_t* shuffled(uint64_t n) {
  uint64_t* order = malloc(n * sizeof(*order));
  if (order == NULL) abort();
  for (uint64_t i = 0; i < n; i++) order[i] = i;
  uint64_t x = 0x9e3779b97f4a7c15u;
  for (uint64_t i = n - 1; i > 0; i--) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    uint64_t j = x % (i + 1);
    uint64_t t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  return order;
}

SCENARIO(a_mapped_snapshot_of_1g_never_shows_stores_made_to_every_page_in_random_order) {
  const uint64_t pages = ((uint64_t)1 << 30) / ps();
  const uint64_t words = ps() / 8;
  zx_handle_t vmo = make_vmo(pages * ps(), 0);
  uint64_t* writer = map_words(kReadWrite, vmo, pages * ps());
  for (uint64_t i = 0; i < pages; i++) writer[i * words] = i + 1;
  zx_handle_t child = ZX_HANDLE_INVALID;
  CHECK_EQ(zx_vmo_create_child(vmo, kSnapshot, 0, pages * ps(), &child), ZX_OK);
  const uint64_t* reader = map_words(ZX_VM_PERM_READ, child, pages * ps());
  long vmas_before = vma_count();
  uint64_t* order = shuffled(pages);
  long vmas_peak = vmas_before;
  for (uint64_t k = 0; k < pages; k++) {
    writer[order[k] * words] = ~order[k];
    if (k % 4096 == 0) {
      long now = vma_count();
      if (now > vmas_peak) vmas_peak = now;
    }
  }
  uint64_t changed = 0;
  for (uint64_t i = 0; i < pages; i++) changed += reader[i * words] != i + 1;
  CHECK_EQ(changed, 0);
  uint64_t lost = 0;
  for (uint64_t i = 0; i < pages; i++) lost += writer[i * words] != ~i;
  CHECK_EQ(lost, 0);
  uint64_t w = 0;
  CHECK_EQ(zx_vmo_read(child, &w, (pages - 1) * ps(), 8), ZX_OK);
  CHECK_EQ(w, pages);
  // The reader's mapping stays a few VMAs whatever the writer did.
  CHECK(vmas_peak - vmas_before < 256);
  fprintf(stderr, "  [scale] 1 GiB random stores: VMAs %ld before, peak %ld, after %ld\n",
          vmas_before, vmas_peak, vma_count());
  free(order);
  unmap_words((uint64_t*)reader, pages * ps());
  unmap_words(writer, pages * ps());
  CHECK_EQ(zx_handle_close(child), ZX_OK);
  CHECK_EQ(zx_handle_close(vmo), ZX_OK);
}

void run_scale_tests(void) {
  RUN(a_mapped_snapshot_of_1g_never_shows_stores_made_to_every_page_in_random_order);
}
