// Conformance suite, part 2: the root VMAR, mappings, memory accounting and threads.

#include <fcntl.h>
#include <stdbool.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zircon/process.h>
#include <zircon/syscalls.h>

#include "harness.h"

#define ROOT_BASE ((uintptr_t)0x1000000)  // the documented root VMAR base

static zx_status_t poll(zx_handle_t h, zx_signals_t s) {
  return zx_object_wait_one(h, s, ZX_TIME_INFINITE_PAST, NULL);
}

static uintptr_t map(zx_vm_option_t options, zx_handle_t vmo, uint64_t off, size_t len) {
  zx_vaddr_t addr = 0;
  CHECK_EQ(zx_vmar_map(zx_vmar_root_self(), options, 0, vmo, off, len, &addr), ZX_OK);
  CHECK(addr != 0);
  CHECK_EQ(addr % ps(), 0);
  return addr;
}

static long rss_bytes(void) {
  FILE* f = fopen("/proc/self/statm", "r");
  long size = 0, resident = 0;
  if (f != NULL) {
    if (fscanf(f, "%ld %ld", &size, &resident) != 2) resident = 0;
    fclose(f);
  }
  return resident * (long)ps();
}

// ---- Scenarios ---------------------------------------------------------------------------

SCENARIO(root_vmar_is_stable) {
  zx_handle_t a = zx_vmar_root_self();
  CHECK(a != ZX_HANDLE_INVALID);
  CHECK_EQ(zx_vmar_root_self(), a);
  CHECK_EQ(a & ZX_HANDLE_FIXED_BITS_MASK, ZX_HANDLE_FIXED_BITS_MASK);
}

SCENARIO(map_errors_in_order) {
  uint64_t p = ps();
  zx_handle_t root = zx_vmar_root_self();
  zx_handle_t v = make_vmo(2 * p, 0);
  zx_vaddr_t addr = 0;
  // 1. handles
  CHECK_EQ(zx_vmar_map(0x7773u, ZX_VM_PERM_READ, 0, v, 0, p, &addr), ZX_ERR_BAD_HANDLE);
  CHECK_EQ(zx_vmar_map(v, ZX_VM_PERM_READ, 0, v, 0, p, &addr), ZX_ERR_WRONG_TYPE);
  CHECK_EQ(zx_vmar_map(root, ZX_VM_PERM_READ, 0, 0x7773u, 0, p, &addr), ZX_ERR_BAD_HANDLE);
  CHECK_EQ(zx_vmar_map(root, ZX_VM_PERM_READ, 0, root, 0, p, &addr), ZX_ERR_WRONG_TYPE);
  // 3. MAP right before argument checks, even with PERM_WRITE alone.
  zx_handle_t nomap;
  CHECK_EQ(zx_handle_duplicate(v, ZX_DEFAULT_VMO_RIGHTS & ~ZX_RIGHT_MAP, &nomap), ZX_OK);
  CHECK_EQ(zx_vmar_map(root, ZX_VM_PERM_WRITE, 0, nomap, 0, p, &addr), ZX_ERR_ACCESS_DENIED);
  // 4. arguments
  CHECK_EQ(zx_vmar_map(root, ZX_VM_PERM_WRITE, 0, v, 0, p, &addr), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_vmar_map(root, ZX_VM_PERM_EXECUTE, 0, v, 0, p, &addr), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_vmar_map(root, ZX_VM_PERM_READ, 0, v, 0, 0, &addr), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_vmar_map(root, ZX_VM_PERM_READ, 0, v, 1, p, &addr), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_vmar_map(root, ZX_VM_PERM_READ, p, v, 0, p, &addr), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_vmar_map(root, ZX_VM_PERM_READ | ZX_VM_CAN_MAP_READ, 0, v, 0, p, &addr),
           ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_vmar_map(root, ZX_VM_PERM_READ | (1u << 20), 0, v, 0, p, &addr),
           ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_vmar_map(root, ZX_VM_PERM_READ | ZX_VM_SPECIFIC_OVERWRITE | ZX_VM_MAP_RANGE, 0, v, 0,
                       p, &addr),
           ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_vmar_map(root, ZX_VM_PERM_READ, 0, v, 0, p, NULL), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_vmar_map(root, ZX_VM_PERM_READ | ZX_VM_ALLOW_FAULTS, 0, v, UINT64_MAX - p + 1, 2 * p,
                       &addr),
           ZX_ERR_OUT_OF_RANGE);
  CHECK_EQ(zx_vmar_map(root, ZX_VM_PERM_READ, 0, v, 0, SIZE_MAX, &addr), ZX_ERR_OUT_OF_RANGE);
  // 5. rights for the permissions
  zx_handle_t ro;
  CHECK_EQ(zx_handle_duplicate(v, ZX_RIGHT_READ | ZX_RIGHT_MAP, &ro), ZX_OK);
  CHECK_EQ(zx_vmar_map(root, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, ro, 0, p, &addr),
           ZX_ERR_ACCESS_DENIED);
  CHECK_EQ(zx_vmar_map(root, ZX_VM_PERM_READ | ZX_VM_PERM_EXECUTE, 0, v, 0, p, &addr),
           ZX_ERR_ACCESS_DENIED);  // VMOs have no EXECUTE right
  // 6. resizable / past the end
  zx_handle_t r = make_vmo(p, ZX_VMO_RESIZABLE);
  CHECK_EQ(zx_vmar_map(root, ZX_VM_PERM_READ | ZX_VM_REQUIRE_NON_RESIZABLE, 0, r, 0, p, &addr),
           ZX_ERR_NOT_SUPPORTED);
  CHECK_EQ(zx_vmar_map(root, ZX_VM_PERM_READ, 0, v, p, 2 * p, &addr), ZX_ERR_BUFFER_TOO_SMALL);
  CHECK_EQ(zx_vmar_map(root, ZX_VM_PERM_READ, 0, v, 4 * p, p, &addr), ZX_ERR_BUFFER_TOO_SMALL);
  // No permissions at all is allowed with MAP.
  CHECK_EQ(zx_vmar_map(root, 0, 0, v, 0, p, &addr), ZX_OK);
  CHECK_EQ(zx_vmar_unmap(root, addr, p), ZX_OK);
  CHECK_EQ(vmo_info(v).num_mappings, 0);
  CHECK_EQ(zx_handle_close(r), ZX_OK);
  CHECK_EQ(zx_handle_close(ro), ZX_OK);
  CHECK_EQ(zx_handle_close(nomap), ZX_OK);
  CHECK_EQ(zx_handle_close(v), ZX_OK);
}

