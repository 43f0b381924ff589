// Rules zircon's kernel and core tests pin that earlier rounds of the emulation missed: uncached
// VMOs, zx_vmar_op_range over gaps and read-only mappings, faults on the caller's buffer, and
// metadata_bytes of a VMO without pages.

#include <stdint.h>
#include <string.h>
#include <zircon/process.h>
#include <zircon/syscalls.h>

#include "harness.h"

// ---- Uncached VMOs (vmo_read.md, vmo_write.md, vmo_create_child.md) -------------------------

SCENARIO(uncached_vmo_refuses_direct_reads_writes_and_snapshots) {
  uint64_t p = ps();
  zx_handle_t v = make_vmo(2 * p, 0);
  CHECK_EQ(zx_vmo_set_cache_policy(v, ZX_CACHE_POLICY_UNCACHED), ZX_OK);
  uint8_t buf[8] = {1, 2, 3, 4, 5, 6, 7, 8};
  CHECK_EQ(zx_vmo_write(v, buf, 0, sizeof(buf)), ZX_ERR_BAD_STATE);
  CHECK_EQ(zx_vmo_read(v, buf, 0, sizeof(buf)), ZX_ERR_BAD_STATE);
  // The argument checks come first: rights, then the range.
  zx_handle_t ro = ZX_HANDLE_INVALID;
  CHECK_EQ(zx_handle_duplicate(v, ZX_RIGHT_READ, &ro), ZX_OK);
  CHECK_EQ(zx_vmo_write(ro, buf, 0, sizeof(buf)), ZX_ERR_ACCESS_DENIED);
  CHECK_EQ(zx_vmo_read(v, buf, 2 * p, 1), ZX_ERR_OUT_OF_RANGE);
  // Copy-on-write children are refused; a slice is a window onto the same (uncached) pages.
  zx_handle_t child = ZX_HANDLE_INVALID;
  CHECK_EQ(zx_vmo_create_child(v, ZX_VMO_CHILD_SNAPSHOT, 0, p, &child), ZX_ERR_BAD_STATE);
  CHECK_EQ(zx_vmo_create_child(v, ZX_VMO_CHILD_SNAPSHOT_AT_LEAST_ON_WRITE, 0, p, &child),
           ZX_ERR_BAD_STATE);
  CHECK_EQ(zx_vmo_create_child(v, ZX_VMO_CHILD_SNAPSHOT, 1, p, &child), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(vmo_info(v).num_children, 0);
  CHECK_EQ(zx_vmo_create_child(v, ZX_VMO_CHILD_SLICE, 0, p, &child), ZX_OK);
  CHECK_EQ(vmo_info(child).cache_policy, ZX_CACHE_POLICY_UNCACHED);
  CHECK_EQ(zx_vmo_read(child, buf, 0, sizeof(buf)), ZX_ERR_BAD_STATE);
  CHECK_EQ(zx_handle_close(child), ZX_OK);
  // Mappings still reach the pages.
  uint64_t* words = map_words(ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, v, p);
  words[0] = 42;
  CHECK_EQ(((volatile uint64_t*)words)[0], 42);
  unmap_words(words, p);
  CHECK_EQ(zx_handle_close(ro), ZX_OK);
  CHECK_EQ(zx_handle_close(v), ZX_OK);
  // Set back to CACHED before any page was committed, the VMO is readable again.
  zx_handle_t w = make_vmo(p, 0);
  CHECK_EQ(zx_vmo_set_cache_policy(w, ZX_CACHE_POLICY_WRITE_COMBINING), ZX_OK);
  CHECK_EQ(zx_vmo_read(w, buf, 0, 1), ZX_ERR_BAD_STATE);
  CHECK_EQ(zx_vmo_set_cache_policy(w, ZX_CACHE_POLICY_CACHED), ZX_OK);
  CHECK_EQ(zx_vmo_read(w, buf, 0, 1), ZX_OK);
  CHECK_EQ(buf[0], 0);
  CHECK_EQ(zx_vmo_create_child(w, ZX_VMO_CHILD_SNAPSHOT, 0, p, &child), ZX_OK);
  CHECK_EQ(zx_handle_close(child), ZX_OK);
  CHECK_EQ(zx_handle_close(w), ZX_OK);
}

// ---- zx_vmar_op_range: gaps and read-only mappings (vmar_op_range.md) -----------------------

// A 5-page region: pages 0-1 map VMO pages 0-1 read-write, page 2 maps VMO page 3 read-write,
// page 3 is a gap, page 4 maps VMO page 1 read-only (through a handle that could write).
struct decommit_fixture {
  zx_handle_t vmo;
  zx_handle_t region;
  uintptr_t base;
};

static struct decommit_fixture decommit_fixture_make(void) {
  uint64_t p = ps();
  struct decommit_fixture f = {make_vmo(5 * p, 0), ZX_HANDLE_INVALID, 0};
  CHECK_EQ(zx_vmar_allocate(zx_vmar_root_self(),
                            ZX_VM_CAN_MAP_SPECIFIC | ZX_VM_CAN_MAP_READ | ZX_VM_CAN_MAP_WRITE, 0,
                            5 * p, &f.region, &f.base),
           ZX_OK);
  zx_vaddr_t addr = 0;
  zx_vm_option_t rw = ZX_VM_SPECIFIC | ZX_VM_PERM_READ | ZX_VM_PERM_WRITE;
  CHECK_EQ(zx_vmar_map(f.region, rw, 0, f.vmo, 0, 2 * p, &addr), ZX_OK);
  CHECK_EQ(zx_vmar_map(f.region, rw, 2 * p, f.vmo, 3 * p, p, &addr), ZX_OK);
  CHECK_EQ(zx_vmar_map(f.region, ZX_VM_SPECIFIC | ZX_VM_PERM_READ, 4 * p, f.vmo, p, p, &addr),
           ZX_OK);
  return f;
}

static void decommit_fixture_free(struct decommit_fixture* f) {
  CHECK_EQ(zx_vmar_destroy(f->region), ZX_OK);
  CHECK_EQ(zx_handle_close(f->region), ZX_OK);
  CHECK_EQ(zx_handle_close(f->vmo), ZX_OK);
}

SCENARIO(vmar_op_range_over_a_gap_is_bad_state_and_changes_nothing) {
  uint64_t p = ps();
  struct decommit_fixture f = decommit_fixture_make();
  volatile uint8_t* mem = (volatile uint8_t*)f.base;
  mem[p] = 7;      // VMO page 1, also shown read-only at region page 4
  mem[2 * p] = 8;  // VMO page 3
  CHECK_EQ(zx_vmar_op_range(f.region, ZX_VMAR_OP_DECOMMIT, f.base + p, 3 * p, NULL, 0),
           ZX_ERR_BAD_STATE);
  CHECK_EQ(zx_vmar_op_range(f.region, ZX_VMAR_OP_COMMIT, f.base, 5 * p, NULL, 0),
           ZX_ERR_BAD_STATE);
  CHECK_EQ(zx_vmar_op_range(f.region, ZX_VMAR_OP_MAP_RANGE, f.base + 3 * p, p, NULL, 0),
           ZX_ERR_BAD_STATE);
  CHECK_EQ(zx_vmar_op_range(f.region, ZX_VMAR_OP_DONT_NEED, f.base + 3 * p, 2 * p, NULL, 0),
           ZX_ERR_BAD_STATE);
  CHECK_EQ(mem[p], 7);
  CHECK_EQ(mem[4 * p], 7);
  CHECK_EQ(mem[2 * p], 8);
  // Outside the region: OUT_OF_RANGE, before the gap is looked at.
  CHECK_EQ(zx_vmar_op_range(f.region, ZX_VMAR_OP_DECOMMIT, f.base + p, 5 * p, NULL, 0),
           ZX_ERR_OUT_OF_RANGE);
  CHECK_EQ(zx_vmar_op_range(f.region, ZX_VMAR_OP_DECOMMIT, f.base - p, p, NULL, 0),
           ZX_ERR_OUT_OF_RANGE);
  // Adjacent mappings without a gap between them are one range.
  CHECK_EQ(zx_vmar_op_range(f.region, ZX_VMAR_OP_DECOMMIT, f.base + p, 2 * p, NULL, 0), ZX_OK);
  CHECK_EQ(vmo_info(f.vmo).committed_bytes, 0);
  CHECK_EQ(mem[p], 0);
  CHECK_EQ(mem[2 * p], 0);
  decommit_fixture_free(&f);
}

SCENARIO(vmar_decommit_through_a_read_only_mapping_needs_a_writable_vmo_handle) {
  uint64_t p = ps();
  struct decommit_fixture f = decommit_fixture_make();
  volatile uint8_t* mem = (volatile uint8_t*)f.base;
  mem[p] = 9;
  CHECK_EQ(mem[4 * p], 9);
  CHECK_EQ(zx_vmar_op_range(f.region, ZX_VMAR_OP_DECOMMIT, f.base + 4 * p, p, NULL, 0), ZX_OK);
  CHECK_EQ(mem[4 * p], 0);
  CHECK_EQ(mem[p], 0);
  CHECK_EQ(zx_vmar_op_range(f.region, ZX_VMAR_OP_COMMIT, f.base + 4 * p, p, NULL, 0), ZX_OK);
  CHECK_EQ(vmo_info(f.vmo).committed_bytes, p);
  // Mapped through a handle without WRITE: the mapping can never be writable.
  zx_handle_t ro = ZX_HANDLE_INVALID;
  CHECK_EQ(zx_handle_duplicate(f.vmo, ZX_RIGHT_MAP | ZX_RIGHT_READ, &ro), ZX_OK);
  zx_vaddr_t addr = 0;
  CHECK_EQ(zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ, 0, ro, 0, p, &addr), ZX_OK);
  CHECK_EQ(zx_vmar_op_range(zx_vmar_root_self(), ZX_VMAR_OP_DECOMMIT, addr, p, NULL, 0),
           ZX_ERR_ACCESS_DENIED);
  CHECK_EQ(zx_vmar_op_range(zx_vmar_root_self(), ZX_VMAR_OP_COMMIT, addr, p, NULL, 0),
           ZX_ERR_ACCESS_DENIED);
  CHECK_EQ(zx_vmar_op_range(zx_vmar_root_self(), ZX_VMAR_OP_MAP_RANGE, addr, p, NULL, 0), ZX_OK);
  CHECK_EQ(zx_vmar_unmap(zx_vmar_root_self(), addr, p), ZX_OK);
  // The VMAR handle's rights: DECOMMIT needs WRITE on it, before any mapping is looked at.
  zx_handle_t region_ro = ZX_HANDLE_INVALID;
  CHECK_EQ(zx_handle_duplicate(f.region, ZX_RIGHT_READ | ZX_RIGHT_OP_CHILDREN, &region_ro), ZX_OK);
  CHECK_EQ(zx_vmar_op_range(region_ro, ZX_VMAR_OP_DECOMMIT, f.base + 3 * p, p, NULL, 0),
           ZX_ERR_ACCESS_DENIED);
  CHECK_EQ(zx_handle_close(region_ro), ZX_OK);
  CHECK_EQ(zx_handle_close(ro), ZX_OK);
  decommit_fixture_free(&f);
}

