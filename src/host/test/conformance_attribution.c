// Conformance: who is charged for shared pages (ZX_INFO_VMO committed_bytes), and ZX_VMO_OP_ZERO
// / DECOMMIT leaving zero markers instead of committed zero pages. The figures are zircon's
// (zircon/system/utest/core/vmo: vmo-clone2, vmo-zero), the scenarios are ours.

#include <stdbool.h>
#include <string.h>

#include "harness.h"

// Committed pages of `v`.
static uint64_t committed(zx_handle_t v) { return vmo_info(v).committed_bytes / ps(); }

// Writes `tag` as the first 4 bytes of page `page`.
static void tag_page(zx_handle_t v, uint64_t page, uint32_t tag) {
  CHECK_EQ(zx_vmo_write(v, &tag, page * ps(), sizeof(tag)), ZX_OK);
}

static uint32_t page_tag(zx_handle_t v, uint64_t page) {
  uint32_t tag = 0xffffffffu;
  CHECK_EQ(zx_vmo_read(v, &tag, page * ps(), sizeof(tag)), ZX_OK);
  return tag;
}

// A VMO of `pages` pages, page i tagged i + 1.
static zx_handle_t tagged_vmo(uint64_t pages, uint32_t options) {
  zx_handle_t v = make_vmo(pages * ps(), options);
  for (uint64_t i = 0; i < pages; i++) tag_page(v, i, (uint32_t)(i + 1));
  return v;
}

static zx_handle_t snapshot(zx_handle_t v, uint32_t extra, uint64_t page, uint64_t pages) {
  zx_handle_t c = ZX_HANDLE_INVALID;
  CHECK_EQ(zx_vmo_create_child(v, ZX_VMO_CHILD_SNAPSHOT | extra, page * ps(), pages * ps(), &c),
           ZX_OK);
  return c;
}

static zx_status_t op(zx_handle_t v, uint32_t which, uint64_t offset, uint64_t size) {
  return zx_vmo_op_range(v, which, offset, size, NULL, 0);
}

// ---- Attribution -------------------------------------------------------------------------

// The example: parent of 2 pages, snapshot, parent rewrites page 0. The old page 0 only
// the clone still sees, so it is the clone's: parent 2, clone 1 (not parent 3, clone 0).
SCENARIO(parent_rewrite_charges_the_old_page_to_the_clone) {
  zx_handle_t v = tagged_vmo(2, 0);
  zx_handle_t c = snapshot(v, 0, 0, 2);
  CHECK_EQ(committed(v), 2);
  CHECK_EQ(committed(c), 0);
  tag_page(v, 0, 20);
  CHECK_EQ(committed(v), 2);
  CHECK_EQ(committed(c), 1);
  tag_page(c, 1, 21);  // the clone forks page 1 too: its own copy, the parent keeps the old one
  CHECK_EQ(committed(v), 2);
  CHECK_EQ(committed(c), 2);
  tag_page(v, 1, 22);  // rewriting forked pages changes nothing
  tag_page(c, 0, 23);
  CHECK_EQ(committed(v), 2);
  CHECK_EQ(committed(c), 2);
  CHECK_EQ(page_tag(c, 1), 21);
  CHECK_EQ(zx_handle_close(c), ZX_OK);
  CHECK_EQ(zx_handle_close(v), ZX_OK);
}