SCENARIO(mapping_shows_vmo_and_outlives_handle) {
  uint64_t p = ps();
  zx_handle_t root = zx_vmar_root_self();
  zx_handle_t v = make_vmo(4 * p, 0);
  uintptr_t a = map(ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, v, 0, 4 * p - 1);  // rounds up
  volatile uint8_t* m = (volatile uint8_t*)a;
  CHECK_EQ(vmo_info(v).num_mappings, 1);
  CHECK_EQ(vmo_info(v).share_count, 1);
  m[4 * p - 1] = 9;  // the 4th page is there
  uint8_t b = 0;
  CHECK_EQ(zx_vmo_read(v, &b, 4 * p - 1, 1), ZX_OK);
  CHECK_EQ(b, 9);
  b = 7;
  CHECK_EQ(zx_vmo_write(v, &b, p, 1), ZX_OK);
  CHECK_EQ(m[p], 7);
  // A read-only mapping of the same VMO sees writes made through the writable one.
  uintptr_t ra = map(ZX_VM_PERM_READ, v, 0, 4 * p);
  m[2 * p + 1] = 3;
  CHECK_EQ(((volatile uint8_t*)ra)[2 * p + 1], 3);
  CHECK_EQ(((volatile uint8_t*)ra)[3 * p], 0);
  b = 4;
  CHECK_EQ(zx_vmo_write(v, &b, 3 * p, 1), ZX_OK);  // a page that was zero when mapped
  CHECK_EQ(((volatile uint8_t*)ra)[3 * p], 4);
  // Closing the only handle keeps the mapping usable.
  CHECK_EQ(zx_handle_close(v), ZX_OK);
  m[0] = 1;
  CHECK_EQ(m[0], 1);
  CHECK_EQ(((volatile uint8_t*)ra)[0], 1);
  CHECK_EQ(zx_vmar_unmap(root, a, 4 * p), ZX_OK);
  CHECK_EQ(zx_vmar_unmap(root, ra, 4 * p), ZX_OK);
}

SCENARIO(read_only_mapping_is_r_in_proc_maps_and_faults_on_write) {
  uint64_t p = ps();
  zx_handle_t root = zx_vmar_root_self();
  zx_handle_t v = make_vmo(2 * p, 0);
  uint8_t b = 42;
  CHECK_EQ(zx_vmo_write(v, &b, 0, 1), ZX_OK);
  uintptr_t a = map(ZX_VM_PERM_READ, v, 0, 2 * p);
  char perms[5];
  perms_of(a, perms);
  CHECK_EQ(memcmp(perms, "r--", 3), 0);
  perms_of(a + p, perms);  // a zero page: also read-only
  CHECK_EQ(memcmp(perms, "r--", 3), 0);
  CHECK_EQ(((volatile uint8_t*)a)[0], 42);
  CHECK_EQ(touch_signal(a, 1), SIGSEGV);
  CHECK_EQ(touch_signal(a + p, 1), SIGSEGV);
  CHECK_EQ(touch_signal(a, 0), 0);
  uintptr_t w = map(ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, v, 0, p);
  perms_of(w, perms);
  CHECK_EQ(memcmp(perms, "rw-", 3), 0);
  uintptr_t n = map(0, v, 0, p);
  CHECK_EQ(touch_signal(n, 0), SIGSEGV);
  CHECK_EQ(zx_vmar_unmap(root, a, 2 * p), ZX_OK);
  CHECK_EQ(zx_vmar_unmap(root, w, p), ZX_OK);
  CHECK_EQ(zx_vmar_unmap(root, n, p), ZX_OK);
  CHECK_EQ(zx_handle_close(v), ZX_OK);
}