// ---- Faults on the caller's buffer (zircon resolves them like any page fault) ----------------

SCENARIO(copy_into_a_read_only_buffer_is_access_denied_and_unmapped_is_not_found) {
  uint64_t p = ps();
  zx_handle_t v = make_vmo(2 * p, 0);
  uint8_t byte = 5;
  CHECK_EQ(zx_vmo_write(v, &byte, 0, 1), ZX_OK);  // page 0 has data, page 1 reads as zeros
  zx_handle_t buf_vmo = make_vmo(2 * p, 0);
  uint64_t* ro = map_words(ZX_VM_PERM_READ, buf_vmo, 2 * p);
  // Into read-only memory: from a page with data and from a never-written page.
  CHECK_EQ(zx_vmo_read(v, ro, 0, 16), ZX_ERR_ACCESS_DENIED);
  CHECK_EQ(zx_vmo_read(v, ro, p, 16), ZX_ERR_ACCESS_DENIED);
  CHECK_EQ(ro[0], 0);
  CHECK_EQ(vmo_info(buf_vmo).committed_bytes, 0);
  // Out of unreadable memory (a mapping without permissions).
  zx_vaddr_t none = 0;
  CHECK_EQ(zx_vmar_map(zx_vmar_root_self(), 0, 0, buf_vmo, 0, p, &none), ZX_OK);
  CHECK_EQ(zx_vmo_write(v, (const void*)none, 0, 16), ZX_ERR_ACCESS_DENIED);
  CHECK_EQ(zx_vmo_read(v, &byte, 0, 1), ZX_OK);
  CHECK_EQ(byte, 5);
  // An address where nothing is mapped: NOT_FOUND, for both directions.
  unmap_words(ro, 2 * p);
  CHECK_EQ(zx_vmo_read(v, ro, 0, 16), ZX_ERR_NOT_FOUND);
  CHECK_EQ(zx_vmo_read(v, ro, p, 16), ZX_ERR_NOT_FOUND);
  CHECK_EQ(zx_vmo_write(v, ro, 0, 16), ZX_ERR_NOT_FOUND);
  CHECK_EQ(zx_vmar_unmap(zx_vmar_root_self(), none, p), ZX_OK);
  // A page of one of our regions that maps nothing is unmapped too (the host reserves it).
  zx_handle_t region = ZX_HANDLE_INVALID;
  zx_vaddr_t base = 0;
  CHECK_EQ(zx_vmar_allocate(zx_vmar_root_self(),
                            ZX_VM_CAN_MAP_SPECIFIC | ZX_VM_CAN_MAP_READ | ZX_VM_CAN_MAP_WRITE, 0,
                            2 * p, &region, &base),
           ZX_OK);
  CHECK_EQ(zx_vmo_read(v, (void*)base, 0, 16), ZX_ERR_NOT_FOUND);
  // A buffer that runs from writable memory into read-only memory fails as a whole.
  zx_vaddr_t rw = 0;
  CHECK_EQ(zx_vmar_map(region, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, buf_vmo, 0, p, &rw), ZX_OK);
  zx_vaddr_t rdonly = 0;
  CHECK_EQ(zx_vmar_map(region, ZX_VM_SPECIFIC | ZX_VM_PERM_READ, rw + p - base, buf_vmo, p, p,
                       &rdonly),
           ZX_OK);
  CHECK_EQ(zx_vmo_read(v, (void*)(rw + p - 8), 0, 16), ZX_ERR_ACCESS_DENIED);
  CHECK_EQ(zx_vmo_read(v, (void*)(rw + p - 8), 0, 8), ZX_OK);
  CHECK_EQ(zx_vmar_destroy(region), ZX_OK);
  CHECK_EQ(zx_handle_close(region), ZX_OK);
  CHECK_EQ(zx_handle_close(buf_vmo), ZX_OK);
  CHECK_EQ(zx_handle_close(v), ZX_OK);
}