// A page both the original and its snapshots see is the original's; among snapshots that see a
// page the original no longer does, the charge goes to one of them, never to two.
SCENARIO(a_shared_page_is_charged_once_to_the_original_first) {
  zx_handle_t v = tagged_vmo(1, 0);
  zx_handle_t c1 = snapshot(v, 0, 0, 1);
  zx_handle_t c2 = snapshot(v, 0, 0, 1);
  zx_handle_t g = snapshot(c1, 0, 0, 1);
  CHECK_EQ(committed(v), 1);
  CHECK_EQ(committed(c1) + committed(c2) + committed(g), 0);
  for (int round = 0; round < 2; round++) {  // reading changes nothing
    CHECK_EQ(page_tag(g, 0), 1);
    CHECK_EQ(committed(v), 1);
  }
  zx_handle_close(v);
  // Three VMOs still see the page: exactly one is charged for it.
  CHECK_EQ(committed(c1) + committed(c2) + committed(g), 1);
  CHECK_EQ(zx_handle_close(g), ZX_OK);
  CHECK_EQ(zx_handle_close(c2), ZX_OK);
  CHECK_EQ(zx_handle_close(c1), ZX_OK);
}

// Closing the parent passes the pages a clone can see to it, and only those: a clone of one page
// at an offset holds that page afterwards, whatever the parent wrote elsewhere.
SCENARIO(closing_the_parent_passes_only_visible_pages_to_the_clone) {
  zx_handle_t v = tagged_vmo(3, 0);
  zx_handle_t c = snapshot(v, 0, 1, 1);
  tag_page(v, 0, 40);  // outside the clone: costs it nothing
  tag_page(v, 2, 41);
  CHECK_EQ(committed(v), 3);
  CHECK_EQ(committed(c), 0);
  CHECK_EQ(zx_handle_close(v), ZX_OK);
  CHECK_EQ(page_tag(c, 0), 2);
  CHECK_EQ(committed(c), 1);
  CHECK_EQ(zx_handle_close(c), ZX_OK);
}

// A page no live VMO can see costs nothing: a clone of 3 pages at offset 1 of a 3-page parent
// sees 2 of them, so after the parent is closed it holds its 2 (one forked, one shared), not 3.
SCENARIO(a_page_no_vmo_can_see_costs_nothing) {
  zx_handle_t v = tagged_vmo(3, 0);
  zx_handle_t c = snapshot(v, 0, 1, 3);
  tag_page(c, 1, 50);
  CHECK_EQ(zx_handle_close(v), ZX_OK);
  CHECK_EQ(page_tag(c, 0), 2);
  CHECK_EQ(page_tag(c, 1), 50);
  CHECK_EQ(page_tag(c, 2), 0);
  CHECK_EQ(committed(c), 2);
  CHECK_EQ(zx_handle_close(c), ZX_OK);
}

// Six VMOs: an original of 6 tagged pages and 5 snapshots of it, snapshot i written at page i
// right after it is made. zircon charges them 6, 5, 4, 3, 2, 1 pages (21 in all); closing the
// original leaves 20 between the snapshots.
SCENARIO(a_progressive_clone_chain_holds_six_down_to_one_pages) {
  enum { kVmos = 6 };
  zx_handle_t vmos[kVmos];
  vmos[0] = tagged_vmo(kVmos, 0);
  CHECK_EQ(committed(vmos[0]), kVmos);
  for (uint64_t i = 1; i < kVmos; i++) {
    vmos[i] = snapshot(vmos[0], ZX_VMO_CHILD_RESIZABLE, 0, kVmos);
    tag_page(vmos[i], i, kVmos + 2);
  }
  for (uint64_t i = 0; i < kVmos; i++) CHECK_EQ(committed(vmos[i]), kVmos - i);
  for (uint64_t i = 0; i < kVmos; i++) {
    for (uint64_t j = 0; j < kVmos; j++) {
      CHECK_EQ(page_tag(vmos[i], j), (i != 0 && j == i) ? kVmos + 2 : j + 1);
    }
  }
  CHECK_EQ(zx_handle_close(vmos[0]), ZX_OK);
  uint64_t total = 0;
  for (uint64_t i = 1; i < kVmos; i++) total += committed(vmos[i]);
  CHECK_EQ(total, kVmos * (kVmos + 1) / 2 - 1);
  for (uint64_t i = 1; i < kVmos; i++) CHECK_EQ(zx_handle_close(vmos[i]), ZX_OK);
}