SCENARIO(snapshot_isolation_through_mappings) {
  uint64_t p = ps();
  zx_handle_t root = zx_vmar_root_self();
  zx_handle_t v = make_vmo(2 * p, 0);
  volatile uint8_t* pm = (volatile uint8_t*)map(ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, v, 0, 2 * p);
  pm[0] = 'x';  // written through the mapping before the snapshot
  pm[p] = 'y';
  zx_handle_t c;
  CHECK_EQ(zx_vmo_create_child(v, ZX_VMO_CHILD_SNAPSHOT, 0, 2 * p, &c), ZX_OK);
  volatile uint8_t* cr = (volatile uint8_t*)map(ZX_VM_PERM_READ, c, 0, 2 * p);
  volatile uint8_t* cw = (volatile uint8_t*)map(ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, c, 0, 2 * p);
  CHECK_EQ(cr[0], 'x');
  CHECK_EQ(cw[p], 'y');
  pm[0] = 'P';  // parent mapping write after the snapshot
  CHECK_EQ(cr[0], 'x');
  CHECK_EQ(cw[0], 'x');
  cw[p] = 'C';  // child mapping write
  CHECK_EQ(pm[p], 'y');
  CHECK_EQ(cr[p], 'C');  // the child's read-only mapping follows the child's pages
  uint8_t b = 0;
  CHECK_EQ(zx_vmo_read(v, &b, p, 1), ZX_OK);
  CHECK_EQ(b, 'y');
  CHECK_EQ(zx_vmo_read(c, &b, 0, 1), ZX_OK);
  CHECK_EQ(b, 'x');
  CHECK_EQ(zx_vmo_read(v, &b, 0, 1), ZX_OK);
  CHECK_EQ(b, 'P');
  // vmo_write on the child re-points its read-only mapping.
  b = 'W';
  CHECK_EQ(zx_vmo_write(c, &b, 1, 1), ZX_OK);
  CHECK_EQ(cr[1], 'W');
  CHECK_EQ(pm[1], 0);
  CHECK_EQ(zx_vmar_unmap(root, (uintptr_t)pm, 2 * p), ZX_OK);
  CHECK_EQ(zx_vmar_unmap(root, (uintptr_t)cr, 2 * p), ZX_OK);
  CHECK_EQ(zx_vmar_unmap(root, (uintptr_t)cw, 2 * p), ZX_OK);
  CHECK_EQ(zx_handle_close(c), ZX_OK);
  CHECK_EQ(zx_handle_close(v), ZX_OK);
}

SCENARIO(mappings_follow_snapshot_write_cycles) {
  uint64_t p = ps();
  zx_handle_t root = zx_vmar_root_self();
  zx_handle_t v = make_vmo(3 * p, 0);
  volatile uint8_t* w = (volatile uint8_t*)map(ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, v, 0, 3 * p);
  volatile uint8_t* r = (volatile uint8_t*)map(ZX_VM_PERM_READ, v, 0, 3 * p);
  for (int round = 1; round <= 20; round++) {
    uint64_t at = (uint64_t)(round % 3) * p + (uint64_t)round;
    zx_handle_t c;
    CHECK_EQ(zx_vmo_create_child(v, ZX_VMO_CHILD_SNAPSHOT, 0, 3 * p, &c), ZX_OK);
    volatile uint8_t* cm = (volatile uint8_t*)map(ZX_VM_PERM_READ, c, 0, 3 * p);
    w[at] = (uint8_t)round;  // after the snapshot: the child must not see it
    uint8_t b = 0xEE;
    CHECK_EQ(zx_vmo_read(c, &b, at, 1), ZX_OK);
    CHECK_EQ(b, 0);
    CHECK_EQ(cm[at], 0);
    CHECK_EQ(r[at], round);
    b = (uint8_t)(round + 100);
    CHECK_EQ(zx_vmo_write(v, &b, at + 1, 1), ZX_OK);
    CHECK_EQ(w[at + 1], round + 100);
    CHECK_EQ(r[at + 1], round + 100);
    CHECK_EQ(cm[at + 1], 0);
    CHECK_EQ(zx_handle_close(c), ZX_OK);
    CHECK_EQ(zx_vmar_unmap(root, (uintptr_t)cm, 3 * p), ZX_OK);  // collapses v's chain
    CHECK_EQ(r[at], round);
    w[at + 2] = 1;
    CHECK_EQ(r[at + 2], 1);
  }
  uint8_t all[3];
  CHECK_EQ(zx_vmo_read(v, all, 2 * p + 20, 3), ZX_OK);
  CHECK_EQ(all[0], 20);
  CHECK_EQ(all[1], 120);
  CHECK_EQ(all[2], 1);
  CHECK_EQ(zx_vmar_unmap(root, (uintptr_t)w, 3 * p), ZX_OK);
  CHECK_EQ(zx_vmar_unmap(root, (uintptr_t)r, 3 * p), ZX_OK);
  CHECK_EQ(zx_handle_close(v), ZX_OK);
}