// ---- metadata_bytes (ZX_INFO_VMO) -----------------------------------------------------------

SCENARIO(metadata_bytes_are_zero_until_a_vmo_holds_a_page) {
  uint64_t p = ps();
  zx_handle_t v = make_vmo(4 * p, 0);
  CHECK_EQ(vmo_info(v).metadata_bytes, 0);
  zx_handle_t slice = ZX_HANDLE_INVALID, snap = ZX_HANDLE_INVALID;
  CHECK_EQ(zx_vmo_create_child(v, ZX_VMO_CHILD_SLICE, 0, p, &slice), ZX_OK);
  CHECK_EQ(vmo_info(slice).metadata_bytes, 0);
  uint8_t byte = 1;
  CHECK_EQ(zx_vmo_write(v, &byte, p, 1), ZX_OK);
  CHECK(vmo_info(v).metadata_bytes > 0);
  CHECK_EQ(vmo_info(slice).metadata_bytes, 0);  // its pages are its parent's
  CHECK_EQ(zx_vmo_create_child(v, ZX_VMO_CHILD_SNAPSHOT, 0, 4 * p, &snap), ZX_OK);
  CHECK_EQ(vmo_info(snap).metadata_bytes, 0);   // sees the page, holds none
  CHECK_EQ(zx_vmo_write(snap, &byte, 0, 1), ZX_OK);
  CHECK(vmo_info(snap).metadata_bytes > 0);
  // Committed by a mapping the library never sees written: still counted.
  zx_handle_t m = make_vmo(p, 0);
  uint64_t* words = map_words(ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, m, p);
  words[0] = 1;
  CHECK(vmo_info(m).metadata_bytes > 0);
  unmap_words(words, p);
  CHECK_EQ(zx_handle_close(m), ZX_OK);
  CHECK_EQ(zx_handle_close(snap), ZX_OK);
  CHECK_EQ(zx_handle_close(slice), ZX_OK);
  CHECK_EQ(zx_handle_close(v), ZX_OK);
}