// A resizable 4-page parent and a resizable full snapshot, each of which has forked one page
// (the parent page 1, the snapshot page 2).
static void forked_pair(zx_handle_t* v, zx_handle_t* c) {
  *v = tagged_vmo(4, ZX_VMO_RESIZABLE);
  *c = snapshot(*v, ZX_VMO_CHILD_RESIZABLE, 0, 4);
  tag_page(*v, 1, 5);
  tag_page(*c, 2, 5);
}

// Shrinking the parent passes the pages it no longer sees to the clone that still does.
SCENARIO(shrinking_the_parent_passes_its_pages_to_the_clone) {
  zx_handle_t v, c;
  forked_pair(&v, &c);
  CHECK_EQ(committed(v), 4);
  CHECK_EQ(committed(c), 2);
  CHECK_EQ(zx_vmo_set_size(v, ps()), ZX_OK);
  CHECK_EQ(committed(v), 1);
  CHECK_EQ(committed(c), 3);
  CHECK_EQ(zx_vmo_set_size(v, 2 * ps()), ZX_OK);  // growing back shows zeros, takes nothing back
  CHECK_EQ(page_tag(v, 1), 0);
  CHECK_EQ(committed(v), 1);
  CHECK_EQ(committed(c), 3);
  CHECK_EQ(zx_handle_close(c), ZX_OK);
  CHECK_EQ(committed(v), 1);
  CHECK_EQ(zx_handle_close(v), ZX_OK);
}

// Shrinking the clone gives nothing to the parent, which was charged for the shared pages anyway.
SCENARIO(shrinking_the_clone_keeps_the_parents_charge) {
  zx_handle_t v, c;
  forked_pair(&v, &c);
  CHECK_EQ(zx_vmo_set_size(c, ps()), ZX_OK);
  CHECK_EQ(committed(v), 4);
  CHECK_EQ(committed(c), 0);
  CHECK_EQ(page_tag(c, 0), 1);
  CHECK_EQ(zx_handle_close(v), ZX_OK);
  CHECK_EQ(committed(c), 1);
  CHECK_EQ(zx_handle_close(c), ZX_OK);
}

// When the VMO charged for a shared page is closed, the charge moves to the VMO on the other side
// of the clone tree, as zircon re-attributes: with an original O, a 2-page clone A (page 1
// forked) and a later 1-page clone B of O, closing O charges A (made first, on the other side)
// for page 0, not B.
SCENARIO(closing_the_charged_vmo_moves_its_shared_pages_across_the_tree) {
  zx_handle_t o = tagged_vmo(3, 0);
  zx_handle_t a = snapshot(o, 0, 0, 2);
  tag_page(a, 1, 4);
  zx_handle_t b = snapshot(o, 0, 0, 1);
  CHECK_EQ(committed(o), 3);
  CHECK_EQ(committed(a), 1);
  CHECK_EQ(committed(b), 0);
  CHECK_EQ(zx_handle_close(o), ZX_OK);
  CHECK_EQ(committed(a), 2);
  CHECK_EQ(committed(b), 0);
  CHECK_EQ(page_tag(b, 0), 1);
  CHECK_EQ(zx_handle_close(a), ZX_OK);
  CHECK_EQ(committed(b), 1);
  CHECK_EQ(zx_handle_close(b), ZX_OK);
}

