// Conformance suite, part 5: snapshots taken while a writer stores through a PERM_WRITE
// mapping, in the cases where the emulation keeps the snapshot's pages in the writer's memory
// until they are first changed (see "Lent pages" in src/host/c/vmo.c): every way of changing
// such a page (a store, zx_vmo_write, COMMIT, ZERO, a shrink), closing the writer's VMO before
// its snapshots, chains of snapshots closed out of order, and a second writer mapped later. Where
// the library chose the eager copy (zircon4j_host_cow_mode) the same checks hold for it.

#include <stdbool.h>
#include <stdint.h>
#include <zircon/process.h>
#include <zircon/syscalls.h>

#include "harness.h"

static const uint32_t kSnapshot = ZX_VMO_CHILD_SNAPSHOT | ZX_VMO_CHILD_NO_WRITE;
static const zx_vm_option_t kReadWrite = ZX_VM_PERM_READ | ZX_VM_PERM_WRITE;

// Word 0 of page `page` of `vmo`, read with zx_vmo_read.
static uint64_t first_word(zx_handle_t vmo, uint64_t page) {
  uint64_t w = 0xdeadbeef;
  CHECK_EQ(zx_vmo_read(vmo, &w, page * ps(), 8), ZX_OK);
  return w;
}

static zx_handle_t snapshot_of(zx_handle_t vmo, uint64_t pages) {
  zx_handle_t child = ZX_HANDLE_INVALID;
  CHECK_EQ(zx_vmo_create_child(vmo, kSnapshot, 0, pages * ps(), &child), ZX_OK);
  return child;
}

// Stores `value + i` into word 0 of every page i of the writer's mapping.
static void store_all(uint64_t* writer, uint64_t pages, uint64_t value) {
  for (uint64_t i = 0; i < pages; i++) writer[i * ps() / 8] = value + i;
}

// Checks that word 0 of page i of `vmo` holds `value + i` for every page (read with zx_vmo_read
// and, given one, through `view`, a mapping of it).
static void check_all(zx_handle_t vmo, const uint64_t* view, uint64_t pages, uint64_t value) {
  for (uint64_t i = 0; i < pages; i++) {
    CHECK_EQ(first_word(vmo, i), value + i);
    if (view != NULL) CHECK_EQ(view[i * ps() / 8], value + i);
  }
}

// A VMO of `pages` pages (created with `options`) with a live PERM_WRITE mapping of all of it in
// *writer, through which word 0 of every page i was set to value + i.
static zx_handle_t writer_vmo(uint64_t pages, uint32_t options, uint64_t value,
                              uint64_t** writer) {
  zx_handle_t vmo = make_vmo(pages * ps(), options);
  *writer = map_words(kReadWrite, vmo, pages * ps());
  store_all(*writer, pages, value);
  return vmo;
}

static uint64_t committed_pages(zx_handle_t vmo) { return vmo_info(vmo).committed_bytes / ps(); }

SCENARIO(closing_the_writers_vmo_first_leaves_its_snapshot_whole_and_charged) {
  const uint64_t pages = 32;
  uint64_t* writer;
  zx_handle_t vmo = writer_vmo(pages, 0, 100, &writer);
  zx_handle_t child = snapshot_of(vmo, pages);
  uint64_t* view = map_words(ZX_VM_PERM_READ, child, pages * ps());
  for (uint64_t i = 0; i < pages; i += 4) writer[i * ps() / 8] = 900 + i;  // 8 pages forked
  unmap_words(writer, pages * ps());
  CHECK_EQ(zx_handle_close(vmo), ZX_OK);
  // The snapshot alone is left: it sees and is charged for every page it had.
  check_all(child, view, pages, 100);
  CHECK_EQ(committed_pages(child), pages);
  unmap_words(view, pages * ps());
  view = map_words(ZX_VM_PERM_READ, child, pages * ps());  // mapped afresh from what is left
  check_all(child, view, pages, 100);
  unmap_words(view, pages * ps());
  CHECK_EQ(zx_handle_close(child), ZX_OK);
}