// ---- zx_vmar_op_range: handle rights, child regions, ZERO and PREFETCH ------------------------

SCENARIO(vmar_op_range_checks_the_handle_rights_before_the_range) {
  uint64_t p = ps();
  zx_handle_t v = make_vmo(p, 0);
  zx_vaddr_t addr = 0;
  CHECK_EQ(zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, v, 0, p, &addr),
           ZX_OK);
  zx_handle_t none = ZX_HANDLE_INVALID;
  CHECK_EQ(zx_handle_duplicate(zx_vmar_root_self(), ZX_RIGHT_OP_CHILDREN, &none), ZX_OK);
  CHECK_EQ(zx_vmar_op_range(none, 99u, addr + 1, 0, NULL, 0), ZX_ERR_INVALID_ARGS);  // op first
  // Rights next, even before an unaligned address or a zero size.
  CHECK_EQ(zx_vmar_op_range(none, ZX_VMAR_OP_MAP_RANGE, addr + 1, 0, NULL, 0),
           ZX_ERR_ACCESS_DENIED);
  CHECK_EQ(zx_vmar_op_range(none, ZX_VMAR_OP_PREFETCH, addr, p, NULL, 0), ZX_ERR_ACCESS_DENIED);
  CHECK_EQ(zx_vmar_op_range(none, ZX_VMAR_OP_ZERO, addr, p, NULL, 0), ZX_ERR_ACCESS_DENIED);
  CHECK_EQ(zx_vmar_op_range(none, ZX_VMAR_OP_COMMIT, addr, p, NULL, 0), ZX_ERR_ACCESS_DENIED);
  // The hints need no right.
  CHECK_EQ(zx_vmar_op_range(none, ZX_VMAR_OP_DONT_NEED, addr, p, NULL, 0), ZX_OK);
  CHECK_EQ(zx_vmar_op_range(none, ZX_VMAR_OP_ALWAYS_NEED, addr, p, NULL, 0), ZX_OK);
  CHECK_EQ(zx_vmar_op_range(none, ZX_VMAR_OP_DONT_NEED, addr + 1, p, NULL, 0),
           ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_handle_close(none), ZX_OK);
  CHECK_EQ(zx_vmar_unmap(zx_vmar_root_self(), addr, p), ZX_OK);
  CHECK_EQ(zx_handle_close(v), ZX_OK);
}