// The copies zircon makes when a VMO forks a page outlive that VMO: an offset clone that writes
// a page its two snapshots' first also sees, then is closed, leaves that snapshot charged for its
// own copy of the page (zircon: parent 4, first snapshot 1, second 0), not merged back with the
// parent's.
SCENARIO(copies_made_by_a_fork_outlive_the_forking_vmo) {
  zx_handle_t v = tagged_vmo(4, 0);
  zx_handle_t mid = snapshot(v, 0, 1, 3);
  zx_handle_t first = snapshot(mid, 0, 0, 2);
  zx_handle_t second = snapshot(mid, 0, 2, 1);
  tag_page(mid, 1, 40);
  CHECK_EQ(zx_handle_close(mid), ZX_OK);
  CHECK_EQ(page_tag(first, 1), 3);
  CHECK_EQ(page_tag(second, 0), 4);
  CHECK_EQ(committed(v), 4);
  CHECK_EQ(committed(first), 1);
  CHECK_EQ(committed(second), 0);
  CHECK_EQ(zx_handle_close(first), ZX_OK);
  CHECK_EQ(committed(v), 4);
  CHECK_EQ(committed(second), 0);
  CHECK_EQ(zx_handle_close(second), ZX_OK);
  CHECK_EQ(zx_handle_close(v), ZX_OK);
}

// Likewise when the forking VMO shrinks past the page instead of closing: with an original O and
// two snapshots A then B (B charged before A), O rewriting page 0 and shrinking to nothing leaves
// both A and B charged for a copy each.
SCENARIO(copies_made_by_a_fork_outlive_a_shrink_past_the_page) {
  zx_handle_t o = tagged_vmo(1, ZX_VMO_RESIZABLE);
  zx_handle_t a = snapshot(o, 0, 0, 1);
  zx_handle_t b = snapshot(o, 0, 0, 1);
  tag_page(o, 0, 9);
  CHECK_EQ(committed(a) + committed(b), 2);
  CHECK_EQ(zx_vmo_set_size(o, 0), ZX_OK);
  CHECK_EQ(committed(o), 0);
  CHECK_EQ(committed(a), 1);
  CHECK_EQ(committed(b), 1);
  CHECK_EQ(page_tag(a, 0), 1);
  CHECK_EQ(zx_handle_close(b), ZX_OK);
  CHECK_EQ(zx_handle_close(a), ZX_OK);
  CHECK_EQ(zx_handle_close(o), ZX_OK);
}

// Every written page of a family is charged somewhere while someone sees it: disjoint one-page
// clones each end up with exactly their page, in any closing order of the rest.
SCENARIO(disjoint_clones_each_hold_their_page_once_the_original_is_gone) {
  zx_handle_t v = tagged_vmo(4, 0);
  zx_handle_t mid = snapshot(v, 0, 1, 2);
  zx_handle_t leaves[4] = {snapshot(v, 0, 0, 1), snapshot(mid, 0, 0, 1), snapshot(mid, 0, 1, 1),
                           snapshot(v, 0, 3, 1)};
  CHECK_EQ(zx_handle_close(v), ZX_OK);
  CHECK_EQ(zx_handle_close(mid), ZX_OK);
  const int order[4] = {2, 0, 3, 1};
  for (int k = 0; k < 4; k++) {
    for (int i = 0; i < 4; i++) {
      bool closed = false;
      for (int j = 0; j < k; j++) closed |= order[j] == i;
      if (closed) continue;
      CHECK_EQ(page_tag(leaves[i], 0), (uint32_t)(i + 1));
      CHECK_EQ(committed(leaves[i]), 1);
    }
    CHECK_EQ(zx_handle_close(leaves[order[k]]), ZX_OK);
  }
}

// ---- Zero markers ------------------------------------------------------------------------

// ZERO over never-committed pages (partial or whole) commits nothing.
SCENARIO(zero_of_never_committed_pages_commits_nothing) {
  uint64_t p = ps();
  zx_handle_t v = make_vmo(3 * p, 0);
  CHECK_EQ(op(v, ZX_VMO_OP_ZERO, p / 2, p), ZX_OK);
  CHECK_EQ(op(v, ZX_VMO_OP_ZERO, 0, 3 * p), ZX_OK);
  CHECK_EQ(op(v, ZX_VMO_OP_ZERO, 10, 20), ZX_OK);
  CHECK_EQ(committed(v), 0);
  CHECK_EQ(page_tag(v, 1), 0);
  CHECK_EQ(zx_handle_close(v), ZX_OK);
}