SCENARIO(partial_unmap_splits_and_gaps) {
  uint64_t p = ps();
  zx_handle_t root = zx_vmar_root_self();
  zx_handle_t v = make_vmo(4 * p, 0);
  uint8_t bytes[4] = {1, 2, 3, 4};
  for (int i = 0; i < 4; i++) CHECK_EQ(zx_vmo_write(v, &bytes[i], (uint64_t)i * p, 1), ZX_OK);
  uintptr_t a = map(ZX_VM_PERM_READ, v, 0, 4 * p);
  CHECK_EQ(zx_vmar_unmap(root, a + p, p), ZX_OK);
  CHECK_EQ(vmo_info(v).num_mappings, 2);
  CHECK_EQ(((volatile uint8_t*)a)[0], 1);
  CHECK_EQ(((volatile uint8_t*)a)[2 * p], 3);
  CHECK_EQ(touch_signal(a + p, 0), SIGSEGV);
  // The hole is free again: SPECIFIC can map there (offset from the root VMAR base).
  zx_vaddr_t got = 0;
  CHECK_EQ(zx_vmar_map(root, ZX_VM_PERM_READ | ZX_VM_SPECIFIC, a + p - ROOT_BASE, v, 3 * p, p, &got),
           ZX_OK);
  CHECK_EQ(got, a + p);
  CHECK_EQ(((volatile uint8_t*)a)[p], 4);
  // SPECIFIC over an existing mapping: ALREADY_EXISTS.
  CHECK_EQ(zx_vmar_map(root, ZX_VM_PERM_READ | ZX_VM_SPECIFIC, a - ROOT_BASE, v, 0, p, &got),
           ZX_ERR_ALREADY_EXISTS);
  // SPECIFIC_OVERWRITE over our own mapping replaces it.
  CHECK_EQ(zx_vmar_map(root, ZX_VM_PERM_READ | ZX_VM_SPECIFIC_OVERWRITE, a - ROOT_BASE, v, p, p,
                       &got),
           ZX_OK);
  CHECK_EQ(((volatile uint8_t*)a)[0], 2);
  // Unmap a range with gaps, unaligned length: everything in it goes.
  CHECK_EQ(zx_vmar_unmap(root, a + p, p), ZX_OK);
  CHECK_EQ(zx_vmar_unmap(root, a, 4 * p - 5), ZX_OK);
  CHECK_EQ(vmo_info(v).num_mappings, 0);
  CHECK_EQ(zx_vmar_unmap(root, a, 4 * p), ZX_ERR_NOT_FOUND);
  // Unmap errors.
  CHECK_EQ(zx_vmar_unmap(0x2223u, a, p), ZX_ERR_BAD_HANDLE);
  CHECK_EQ(zx_vmar_unmap(v, a, p), ZX_ERR_WRONG_TYPE);
  CHECK_EQ(zx_vmar_unmap(root, a + 1, p), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_vmar_unmap(root, a, 0), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_vmar_unmap(root, a, SIZE_MAX), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_handle_close(v), ZX_OK);
}