SCENARIO(library_writes_commit_zero_and_shrink_give_the_snapshot_its_copy_first) {
  const uint64_t pages = 16;
  uint64_t* writer;
  zx_handle_t vmo = writer_vmo(pages, ZX_VMO_RESIZABLE, 10, &writer);
  zx_handle_t child = snapshot_of(vmo, pages);
  uint64_t* view = map_words(ZX_VM_PERM_READ, child, pages * ps());
  uint64_t word = 4242;
  CHECK_EQ(zx_vmo_write(vmo, &word, 1 * ps() + 8, 8), ZX_OK);  // part of page 1
  CHECK_EQ(zx_vmo_write(vmo, &word, 2 * ps(), 8), ZX_OK);      // word 0 of page 2
  CHECK_EQ(zx_vmo_op_range(vmo, ZX_VMO_OP_COMMIT, 3 * ps(), ps(), NULL, 0), ZX_OK);
  CHECK_EQ(zx_vmo_op_range(vmo, ZX_VMO_OP_ZERO, 4 * ps(), 2 * ps(), NULL, 0), ZX_OK);
  CHECK_EQ(zx_vmo_set_size(vmo, 12 * ps()), ZX_OK);  // pages 12..15 go
  CHECK_EQ(first_word(vmo, 1), 11);
  CHECK_EQ(first_word(vmo, 2), 4242);
  CHECK_EQ(writer[2 * ps() / 8], 4242);
  CHECK_EQ(first_word(vmo, 3), 13);
  CHECK_EQ(first_word(vmo, 4), 0);
  CHECK_EQ(writer[5 * ps() / 8], 0);
  // The snapshot still has all of it, through its mapping and zx_vmo_read.
  check_all(child, view, pages, 10);
  // The parent grows back: the regrown pages read zero, the snapshot is unchanged.
  CHECK_EQ(zx_vmo_set_size(vmo, pages * ps()), ZX_OK);
  CHECK_EQ(first_word(vmo, 13), 0);
  check_all(child, view, pages, 10);
  unmap_words(view, pages * ps());
  CHECK_EQ(zx_handle_close(child), ZX_OK);
  CHECK_EQ(first_word(vmo, 6), 16);
  CHECK_EQ(first_word(vmo, 4), 0);
  unmap_words(writer, pages * ps());
  CHECK_EQ(zx_handle_close(vmo), ZX_OK);
}

SCENARIO(snapshots_held_while_the_writer_goes_on_keep_their_moments_when_closed_out_of_order) {
  const uint64_t pages = 24;
  const int kSnapshots = 6;
  zx_handle_t vmo = make_vmo(pages * ps(), 0);
  uint64_t* writer = map_words(kReadWrite, vmo, pages * ps());
  zx_handle_t children[6];
  for (int s = 0; s < kSnapshots; s++) {
    store_all(writer, pages, 1000 * (uint64_t)(s + 1));
    children[s] = snapshot_of(vmo, pages);
    // Each round stores to a different part too, so the layers differ in size.
    for (uint64_t i = 0; i < (uint64_t)s * 3 && i < pages; i++) writer[i * ps() / 8] = 7;
  }
  store_all(writer, pages, 99000);
  const int order[6] = {2, 0, 4, 1, 5, 3};
  for (int k = 0; k < kSnapshots; k++) {
    // Every snapshot still open holds what the VMO held when it was taken.
    for (int s = 0; s < kSnapshots; s++) {
      bool open = true;
      for (int j = 0; j < k; j++) open = open && order[j] != s;
      if (open) check_all(children[s], NULL, pages, 1000 * (uint64_t)(s + 1));
    }
    check_all(vmo, writer, pages, 99000);
    CHECK_EQ(zx_handle_close(children[order[k]]), ZX_OK);
  }
  CHECK_EQ(committed_pages(vmo), pages);
  store_all(writer, pages, 5);
  check_all(vmo, writer, pages, 5);
  unmap_words(writer, pages * ps());
  CHECK_EQ(zx_handle_close(vmo), ZX_OK);
}

SCENARIO(a_snapshot_of_the_snapshot_and_a_second_writer_see_the_right_pages) {
  const uint64_t pages = 8;
  uint64_t* writer;
  zx_handle_t vmo = writer_vmo(pages, 0, 50, &writer);
  zx_handle_t child = snapshot_of(vmo, pages);
  // Lazy: the snapshot commits nothing. Eager: the writably mapped pages are copied now, and
  // again when the second writer is mapped.
  bool lazy = cow_write_protect();
  CHECK_EQ(committed_pages(vmo) + committed_pages(child), lazy ? pages : 2 * pages);
  zx_handle_t grandchild = snapshot_of(child, pages);
  uint64_t* second = map_words(kReadWrite, vmo, pages * ps());  // a writer mapped after it
  CHECK_EQ(second[3 * ps() / 8], 53);
  second[3 * ps() / 8] = 333;
  writer[4 * ps() / 8] = 444;
  CHECK_EQ(writer[3 * ps() / 8], 333);
  CHECK_EQ(second[4 * ps() / 8], 444);
  check_all(child, NULL, pages, 50);
  check_all(grandchild, NULL, pages, 50);
  CHECK_EQ(zx_handle_close(child), ZX_OK);
  check_all(grandchild, NULL, pages, 50);
  // Lazy: 2 pages forked by the writers; the rest is shared and charged to the VMO (first in
  // order). Eager: the VMO has its own copy of every page.
  CHECK_EQ(committed_pages(vmo) + committed_pages(grandchild), lazy ? pages + 2 : 2 * pages);
  CHECK_EQ(zx_handle_close(grandchild), ZX_OK);
  CHECK_EQ(committed_pages(vmo), pages);
  unmap_words(second, pages * ps());
  unmap_words(writer, pages * ps());
  CHECK_EQ(zx_handle_close(vmo), ZX_OK);
}

void run_lent_tests(void) {
  RUN(closing_the_writers_vmo_first_leaves_its_snapshot_whole_and_charged);
  RUN(library_writes_commit_zero_and_shrink_give_the_snapshot_its_copy_first);
  RUN(snapshots_held_while_the_writer_goes_on_keep_their_moments_when_closed_out_of_order);
  RUN(a_snapshot_of_the_snapshot_and_a_second_writer_see_the_right_pages);
}