// ZERO over whole committed pages frees them; partial pages are zeroed in place.
SCENARIO(zero_of_whole_committed_pages_frees_them) {
  uint64_t p = ps();
  zx_handle_t v = make_vmo(3 * p, 0);
  CHECK_EQ(op(v, ZX_VMO_OP_COMMIT, 0, 3 * p), ZX_OK);
  CHECK_EQ(op(v, ZX_VMO_OP_ZERO, p / 2, 2 * p), ZX_OK);
  CHECK_EQ(committed(v), 2);
  CHECK_EQ(zx_handle_close(v), ZX_OK);
}

// ZERO of a page a child shares with its parent leaves a zero marker in the child: it reads zero
// and commits nothing; the parent keeps the page (and its charge) until it zeroes it too.
SCENARIO(zero_of_a_shared_page_in_the_child_leaves_a_marker) {
  uint64_t p = ps();
  zx_handle_t v = tagged_vmo(1, 0);
  zx_handle_t c = snapshot(v, 0, 0, 2);
  CHECK_EQ(op(c, ZX_VMO_OP_ZERO, 0, p), ZX_OK);
  CHECK_EQ(page_tag(c, 0), 0);
  CHECK_EQ(page_tag(v, 0), 1);
  CHECK_EQ(committed(v), 1);
  CHECK_EQ(committed(c), 0);
  CHECK_EQ(op(v, ZX_VMO_OP_ZERO, 0, p), ZX_OK);  // nobody sees the old page any more
  CHECK_EQ(page_tag(v, 0), 0);
  CHECK_EQ(committed(v), 0);
  CHECK_EQ(committed(c), 0);
  tag_page(c, 0, 7);  // writing a marked page commits one fresh page
  CHECK_EQ(page_tag(c, 0), 7);
  CHECK_EQ(committed(c), 1);
  CHECK_EQ(zx_handle_close(c), ZX_OK);
  CHECK_EQ(zx_handle_close(v), ZX_OK);
}

// ZERO in the parent of a page its children still see charges the page to them: one child gets
// it; with two children made one after the other, each gets its own.
SCENARIO(zero_in_the_parent_passes_the_page_to_its_children) {
  uint64_t p = ps();
  zx_handle_t v = tagged_vmo(2, 0);
  zx_handle_t c = snapshot(v, 0, 0, 1);
  CHECK_EQ(op(v, ZX_VMO_OP_ZERO, 0, p), ZX_OK);
  CHECK_EQ(committed(v), 1);
  CHECK_EQ(committed(c), 1);
  CHECK_EQ(page_tag(c, 0), 1);
  CHECK_EQ(zx_handle_close(c), ZX_OK);
  CHECK_EQ(committed(v), 1);  // the zeroed page does not come back to the parent
  CHECK_EQ(page_tag(v, 0), 0);
  CHECK_EQ(zx_handle_close(v), ZX_OK);

  v = tagged_vmo(2, 0);
  zx_handle_t c1 = snapshot(v, 0, 0, 1);
  zx_handle_t c2 = snapshot(v, 0, 0, 1);
  CHECK_EQ(op(v, ZX_VMO_OP_ZERO, 0, p), ZX_OK);
  CHECK_EQ(committed(v), 1);
  CHECK_EQ(committed(c1), 1);
  CHECK_EQ(committed(c2), 1);
  CHECK_EQ(zx_handle_close(c2), ZX_OK);
  CHECK_EQ(zx_handle_close(c1), ZX_OK);
  CHECK_EQ(zx_handle_close(v), ZX_OK);
}

