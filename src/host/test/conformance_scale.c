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

// 1 GiB; 16 MiB under the sanitizers, whose builds also validate the invariants after the
// calls (still far past the 32 page-by-page re-points before a consolidation, and 2^11 runs).
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define kScaleBytes ((uint64_t)16 << 20)
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define kScaleBytes ((uint64_t)16 << 20)
#endif
#endif
#ifndef kScaleBytes
#define kScaleBytes ((uint64_t)1 << 30)
#endif
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
  const uint64_t pages = kScaleBytes / ps();
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
  fprintf(stderr, "  [scale] %llu MiB random stores: VMAs %ld before, peak %ld, after %ld\n",
          (unsigned long long)(kScaleBytes >> 20), vmas_before, vmas_peak, vma_count());
  free(order);
  unmap_words((uint64_t*)reader, pages * ps());
  unmap_words(writer, pages * ps());
  CHECK_EQ(zx_handle_close(child), ZX_OK);
  CHECK_EQ(zx_handle_close(vmo), ZX_OK);
}

// Word 0 of page i of the data written first, and of the pages rewritten later.
static uint64_t old_word(uint64_t i) { return i * 3 + 1; }
static uint64_t new_word(uint64_t i) { return ~i; }

// The alternating scenario on `bytes`: a written VMO, snapshot, every other page rewritten,
// snapshot again; the second snapshot, the VMO and the first snapshot are mapped read-only and
// read back. `check_committed`: mapping changes no committed_bytes (computing them over 2^18
// alternating runs is itself slow, so only the smaller run asks).
static void alternating_layers(uint64_t bytes, bool check_committed) {
  const uint64_t pages = bytes / ps();
  const uint64_t words = ps() / 8;
  zx_handle_t vmo = make_vmo(pages * ps(), 0);
  const uint64_t chunk_pages = 256;
  uint64_t* buf = calloc(chunk_pages, ps());
  if (buf == NULL) abort();
  for (uint64_t p = 0; p < pages; p += chunk_pages) {
    for (uint64_t i = 0; i < chunk_pages; i++) buf[i * words] = old_word(p + i);
    CHECK_EQ(zx_vmo_write(vmo, buf, p * ps(), chunk_pages * ps()), ZX_OK);
  }
  zx_handle_t first = ZX_HANDLE_INVALID;
  CHECK_EQ(zx_vmo_create_child(vmo, kSnapshot, 0, pages * ps(), &first), ZX_OK);
  for (uint64_t p = 0; p < pages; p += 2) {
    uint64_t word = new_word(p);
    CHECK_EQ(zx_vmo_write(vmo, &word, p * ps(), 8), ZX_OK);
  }
  zx_handle_t second = ZX_HANDLE_INVALID;
  CHECK_EQ(zx_vmo_create_child(vmo, kSnapshot, 0, pages * ps(), &second), ZX_OK);
  uint64_t committed_before = 0;
  if (check_committed) {
    committed_before = vmo_info(vmo).committed_bytes + vmo_info(first).committed_bytes +
                       vmo_info(second).committed_bytes;
  }
  long vmas_before = vma_count();
  zx_vaddr_t addr = 0;
  CHECK_EQ(zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ, 0, second, 0, pages * ps(), &addr),
           ZX_OK);
  long vmas_mapped = vma_count();
  zx_vaddr_t parent_addr = 0;
  CHECK_EQ(zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ, 0, vmo, 0, pages * ps(),
                       &parent_addr),
           ZX_OK);
  zx_vaddr_t first_addr = 0;
  CHECK_EQ(zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ, 0, first, 0, pages * ps(),
                       &first_addr),
           ZX_OK);
  CHECK(vmas_mapped - vmas_before < 8);
  CHECK(vma_count() - vmas_before < 16);
  fprintf(stderr, "  [scale] %llu MiB alternating layers: VMAs %ld before, %ld with the"
          " snapshot mapped, %ld with all three mapped\n", (unsigned long long)(bytes >> 20),
          vmas_before, vmas_mapped, vma_count());
  if (addr != 0 && parent_addr != 0 && first_addr != 0) {
    const uint64_t* s = (const uint64_t*)addr;
    const uint64_t* v = (const uint64_t*)parent_addr;
    const uint64_t* f = (const uint64_t*)first_addr;
    uint64_t wrong = 0;
    for (uint64_t i = 0; i < pages; i++) {
      uint64_t want = i % 2 == 0 ? new_word(i) : old_word(i);
      wrong += s[i * words] != want;
      wrong += v[i * words] != want;
      wrong += f[i * words] != old_word(i);
      wrong += s[i * words + 1] != 0;  // the rest of each page as written (zeros)
    }
    CHECK_EQ(wrong, 0);
  }
  // Mapping copies nothing that zircon would charge.
  if (check_committed) {
    CHECK_EQ(vmo_info(vmo).committed_bytes + vmo_info(first).committed_bytes +
                 vmo_info(second).committed_bytes,
             committed_before);
  }
  if (addr != 0) CHECK_EQ(zx_vmar_unmap(zx_vmar_root_self(), addr, pages * ps()), ZX_OK);
  if (parent_addr != 0) {
    CHECK_EQ(zx_vmar_unmap(zx_vmar_root_self(), parent_addr, pages * ps()), ZX_OK);
  }
  if (first_addr != 0) {
    CHECK_EQ(zx_vmar_unmap(zx_vmar_root_self(), first_addr, pages * ps()), ZX_OK);
  }
  free(buf);
  CHECK_EQ(zx_handle_close(second), ZX_OK);
  CHECK_EQ(zx_handle_close(first), ZX_OK);
  // The VMO alone again: its pages merge back, and it still reads right.
  uint64_t w = 0;
  CHECK_EQ(zx_vmo_read(vmo, &w, 3 * ps(), 8), ZX_OK);
  CHECK_EQ(w, old_word(3));
  CHECK_EQ(zx_vmo_read(vmo, &w, 4 * ps(), 8), ZX_OK);
  CHECK_EQ(w, new_word(4));
  CHECK_EQ(vmo_info(vmo).committed_bytes, pages * ps());
  CHECK_EQ(zx_handle_close(vmo), ZX_OK);
}

SCENARIO(a_snapshot_whose_pages_alternate_between_two_layers_maps_and_reads_right) {
  alternating_layers(kScaleBytes, false);
}

SCENARIO(filling_a_fragmented_layer_for_a_mapping_changes_no_committed_bytes) {
  alternating_layers((uint64_t)4 << 20, true);
}

void run_scale_tests(void) {
  RUN(filling_a_fragmented_layer_for_a_mapping_changes_no_committed_bytes);
  RUN(a_snapshot_whose_pages_alternate_between_two_layers_maps_and_reads_right);
  RUN(a_mapped_snapshot_of_1g_never_shows_stores_made_to_every_page_in_random_order);
}