SCENARIO(vmar_op_range_reaches_child_regions_only_with_op_children_and_never_to_commit) {
  uint64_t p = ps();
  zx_handle_t outer = ZX_HANDLE_INVALID, inner = ZX_HANDLE_INVALID;
  zx_vaddr_t outer_base = 0, inner_base = 0, addr = 0;
  zx_vm_option_t rw = ZX_VM_CAN_MAP_READ | ZX_VM_CAN_MAP_WRITE;
  CHECK_EQ(zx_vmar_allocate(zx_vmar_root_self(), rw, 0, 4 * p, &outer, &outer_base), ZX_OK);
  CHECK_EQ(zx_vmar_allocate(outer, rw, 0, 2 * p, &inner, &inner_base), ZX_OK);
  zx_handle_t v = make_vmo(2 * p, 0);
  CHECK_EQ(zx_vmar_map(inner, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, v, 0, 2 * p, &addr), ZX_OK);
  ((volatile uint8_t*)addr)[0] = 3;
  CHECK_EQ(zx_vmar_op_range(outer, ZX_VMAR_OP_MAP_RANGE, addr, 2 * p, NULL, 0), ZX_OK);
  CHECK_EQ(zx_vmar_op_range(outer, ZX_VMAR_OP_COMMIT, addr, 2 * p, NULL, 0), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_vmar_op_range(outer, ZX_VMAR_OP_DECOMMIT, addr, p, NULL, 0), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_vmar_op_range(outer, ZX_VMAR_OP_PREFETCH, addr, p, NULL, 0), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(((volatile uint8_t*)addr)[0], 3);
  zx_handle_t no_children = ZX_HANDLE_INVALID;
  CHECK_EQ(zx_handle_duplicate(outer, ZX_RIGHT_READ | ZX_RIGHT_WRITE, &no_children), ZX_OK);
  CHECK_EQ(zx_vmar_op_range(no_children, ZX_VMAR_OP_MAP_RANGE, addr, p, NULL, 0),
           ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_vmar_op_range(no_children, ZX_VMAR_OP_ZERO, addr, p, NULL, 0), ZX_ERR_INVALID_ARGS);
  // Through the region that holds the mapping, all of them work.
  CHECK_EQ(zx_vmar_op_range(inner, ZX_VMAR_OP_COMMIT, addr, 2 * p, NULL, 0), ZX_OK);
  CHECK_EQ(vmo_info(v).committed_bytes, 2 * p);
  CHECK_EQ(zx_vmar_op_range(outer, ZX_VMAR_OP_ZERO, addr, p, NULL, 0), ZX_OK);  // OP_CHILDREN
  CHECK_EQ(((volatile uint8_t*)addr)[0], 0);
  // Unmapping over a child region needs OP_CHILDREN too.
  CHECK_EQ(zx_vmar_unmap(no_children, inner_base, 2 * p), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(vmo_info(v).num_mappings, 1);
  CHECK_EQ(zx_vmar_unmap(outer, inner_base, 2 * p), ZX_OK);
  CHECK_EQ(vmo_info(v).num_mappings, 0);
  CHECK_EQ(zx_handle_close(no_children), ZX_OK);
  CHECK_EQ(zx_vmar_destroy(outer), ZX_OK);
  CHECK_EQ(zx_handle_close(inner), ZX_OK);
  CHECK_EQ(zx_handle_close(outer), ZX_OK);
  CHECK_EQ(zx_handle_close(v), ZX_OK);
}

SCENARIO(vmar_zero_zeroes_like_vmo_zero_and_prefetch_commits_nothing) {
  uint64_t p = ps();
  zx_handle_t root = zx_vmar_root_self();
  zx_handle_t v = make_vmo(2 * p, 0);
  uint8_t bytes[2] = {7, 8};
  CHECK_EQ(zx_vmo_write(v, &bytes[0], 0, 1), ZX_OK);
  CHECK_EQ(zx_vmo_write(v, &bytes[1], p, 1), ZX_OK);
  zx_vaddr_t ro = 0;
  CHECK_EQ(zx_vmar_map(root, ZX_VM_PERM_READ, 0, v, 0, 2 * p, &ro), ZX_OK);
  // A read-only mapping of a writable VMO may be zeroed; whole pages commit nothing.
  CHECK_EQ(zx_vmar_op_range(root, ZX_VMAR_OP_ZERO, ro, p, NULL, 0), ZX_OK);
  CHECK_EQ(((volatile uint8_t*)ro)[0], 0);
  CHECK_EQ(((volatile uint8_t*)ro)[p], 8);
  CHECK_EQ(vmo_info(v).committed_bytes, p);
  // PREFETCH maps what the VMO holds and commits nothing else.
  zx_handle_t fresh = make_vmo(4 * p, 0);
  zx_vaddr_t lazy = 0;
  CHECK_EQ(zx_vmar_map(root, ZX_VM_PERM_READ, 0, fresh, 0, 4 * p, &lazy), ZX_OK);
  CHECK_EQ(zx_vmar_op_range(root, ZX_VMAR_OP_PREFETCH, lazy, 4 * p, NULL, 0), ZX_OK);
  CHECK_EQ(vmo_info(fresh).committed_bytes, 0);
  // Mapped through a handle without WRITE: ZERO is refused; without READ: PREFETCH is.
  zx_handle_t read_only = ZX_HANDLE_INVALID, map_only = ZX_HANDLE_INVALID;
  CHECK_EQ(zx_handle_duplicate(v, ZX_RIGHT_MAP | ZX_RIGHT_READ, &read_only), ZX_OK);
  CHECK_EQ(zx_handle_duplicate(v, ZX_RIGHT_MAP, &map_only), ZX_OK);
  zx_vaddr_t a = 0, b = 0;
  CHECK_EQ(zx_vmar_map(root, ZX_VM_PERM_READ, 0, read_only, 0, p, &a), ZX_OK);
  CHECK_EQ(zx_vmar_op_range(root, ZX_VMAR_OP_ZERO, a, p, NULL, 0), ZX_ERR_ACCESS_DENIED);
  CHECK_EQ(zx_vmar_map(root, 0, 0, map_only, 0, p, &b), ZX_OK);
  CHECK_EQ(zx_vmar_op_range(root, ZX_VMAR_OP_PREFETCH, b, p, NULL, 0), ZX_ERR_ACCESS_DENIED);
  CHECK_EQ(zx_vmar_op_range(root, ZX_VMAR_OP_MAP_RANGE, b, p, NULL, 0), ZX_OK);
  CHECK_EQ(zx_vmar_unmap(root, a, p), ZX_OK);
  CHECK_EQ(zx_vmar_unmap(root, b, p), ZX_OK);
  CHECK_EQ(zx_vmar_unmap(root, lazy, 4 * p), ZX_OK);
  CHECK_EQ(zx_vmar_unmap(root, ro, 2 * p), ZX_OK);
  CHECK_EQ(zx_handle_close(read_only), ZX_OK);
  CHECK_EQ(zx_handle_close(map_only), ZX_OK);
  CHECK_EQ(zx_handle_close(fresh), ZX_OK);
  CHECK_EQ(zx_handle_close(v), ZX_OK);
}

void run_fidelity_tests(void) {
  RUN(uncached_vmo_refuses_direct_reads_writes_and_snapshots);
  RUN(vmar_op_range_over_a_gap_is_bad_state_and_changes_nothing);
  RUN(vmar_decommit_through_a_read_only_mapping_needs_a_writable_vmo_handle);
  RUN(copy_into_a_read_only_buffer_is_access_denied_and_unmapped_is_not_found);
  RUN(metadata_bytes_are_zero_until_a_vmo_holds_a_page);
  RUN(vmar_op_range_checks_the_handle_rights_before_the_range);
  RUN(vmar_op_range_reaches_child_regions_only_with_op_children_and_never_to_commit);
  RUN(vmar_zero_zeroes_like_vmo_zero_and_prefetch_commits_nothing);
}