// A child's zero marker survives its parent's close: the child keeps reading zero there and is
// charged only for the page it still sees.
SCENARIO(a_zero_marker_survives_the_parents_close) {
  uint64_t p = ps();
  zx_handle_t v = tagged_vmo(2, 0);
  zx_handle_t c = snapshot(v, 0, 0, 2);
  CHECK_EQ(op(c, ZX_VMO_OP_ZERO, 0, p), ZX_OK);
  CHECK_EQ(committed(v) + committed(c), 2);
  CHECK_EQ(zx_handle_close(v), ZX_OK);
  CHECK_EQ(committed(c), 1);
  CHECK_EQ(page_tag(c, 0), 0);
  CHECK_EQ(page_tag(c, 1), 2);
  CHECK_EQ(zx_handle_close(c), ZX_OK);
}

// A marker the parent leaves before a snapshot is part of what the snapshot sees; merging the
// layers when children close keeps every VMO's contents.
SCENARIO(a_parents_zero_marker_is_seen_by_later_snapshots) {
  uint64_t p = ps();
  zx_handle_t v = tagged_vmo(3, 0);
  zx_handle_t c1 = snapshot(v, 0, 0, 3);
  CHECK_EQ(op(v, ZX_VMO_OP_ZERO, 0, p), ZX_OK);
  CHECK_EQ(committed(v) + committed(c1), 3);
  zx_handle_t c2 = snapshot(v, 0, 0, 3);
  CHECK_EQ(op(c1, ZX_VMO_OP_ZERO, p, p), ZX_OK);
  CHECK_EQ(committed(v) + committed(c1) + committed(c2), 3);
  CHECK_EQ(page_tag(c2, 0), 0);
  CHECK_EQ(page_tag(c2, 1), 2);
  CHECK_EQ(page_tag(c1, 0), 1);
  CHECK_EQ(page_tag(c1, 1), 0);
  CHECK_EQ(zx_handle_close(c1), ZX_OK);
  CHECK_EQ(page_tag(v, 0), 0);
  CHECK_EQ(page_tag(v, 1), 2);
  CHECK_EQ(page_tag(v, 2), 3);
  CHECK_EQ(committed(v) + committed(c2), 2);
  tag_page(c2, 1, 9);
  CHECK_EQ(page_tag(v, 1), 2);
  CHECK_EQ(committed(v) + committed(c2), 3);
  CHECK_EQ(zx_handle_close(c2), ZX_OK);
  CHECK_EQ(page_tag(v, 0), 0);
  CHECK_EQ(page_tag(v, 2), 3);
  CHECK_EQ(committed(v), 2);
  CHECK_EQ(zx_handle_close(v), ZX_OK);
}

// Zeroing part of a page the child shares copies that one page into the child and zeroes the
// part; the parent is unaffected.
SCENARIO(partial_zero_of_a_shared_page_forks_only_that_page) {
  zx_handle_t v = tagged_vmo(2, 0);
  zx_handle_t c = snapshot(v, 0, 0, 2);
  CHECK_EQ(op(c, ZX_VMO_OP_ZERO, 0, 2), ZX_OK);
  uint8_t got[4];
  CHECK_EQ(zx_vmo_read(c, got, 0, sizeof(got)), ZX_OK);
  CHECK_EQ(got[0], 0);  // was 1 (tag 1, little-endian)
  CHECK_EQ(page_tag(v, 0), 1);
  CHECK_EQ(committed(c), 1);
  CHECK_EQ(committed(v), 2);
  CHECK_EQ(zx_handle_close(c), ZX_OK);
  CHECK_EQ(zx_handle_close(v), ZX_OK);
}