SCENARIO(foreign_memory_is_never_touched) {
  uint64_t p = ps();
  zx_handle_t root = zx_vmar_root_self();
  zx_handle_t v = make_vmo(p, 0);
  // [region, region + 2p) is free, [foreign, foreign + 2p) is memory we did not get from zircon.
  uint8_t* region = mmap(NULL, 4 * p, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  CHECK(region != MAP_FAILED);
  CHECK_EQ(munmap(region, 2 * p), 0);
  uint8_t* foreign = region + 2 * p;
  foreign[0] = 0x77;
  foreign[p] = 0x78;
  zx_vaddr_t got = 0;
  uintptr_t off = (uintptr_t)foreign - ROOT_BASE;
  CHECK_EQ(zx_vmar_map(root, ZX_VM_PERM_READ | ZX_VM_SPECIFIC, off, v, 0, p, &got),
           ZX_ERR_ALREADY_EXISTS);
  CHECK_EQ(zx_vmar_map(root, ZX_VM_PERM_READ | ZX_VM_SPECIFIC_OVERWRITE, off, v, 0, p, &got),
           ZX_ERR_ALREADY_EXISTS);
  CHECK_EQ(zx_vmar_unmap(root, (uintptr_t)foreign, 2 * p), ZX_ERR_NOT_FOUND);
  CHECK_EQ(foreign[0], 0x77);
  CHECK_EQ(foreign[p], 0x78);
  // SPECIFIC_OVERWRITE into free memory works; over a range that reaches foreign memory it fails
  // and leaves everything as it was.
  uintptr_t ours = 0;
  CHECK_EQ(zx_vmar_map(root, ZX_VM_PERM_READ | ZX_VM_SPECIFIC_OVERWRITE,
                       (uintptr_t)region - ROOT_BASE, v, 0, p, &ours),
           ZX_OK);
  CHECK_EQ(ours, (uintptr_t)region);
  CHECK_EQ(zx_vmar_map(root, ZX_VM_PERM_READ | ZX_VM_SPECIFIC_OVERWRITE | ZX_VM_ALLOW_FAULTS,
                       (uintptr_t)region - ROOT_BASE, v, 0, 3 * p, &got),
           ZX_ERR_ALREADY_EXISTS);
  CHECK_EQ(vmo_info(v).num_mappings, 1);
  CHECK_EQ(((volatile uint8_t*)region)[0], 0);
  // Unmapping a range that covers our mapping, a gap and foreign memory leaves the foreign part.
  CHECK_EQ(zx_vmar_unmap(root, (uintptr_t)region, 4 * p), ZX_OK);
  CHECK_EQ(foreign[0], 0x77);
  CHECK_EQ(foreign[p], 0x78);
  CHECK_EQ(vmo_info(v).num_mappings, 0);
  munmap(foreign, 2 * p);
  CHECK_EQ(zx_handle_close(v), ZX_OK);
}

SCENARIO(require_non_resizable_and_resize_hazard) {
  uint64_t p = ps();
  zx_handle_t root = zx_vmar_root_self();
  zx_handle_t r = make_vmo(2 * p, ZX_VMO_RESIZABLE);
  uint8_t b = 5;
  CHECK_EQ(zx_vmo_write(r, &b, p, 1), ZX_OK);
  zx_handle_t c;
  CHECK_EQ(zx_vmo_create_child(r, ZX_VMO_CHILD_SNAPSHOT | ZX_VMO_CHILD_NO_WRITE, 0, 2 * p, &c),
           ZX_OK);
  uintptr_t ca = map(ZX_VM_PERM_READ | ZX_VM_REQUIRE_NON_RESIZABLE, c, 0, 2 * p);
  CHECK_EQ(((volatile uint8_t*)ca)[p], 5);
  // Mapping a resizable VMO is allowed without REQUIRE_NON_RESIZABLE; shrinking it makes the
  // lost pages fault, growing brings zero pages back.
  uintptr_t ra = map(ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, r, 0, 2 * p);
  CHECK_EQ(((volatile uint8_t*)ra)[p], 5);
  CHECK_EQ(zx_vmo_set_size(r, p), ZX_OK);
  CHECK(touch_signal(ra + p, 0) != 0);
  CHECK_EQ(zx_vmo_set_size(r, 2 * p), ZX_OK);
  CHECK_EQ(((volatile uint8_t*)ra)[p], 0);
  CHECK_EQ(((volatile uint8_t*)ca)[p], 5);
  // ALLOW_FAULTS: a mapping past the end is allowed; the part past the end faults.
  uintptr_t fa = map(ZX_VM_PERM_READ | ZX_VM_ALLOW_FAULTS, r, 0, 3 * p);
  CHECK_EQ(((volatile uint8_t*)fa)[0], 0);
  CHECK(touch_signal(fa + 2 * p, 0) != 0);
  CHECK_EQ(zx_vmar_unmap(root, ca, 2 * p), ZX_OK);
  CHECK_EQ(zx_vmar_unmap(root, ra, 2 * p), ZX_OK);
  CHECK_EQ(zx_vmar_unmap(root, fa, 3 * p), ZX_OK);
  CHECK_EQ(zx_handle_close(c), ZX_OK);
  CHECK_EQ(zx_handle_close(r), ZX_OK);
}

SCENARIO(child_kept_alive_by_mapping) {
  uint64_t p = ps();
  zx_handle_t root = zx_vmar_root_self();
  zx_handle_t v = make_vmo(7, 0);  // ImmutableMapping's drop_cleans_up
  const char content[7] = "content";
  CHECK_EQ(zx_vmo_write(v, content, 0, 7), ZX_OK);
  CHECK_EQ(poll(v, ZX_VMO_ZERO_CHILDREN), ZX_OK);
  zx_handle_t c;
  CHECK_EQ(zx_vmo_create_child(v, 0x21, 0, p, &c), ZX_OK);
  uintptr_t a = map(0x801, c, 0, p);
  CHECK_EQ(zx_handle_close(c), ZX_OK);
  CHECK_EQ(poll(v, ZX_VMO_ZERO_CHILDREN), ZX_ERR_TIMED_OUT);
  CHECK_EQ(vmo_info(v).num_children, 1);
  CHECK_EQ(memcmp((const void*)a, content, 7), 0);
  CHECK_EQ(((volatile uint8_t*)a)[p - 1], 0);
  uint8_t b = 'X';
  CHECK_EQ(zx_vmo_write(v, &b, 0, 1), ZX_OK);
  CHECK_EQ(((volatile uint8_t*)a)[0], 'c');
  // A partial unmap keeps it alive; the last piece releases it.
  CHECK_EQ(zx_vmar_unmap(root, a, p), ZX_OK);
  CHECK_EQ(poll(v, ZX_VMO_ZERO_CHILDREN), ZX_OK);
  CHECK_EQ(vmo_info(v).num_children, 0);
  zx_handle_t c2;
  CHECK_EQ(zx_vmo_create_child(v, 0x21, 0, 2 * p, &c2), ZX_OK);
  uintptr_t a2 = map(0xC01, c2, 0, 2 * p);
  CHECK_EQ(zx_handle_close(c2), ZX_OK);
  CHECK_EQ(zx_vmar_unmap(root, a2, p), ZX_OK);
  CHECK_EQ(poll(v, ZX_VMO_ZERO_CHILDREN), ZX_ERR_TIMED_OUT);
  CHECK_EQ(zx_vmar_unmap(root, a2 + p, p), ZX_OK);
  CHECK_EQ(poll(v, ZX_VMO_ZERO_CHILDREN), ZX_OK);
  CHECK_EQ(zx_handle_close(v), ZX_OK);
}

static int pagemap_fd = -2;

// 1 if the page at addr is present in this process's page tables, 0 if not, -1 if unknown.
static int page_present(uintptr_t addr) {
  if (pagemap_fd == -2) pagemap_fd = open("/proc/self/pagemap", O_RDONLY);
  if (pagemap_fd < 0) return -1;
  uint64_t entry = 0;
  if (pread(pagemap_fd, &entry, sizeof(entry), (off_t)(addr / ps() * 8)) != sizeof(entry)) return -1;
  return (int)(entry >> 63);
}

// Whether this environment reports residency faithfully (not, e.g., under qemu-user): a
// populated private anonymous mapping must show in mincore and pagemap, an untouched one not.
static bool residency_observable(void) {
  size_t len = 2 * ps();
  void* pop = mmap(NULL, len, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
  void* lazy = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  bool ok = pop != MAP_FAILED && lazy != MAP_FAILED;
  if (ok) {
    unsigned char vec[2] = {0, 0};
    ok = mincore(pop, len, vec) == 0 && (vec[0] & 1) && (vec[1] & 1) &&
         mincore(lazy, len, vec) == 0 && !(vec[0] & 1) && page_present((uintptr_t)lazy) == 0;
    ((volatile char*)lazy)[0] = 1;
    ok = ok && page_present((uintptr_t)lazy) == 1;
  }
  if (pop != MAP_FAILED) munmap(pop, len);
  if (lazy != MAP_FAILED) munmap(lazy, len);
  return ok;
}

SCENARIO(map_range_populates_lazy_does_not) {
  uint64_t p = ps();
  const size_t pages = 16;
  if (!residency_observable()) {
    printf("map_range_populates_lazy_does_not: skipped (mincore/pagemap not faithful here)\n");
    return;
  }
  zx_handle_t root = zx_vmar_root_self();
  zx_handle_t v = make_vmo(pages * p, 0);
  unsigned char vec[16];
  // Zero pages: mincore shows the difference.
  uintptr_t lazy = map(ZX_VM_PERM_READ, v, 0, pages * p);
  uintptr_t eager = map(ZX_VM_PERM_READ | ZX_VM_MAP_RANGE, v, 0, pages * p);
  CHECK_EQ(mincore((void*)lazy, pages * p, vec), 0);
  int resident = 0;
  for (size_t i = 0; i < pages; i++) resident += vec[i] & 1;
  CHECK_EQ(resident, 0);
  CHECK_EQ(mincore((void*)eager, pages * p, vec), 0);
  resident = 0;
  for (size_t i = 0; i < pages; i++) resident += vec[i] & 1;
  CHECK_EQ(resident, (int)pages);
  CHECK_EQ(zx_vmar_unmap(root, lazy, pages * p), ZX_OK);
  CHECK_EQ(zx_vmar_unmap(root, eager, pages * p), ZX_OK);
  // Written pages: the page tables (pagemap) show the difference.
  CHECK_EQ(zx_vmo_op_range(v, ZX_VMO_OP_COMMIT, 0, pages * p, NULL, 0), ZX_OK);
  lazy = map(ZX_VM_PERM_READ, v, 0, pages * p);
  eager = map(ZX_VM_PERM_READ | ZX_VM_MAP_RANGE, v, 0, pages * p);
  int lazy_present = 0, eager_present = 0;
  for (size_t i = 0; i < pages; i++) {
    lazy_present += page_present(lazy + i * p);
    eager_present += page_present(eager + i * p);
  }
  CHECK_EQ(lazy_present, 0);
  CHECK_EQ(eager_present, (int)pages);
  // zx_vmar_op_range MAP_RANGE populates the lazy one.
  CHECK_EQ(zx_vmar_op_range(root, ZX_VMAR_OP_MAP_RANGE, lazy, pages * p, NULL, 0), ZX_OK);
  lazy_present = 0;
  for (size_t i = 0; i < pages; i++) lazy_present += page_present(lazy + i * p);
  CHECK_EQ(lazy_present, (int)pages);
  CHECK_EQ(zx_vmar_unmap(root, lazy, pages * p), ZX_OK);
  CHECK_EQ(zx_vmar_unmap(root, eager, pages * p), ZX_OK);
  CHECK_EQ(zx_handle_close(v), ZX_OK);
}

SCENARIO(vmar_op_range_ops) {
  uint64_t p = ps();
  zx_handle_t root = zx_vmar_root_self();
  zx_handle_t v = make_vmo(4 * p, 0);
  uintptr_t r = map(ZX_VM_PERM_READ, v, 0, 4 * p);
  // w: 4 pages followed by a page we just unmapped (a gap nothing else can take here).
  uintptr_t w = map(ZX_VM_PERM_READ | ZX_VM_PERM_WRITE | ZX_VM_ALLOW_FAULTS, v, 0, 5 * p);
  CHECK_EQ(zx_vmar_unmap(root, w + 4 * p, p), ZX_OK);
  CHECK_EQ(zx_vmar_op_range(0x3333u, ZX_VMAR_OP_COMMIT, w, p, NULL, 0), ZX_ERR_BAD_HANDLE);
  CHECK_EQ(zx_vmar_op_range(v, ZX_VMAR_OP_COMMIT, w, p, NULL, 0), ZX_ERR_WRONG_TYPE);
  CHECK_EQ(zx_vmar_op_range(root, 77, w, p, NULL, 0), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_vmar_op_range(root, ZX_VMAR_OP_COMMIT, w + 1, p, NULL, 0), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_vmar_op_range(root, ZX_VMAR_OP_COMMIT, w, 0, NULL, 0), ZX_ERR_INVALID_ARGS);
  uint8_t byte = 0;
  CHECK_EQ(zx_vmar_op_range(root, ZX_VMAR_OP_COMMIT, w, p, &byte, 0), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_vmar_op_range(root, ZX_VMAR_OP_COMMIT, w, p, NULL, 1), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_vmar_op_range(root, ZX_VMAR_OP_COMMIT, w, SIZE_MAX - p, NULL, 0),
           ZX_ERR_OUT_OF_RANGE);
  CHECK_EQ(zx_vmar_op_range(root, ZX_VMAR_OP_COMMIT, 0, p, NULL, 0), ZX_ERR_OUT_OF_RANGE);
  CHECK_EQ(zx_vmar_op_range(root, ZX_VMAR_OP_COMMIT, w, 5 * p, NULL, 0), ZX_ERR_BAD_STATE);
  // A read-only mapping of a VMO mapped through a handle with WRITE may be committed.
  CHECK_EQ(zx_vmar_op_range(root, ZX_VMAR_OP_COMMIT, r, p, NULL, 0), ZX_OK);
  CHECK_EQ(zx_vmar_op_range(root, ZX_VMAR_OP_COMMIT, w, 2 * p, NULL, 0), ZX_OK);
  CHECK_EQ(vmo_info(v).committed_bytes, 2 * p);
  ((volatile uint8_t*)w)[0] = 6;
  CHECK_EQ(((volatile uint8_t*)r)[0], 6);
  CHECK_EQ(zx_vmar_op_range(root, ZX_VMAR_OP_DECOMMIT, w, p, NULL, 0), ZX_OK);
  CHECK_EQ(vmo_info(v).committed_bytes, p);
  CHECK_EQ(((volatile uint8_t*)r)[0], 0);
  CHECK_EQ(zx_vmar_op_range(root, ZX_VMAR_OP_DONT_NEED, r, 4 * p, NULL, 0), ZX_OK);
  CHECK_EQ(zx_vmar_op_range(root, ZX_VMAR_OP_ALWAYS_NEED, r, 4 * p, NULL, 0), ZX_OK);
  CHECK_EQ(zx_vmar_unmap(root, w, 4 * p), ZX_OK);
  CHECK_EQ(zx_vmar_unmap(root, r, 4 * p), ZX_OK);
  CHECK_EQ(zx_handle_close(v), ZX_OK);
}

SCENARIO(snapshot_of_256mib_commits_nothing) {
  const uint64_t size = 256ull << 20;
  const size_t chunk = 1u << 20;
  zx_handle_t root = zx_vmar_root_self();
  zx_handle_t v = make_vmo(size, 0);
  char* data = malloc(chunk);
  memset(data, 0xAB, chunk);
  for (uint64_t off = 0; off < size; off += chunk) {
    if (zx_vmo_write(v, data, off, chunk) != ZX_OK) {
      CHECK(0);
      break;
    }
  }
  free(data);
  uint64_t parent_before = vmo_info(v).committed_bytes;
  CHECK_EQ(parent_before, size);
  long rss_before = rss_bytes();
  zx_handle_t c;
  CHECK_EQ(zx_vmo_create_child(v, ZX_VMO_CHILD_SNAPSHOT | ZX_VMO_CHILD_NO_WRITE, 0, size, &c),
           ZX_OK);
  uintptr_t a = map(ZX_VM_PERM_READ | ZX_VM_REQUIRE_NON_RESIZABLE, c, 0, size);
  uint64_t child_committed = vmo_info(c).committed_bytes;
  uint64_t parent_after = vmo_info(v).committed_bytes;
  CHECK_EQ(((volatile uint8_t*)a)[size / 2], 0xAB);
  long rss_after = rss_bytes();
  CHECK_EQ(child_committed, 0);
  CHECK_EQ(parent_after, parent_before);
  CHECK(rss_after - rss_before < (long)(16u << 20));
  printf("256 MiB snapshot: parent committed %llu -> %llu bytes, child committed %llu bytes, "
         "RSS %ld -> %ld KiB (lazy read-only map, one page touched)\n",
         (unsigned long long)parent_before, (unsigned long long)parent_after,
         (unsigned long long)child_committed, rss_before / 1024, rss_after / 1024);
  CHECK_EQ(zx_handle_close(c), ZX_OK);
  CHECK_EQ(zx_vmar_unmap(root, a, size), ZX_OK);
  CHECK_EQ(poll(v, ZX_VMO_ZERO_CHILDREN), ZX_OK);
  CHECK_EQ(zx_handle_close(v), ZX_OK);
}

// ---- Threads -----------------------------------------------------------------------------

#define SLOTS 8
static _Atomic zx_handle_t g_slots[SLOTS];
static atomic_int g_unexpected;

static void expect(zx_status_t status, zx_status_t a, zx_status_t b) {
  if (status != a && status != b) atomic_fetch_add(&g_unexpected, 1);
}

static void* hammer(void* arg) {
  unsigned seed = (unsigned)(uintptr_t)arg;
  uint64_t p = ps();
  zx_handle_t root = zx_vmar_root_self();
  for (int i = 0; i < 1500; i++) {
    seed = seed * 1103515245u + 12345u;
    int slot = (int)((seed >> 8) % SLOTS);
    zx_handle_t h = atomic_load(&g_slots[slot]);
    switch ((seed >> 16) % 5) {
      case 0: {  // replace the slot's VMO
        zx_handle_t fresh;
        if (zx_vmo_create(2 * p, 0, &fresh) != ZX_OK) {
          atomic_fetch_add(&g_unexpected, 1);
          break;
        }
        zx_handle_t old = atomic_exchange(&g_slots[slot], fresh);
        expect(zx_handle_close(old), ZX_OK, ZX_ERR_BAD_HANDLE);
        break;
      }
      case 1: {  // close it
        zx_handle_t old = atomic_exchange(&g_slots[slot], ZX_HANDLE_INVALID);
        expect(zx_handle_close(old), ZX_OK, ZX_OK);
        break;
      }
      case 2: {  // read / write
        uint8_t b = 1;
        expect(zx_vmo_write(h, &b, p, 1), ZX_OK, ZX_ERR_BAD_HANDLE);
        expect(zx_vmo_read(h, &b, 0, 1), ZX_OK, ZX_ERR_BAD_HANDLE);
        break;
      }
      case 3: {  // map, read through the mapping, unmap
        zx_vaddr_t addr = 0;
        zx_status_t s = zx_vmar_map(root, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, h, 0, 2 * p, &addr);
        expect(s, ZX_OK, ZX_ERR_BAD_HANDLE);
        if (s == ZX_OK) {
          volatile uint8_t* m = (volatile uint8_t*)addr;
          m[0] = (uint8_t)i;
          (void)m[p];
          expect(zx_vmar_unmap(root, addr, 2 * p), ZX_OK, ZX_OK);
        }
        break;
      }
      default: {  // snapshot, map it, drop it
        zx_handle_t c;
        zx_status_t s = zx_vmo_create_child(h, 0x21, 0, 2 * p, &c);
        expect(s, ZX_OK, ZX_ERR_BAD_HANDLE);
        if (s == ZX_OK) {
          zx_vaddr_t addr = 0;
          expect(zx_vmar_map(root, 0x801, 0, c, 0, 2 * p, &addr), ZX_OK, ZX_OK);
          expect(zx_handle_close(c), ZX_OK, ZX_OK);
          if (addr != 0) {
            (void)((volatile uint8_t*)addr)[0];
            expect(zx_vmar_unmap(root, addr, 2 * p), ZX_OK, ZX_OK);
          }
        }
        break;
      }
    }
  }
  return NULL;
}

SCENARIO(threads_hammer_close_against_map_and_read) {
  pthread_t threads[4];
  for (int i = 0; i < 4; i++) CHECK_EQ(pthread_create(&threads[i], NULL, hammer, (void*)(uintptr_t)(i + 1)), 0);
  for (int i = 0; i < 4; i++) CHECK_EQ(pthread_join(threads[i], NULL), 0);
  CHECK_EQ(atomic_load(&g_unexpected), 0);
  for (int i = 0; i < SLOTS; i++) {
    zx_handle_t h = atomic_exchange(&g_slots[i], ZX_HANDLE_INVALID);
    CHECK_EQ(zx_handle_close(h), ZX_OK);
  }
}

void run_vmar_tests(void) {
  RUN(root_vmar_is_stable);
  RUN(map_errors_in_order);
  RUN(mapping_shows_vmo_and_outlives_handle);
  RUN(read_only_mapping_is_r_in_proc_maps_and_faults_on_write);
  RUN(snapshot_isolation_through_mappings);
  RUN(mappings_follow_snapshot_write_cycles);
  RUN(partial_unmap_splits_and_gaps);
  RUN(foreign_memory_is_never_touched);
  RUN(require_non_resizable_and_resize_hazard);
  RUN(child_kept_alive_by_mapping);
  RUN(map_range_populates_lazy_does_not);
  RUN(vmar_op_range_ops);
  RUN(snapshot_of_256mib_commits_nothing);
  RUN(threads_hammer_close_against_map_and_read);
}