// Mappings honour markers: a read-only mapping of the child reads zero on a zeroed shared page, a
// writable one can write it, and neither touches the parent.
SCENARIO(mappings_read_zero_markers_as_zero) {
  uint64_t p = ps();
  zx_handle_t v = tagged_vmo(2, 0);
  zx_handle_t c = snapshot(v, 0, 0, 2);
  CHECK_EQ(op(c, ZX_VMO_OP_ZERO, 0, 2 * p), ZX_OK);
  zx_vaddr_t ro = 0, rw = 0;
  CHECK_EQ(zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ, 0, c, 0, 2 * p, &ro), ZX_OK);
  CHECK_EQ(((volatile uint32_t*)ro)[0], 0);
  CHECK_EQ(((volatile uint32_t*)(ro + p))[0], 0);
  CHECK_EQ(committed(c), 0);
  CHECK_EQ(zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, c, 0, 2 * p,
                       &rw),
           ZX_OK);
  ((volatile uint32_t*)rw)[0] = 77;
  CHECK_EQ(((volatile uint32_t*)ro)[0], 77);
  CHECK_EQ(page_tag(c, 0), 77);
  CHECK_EQ(page_tag(c, 1), 0);
  CHECK_EQ(page_tag(v, 0), 1);
  CHECK_EQ(page_tag(v, 1), 2);
  CHECK_EQ(committed(c), 1);
  CHECK_EQ(zx_vmar_unmap(zx_vmar_root_self(), rw, 2 * p), ZX_OK);
  CHECK_EQ(zx_vmar_unmap(zx_vmar_root_self(), ro, 2 * p), ZX_OK);
  CHECK_EQ(zx_handle_close(c), ZX_OK);
  CHECK_EQ(zx_handle_close(v), ZX_OK);
}

// DECOMMIT on a VMO that still sits on the layer a (closed) snapshot froze leaves markers: the
// pages read zero and nothing is committed for them.
SCENARIO(decommit_over_a_frozen_layer_commits_nothing) {
  uint64_t p = ps();
  zx_handle_t v = tagged_vmo(2, 0);
  zx_handle_t c = snapshot(v, 0, 0, 2);
  CHECK_EQ(zx_handle_close(c), ZX_OK);
  CHECK_EQ(op(v, ZX_VMO_OP_DECOMMIT, 0, p), ZX_OK);
  CHECK_EQ(page_tag(v, 0), 0);
  CHECK_EQ(page_tag(v, 1), 2);
  CHECK_EQ(committed(v), 1);
  CHECK_EQ(op(v, ZX_VMO_OP_COMMIT, 0, 2 * p), ZX_OK);  // commit makes a zero page again
  CHECK_EQ(committed(v), 2);
  CHECK_EQ(page_tag(v, 0), 0);
  CHECK_EQ(zx_handle_close(v), ZX_OK);
}

void run_attribution_tests(void) {
  RUN(parent_rewrite_charges_the_old_page_to_the_clone);
  RUN(a_shared_page_is_charged_once_to_the_original_first);
  RUN(closing_the_parent_passes_only_visible_pages_to_the_clone);
  RUN(a_page_no_vmo_can_see_costs_nothing);
  RUN(a_progressive_clone_chain_holds_six_down_to_one_pages);
  RUN(shrinking_the_parent_passes_its_pages_to_the_clone);
  RUN(shrinking_the_clone_keeps_the_parents_charge);
  RUN(closing_the_charged_vmo_moves_its_shared_pages_across_the_tree);
  RUN(copies_made_by_a_fork_outlive_the_forking_vmo);
  RUN(copies_made_by_a_fork_outlive_a_shrink_past_the_page);
  RUN(disjoint_clones_each_hold_their_page_once_the_original_is_gone);
  RUN(zero_of_never_committed_pages_commits_nothing);
  RUN(zero_of_whole_committed_pages_frees_them);
  RUN(zero_of_a_shared_page_in_the_child_leaves_a_marker);
  RUN(zero_in_the_parent_passes_the_page_to_its_children);
  RUN(a_zero_marker_survives_the_parents_close);
  RUN(a_parents_zero_marker_is_seen_by_later_snapshots);
  RUN(partial_zero_of_a_shared_page_forks_only_that_page);
  RUN(mappings_read_zero_markers_as_zero);
  RUN(decommit_over_a_frozen_layer_commits_nothing);
}
