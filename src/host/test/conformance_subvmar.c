// Conformance scenarios for sub-regions (zx_vmar_allocate, zx_vmar_destroy), mappings inside
// them, ZX_INFO_VMAR and zx_vmar_protect.

#include <signal.h>
#include <string.h>
#include <zircon/process.h>
#include <zircon/syscalls.h>

#include "harness.h"

static const zx_vm_option_t kRw = ZX_VM_PERM_READ | ZX_VM_PERM_WRITE;
static const zx_vm_option_t kCanRw = ZX_VM_CAN_MAP_READ | ZX_VM_CAN_MAP_WRITE;
// What a process's root VMAR handle has (as zircon gives it), minus WRITE.
#define kRootRightsWithoutWrite                                                \
  (ZX_RIGHT_DUPLICATE | ZX_RIGHT_TRANSFER | ZX_RIGHT_INSPECT | ZX_RIGHT_OP_CHILDREN |     \
   ZX_RIGHT_READ | ZX_RIGHT_EXECUTE)

static zx_handle_t allocate(zx_handle_t parent, zx_vm_option_t options, size_t offset,
                            size_t size, uintptr_t* addr) {
  zx_handle_t child = ZX_HANDLE_INVALID;
  *addr = 0;
  CHECK_EQ(zx_vmar_allocate(parent, options, offset, size, &child, addr), ZX_OK);
  return child;
}

static zx_info_vmar_t vmar_info(zx_handle_t vmar) {
  zx_info_vmar_t info;
  memset(&info, 0, sizeof(info));
  CHECK_EQ(zx_object_get_info(vmar, ZX_INFO_VMAR, &info, sizeof(info), NULL, NULL), ZX_OK);
  return info;
}

static uintptr_t map_in(zx_handle_t vmar, zx_vm_option_t options, size_t offset, zx_handle_t vmo,
                        size_t len) {
  zx_vaddr_t addr = 0;
  CHECK_EQ(zx_vmar_map(vmar, options, offset, vmo, 0, len, &addr), ZX_OK);
  return addr;
}

// Whether the host shows a readable mapping at addr.
static int readable(uintptr_t addr) {
  char perms[5];
  perms_of(addr, perms);
  return perms[0] == 'r';
}

SCENARIO(allocate_checks_in_order) {
  zx_handle_t root = zx_vmar_root_self();
  zx_handle_t vmo = make_vmo(ps(), 0);
  zx_handle_t child = ZX_HANDLE_INVALID;
  uintptr_t addr = 0;
  size_t size = 4 * ps();
  CHECK_EQ(zx_vmar_allocate(ZX_HANDLE_INVALID, kCanRw, 0, size, &child, &addr), ZX_ERR_BAD_HANDLE);
  CHECK_EQ(zx_vmar_allocate(vmo, kCanRw, 0, size, &child, &addr), ZX_ERR_WRONG_TYPE);
  zx_handle_t ro_root = ZX_HANDLE_INVALID;
  CHECK_EQ(zx_handle_duplicate(root, kRootRightsWithoutWrite, &ro_root), ZX_OK);
  CHECK_EQ(zx_vmar_allocate(ro_root, kCanRw, 0, size, &child, &addr), ZX_ERR_ACCESS_DENIED);
  CHECK_EQ(zx_vmar_allocate(ro_root, ZX_VM_CAN_MAP_READ | (1u << 31), 0, size, &child, &addr),
           ZX_ERR_INVALID_ARGS);
  // Invalid arguments.
  CHECK_EQ(zx_vmar_allocate(root, kCanRw | ZX_VM_PERM_READ, 0, size, &child, &addr),
           ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_vmar_allocate(root, kCanRw | ZX_VM_MAP_RANGE, 0, size, &child, &addr),
           ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_vmar_allocate(root, kCanRw | (9u << ZX_VM_ALIGN_BASE), 0, size, &child, &addr),
           ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_vmar_allocate(root, kCanRw, 0, 0, &child, &addr), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_vmar_allocate(root, kCanRw, 0, ps() - 1, &child, &addr), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_vmar_allocate(root, kCanRw, ps(), size, &child, &addr), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_vmar_allocate(root, kCanRw, 0, size, NULL, &addr), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_vmar_allocate(root, kCanRw, 0, size, &child, NULL), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_vmar_allocate(root, kCanRw | ZX_VM_SPECIFIC, ps() - 1, size, &child, &addr),
           ZX_ERR_INVALID_ARGS);
  zx_info_vmar_t ri = vmar_info(root);
  CHECK_EQ(zx_vmar_allocate(root, kCanRw | ZX_VM_SPECIFIC, ri.len, ps(), &child, &addr),
           ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_handle_close(ro_root), ZX_OK);
  CHECK_EQ(zx_handle_close(vmo), ZX_OK);
}

SCENARIO(allocated_region_has_rights_info_and_a_reservation) {
  uintptr_t addr = 0;
  zx_handle_t region = allocate(zx_vmar_root_self(), kCanRw, 0, 8 * ps(), &addr);
  CHECK(addr != 0);
  CHECK_EQ(addr % ps(), 0);
  zx_info_handle_basic_t basic;
  CHECK_EQ(zx_object_get_info(region, ZX_INFO_HANDLE_BASIC, &basic, sizeof(basic), NULL, NULL),
           ZX_OK);
  CHECK_EQ(basic.type, ZX_OBJ_TYPE_VMAR);
  CHECK_EQ(basic.rights, ZX_DEFAULT_VMAR_RIGHTS | ZX_RIGHT_READ | ZX_RIGHT_WRITE);
  CHECK_EQ(basic.props, ZX_OBJ_PROP_NONE);
  zx_info_vmar_t info = vmar_info(region);
  CHECK_EQ(info.base, addr);
  CHECK_EQ(info.len, 8 * ps());
  // The range is taken on the host: nothing readable there, and SPECIFIC in the root over it
  // fails.
  CHECK(!readable(addr));
  zx_handle_t vmo = make_vmo(ps(), 0);
  zx_vaddr_t got = 0;
  zx_info_vmar_t root = vmar_info(zx_vmar_root_self());
  CHECK_EQ(zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ | ZX_VM_SPECIFIC, addr - root.base,
                       vmo, 0, ps(), &got),
           ZX_ERR_ALREADY_EXISTS);
  // An ALIGN option is honoured.
  uintptr_t aligned = 0;
  zx_handle_t big = allocate(zx_vmar_root_self(), kCanRw | ZX_VM_ALIGN_1MB, 0, 2 * ps(), &aligned);
  CHECK_EQ(aligned % (1u << 20), 0);
  CHECK_EQ(zx_vmar_destroy(big), ZX_OK);
  CHECK_EQ(zx_handle_close(big), ZX_OK);
  CHECK_EQ(zx_vmar_destroy(region), ZX_OK);
  CHECK_EQ(zx_handle_close(region), ZX_OK);
  CHECK_EQ(zx_handle_close(vmo), ZX_OK);
}

SCENARIO(mappings_and_regions_stay_inside_their_region) {
  uintptr_t raddr = 0;
  size_t rsize = 6 * ps();
  zx_handle_t region = allocate(zx_vmar_root_self(), kCanRw, 0, rsize, &raddr);
  zx_handle_t vmo = make_vmo(ps(), 0);
  uint8_t byte = 0x5A;
  CHECK_EQ(zx_vmo_write(vmo, &byte, 0, 1), ZX_OK);
  uintptr_t inner = 0;
  zx_handle_t sub = allocate(region, kCanRw, 0, 2 * ps(), &inner);
  CHECK(inner >= raddr && inner + 2 * ps() <= raddr + rsize);
  // Fill the rest with mappings; they land inside, and the next one finds no room.
  uintptr_t maps[4];
  for (int i = 0; i < 4; i++) {
    maps[i] = map_in(region, kRw, 0, vmo, ps());
    CHECK(maps[i] >= raddr && maps[i] + ps() <= raddr + rsize);
    CHECK(maps[i] + ps() <= inner || maps[i] >= inner + 2 * ps());
    CHECK_EQ(*(volatile uint8_t*)maps[i], 0x5A);
  }
  zx_vaddr_t got = 0;
  CHECK_EQ(zx_vmar_map(region, ZX_VM_PERM_READ, 0, vmo, 0, ps(), &got), ZX_ERR_NO_MEMORY);
  uintptr_t none = 0;
  zx_handle_t h = ZX_HANDLE_INVALID;
  CHECK_EQ(zx_vmar_allocate(region, kCanRw, 0, ps(), &h, &none), ZX_ERR_NO_MEMORY);
  // Bigger than the region: INVALID_ARGS, not NO_MEMORY.
  CHECK_EQ(zx_vmar_allocate(region, kCanRw, 0, rsize + ps(), &h, &none), ZX_ERR_INVALID_ARGS);
  // A write through a mapping in the region reaches the VMO.
  *(volatile uint8_t*)maps[2] = 0x77;
  CHECK_EQ(zx_vmo_read(vmo, &byte, 0, 1), ZX_OK);
  CHECK_EQ(byte, 0x77);
  CHECK_EQ(vmo_info(vmo).num_mappings, 4);
  // Unmapping one gives its room back to the region, not to the host.
  CHECK_EQ(zx_vmar_unmap(region, maps[1], ps()), ZX_OK);
  CHECK(!readable(maps[1]));
  char perms[5];
  perms_of(maps[1], perms);
  CHECK_EQ(strcmp(perms, "---p"), 0);
  uintptr_t again = map_in(region, ZX_VM_PERM_READ, 0, vmo, ps());
  CHECK_EQ(again, maps[1]);
  CHECK_EQ(zx_vmar_destroy(region), ZX_OK);
  CHECK_EQ(vmo_info(vmo).num_mappings, 0);
  zx_handle_t handles[] = {sub, region, vmo};
  CHECK_EQ(zx_handle_close_many(handles, 3), ZX_OK);
}

SCENARIO(specific_inside_a_region_needs_can_map_specific) {
  uintptr_t raddr = 0;
  zx_handle_t plain = allocate(zx_vmar_root_self(), kCanRw, 0, 4 * ps(), &raddr);
  zx_handle_t vmo = make_vmo(4 * ps(), 0);
  zx_vaddr_t got = 0;
  CHECK_EQ(zx_vmar_map(plain, kRw | ZX_VM_SPECIFIC, ps(), vmo, 0, ps(), &got),
           ZX_ERR_ACCESS_DENIED);
  uintptr_t none = 0;
  zx_handle_t h = ZX_HANDLE_INVALID;
  CHECK_EQ(zx_vmar_allocate(plain, kCanRw | ZX_VM_SPECIFIC, 0, ps(), &h, &none),
           ZX_ERR_ACCESS_DENIED);
  uintptr_t saddr = 0;
  zx_handle_t spec = allocate(zx_vmar_root_self(), kCanRw | ZX_VM_CAN_MAP_SPECIFIC, 0, 10 * ps(),
                              &saddr);
  // SPECIFIC offsets are relative to the region's base.
  uintptr_t at = map_in(spec, kRw | ZX_VM_SPECIFIC, ps(), vmo, 2 * ps());
  CHECK_EQ(at, saddr + ps());
  CHECK_EQ(zx_vmar_map(spec, kRw | ZX_VM_SPECIFIC, 2 * ps(), vmo, 0, ps(), &got),
           ZX_ERR_ALREADY_EXISTS);
  CHECK_EQ(zx_vmar_allocate(spec, kCanRw | ZX_VM_SPECIFIC, ps(), ps(), &h, &none),
           ZX_ERR_ALREADY_EXISTS);
  CHECK_EQ(zx_vmar_map(spec, kRw | ZX_VM_SPECIFIC, 9 * ps(), vmo, 0, 2 * ps(), &got),
           ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_vmar_allocate(spec, kCanRw | ZX_VM_SPECIFIC, 10 * ps(), ps(), &h, &none),
           ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_vmar_allocate(spec, kCanRw | ZX_VM_SPECIFIC, 9 * ps(), 2 * ps(), &h, &none),
           ZX_ERR_INVALID_ARGS);
  // A child region at a specific place, and a mapping over it is refused.
  uintptr_t caddr = 0;
  zx_handle_t child = allocate(spec, kCanRw | ZX_VM_SPECIFIC, 5 * ps(), 2 * ps(), &caddr);
  CHECK_EQ(caddr, saddr + 5 * ps());
  CHECK_EQ(zx_vmar_map(spec, kRw | ZX_VM_SPECIFIC, 6 * ps(), vmo, 0, ps(), &got),
           ZX_ERR_ALREADY_EXISTS);
  CHECK_EQ(zx_vmar_map(spec, kRw | ZX_VM_SPECIFIC_OVERWRITE, 4 * ps(), vmo, 0, 2 * ps(), &got),
           ZX_ERR_ALREADY_EXISTS);
  // SPECIFIC_OVERWRITE replaces the region's own mapping.
  zx_handle_t other = make_vmo(ps(), 0);
  uint8_t byte = 0x42;
  CHECK_EQ(zx_vmo_write(other, &byte, 0, 1), ZX_OK);
  CHECK_EQ(zx_vmar_map(spec, ZX_VM_PERM_READ | ZX_VM_SPECIFIC_OVERWRITE, ps(), other, 0, ps(),
                       &got),
           ZX_OK);
  CHECK_EQ(got, saddr + ps());
  CHECK_EQ(*(volatile uint8_t*)got, 0x42);
  CHECK_EQ(vmo_info(vmo).num_mappings, 1);  // the second page of the first mapping is left
  zx_handle_t handles[] = {child, spec, plain, vmo, other};
  CHECK_EQ(zx_vmar_destroy(spec), ZX_OK);
  CHECK_EQ(zx_vmar_destroy(plain), ZX_OK);
  CHECK_EQ(zx_handle_close_many(handles, 5), ZX_OK);
}

SCENARIO(destroy_unmaps_everything_below_and_handles_give_bad_state) {
  zx_handle_t root = zx_vmar_root_self();
  zx_info_vmar_t ri = vmar_info(root);
  uintptr_t addr0 = 0, addr1 = 0;
  zx_handle_t r0 = allocate(root, kCanRw, 0, 10 * ps(), &addr0);
  zx_handle_t r1 = allocate(r0, kCanRw, 0, ps(), &addr1);
  zx_handle_t vmo = make_vmo(ps(), 0);
  uintptr_t m0 = map_in(r0, kRw, 0, vmo, ps());
  uintptr_t m1 = map_in(r1, kRw, 0, vmo, ps());
  *(volatile uint8_t*)m0 = 5;
  CHECK_EQ(*(volatile uint8_t*)m1, 5);
  CHECK_EQ(vmo_info(vmo).num_mappings, 2);
  CHECK_EQ(zx_vmar_destroy(r0), ZX_OK);
  CHECK_EQ(vmo_info(vmo).num_mappings, 0);
  CHECK_EQ(touch_signal(m0, 0), SIGSEGV);
  CHECK_EQ(touch_signal(m1, 0), SIGSEGV);
  zx_handle_t regions[2] = {r0, r1};
  uintptr_t maps[2] = {m0, m1};
  for (int i = 0; i < 2; i++) {
    zx_handle_t h = regions[i];
    CHECK_EQ(zx_object_get_info(h, ZX_INFO_HANDLE_VALID, NULL, 0, NULL, NULL), ZX_OK);
    CHECK_EQ(zx_vmar_destroy(h), ZX_ERR_BAD_STATE);
    zx_handle_t out = ZX_HANDLE_INVALID;
    uintptr_t a = 0;
    CHECK_EQ(zx_vmar_allocate(h, kCanRw, 0, ps(), &out, &a), ZX_ERR_BAD_STATE);
    CHECK_EQ(zx_vmar_unmap(h, maps[i], ps()), ZX_ERR_BAD_STATE);
    CHECK_EQ(zx_vmar_protect(h, ZX_VM_PERM_READ, maps[i], ps()), ZX_ERR_BAD_STATE);
    zx_vaddr_t got = 0;
    CHECK_EQ(zx_vmar_map(h, ZX_VM_PERM_READ, 0, vmo, 0, ps(), &got), ZX_ERR_BAD_STATE);
    CHECK_EQ(zx_vmar_op_range(h, ZX_VMAR_OP_COMMIT, maps[i], ps(), NULL, 0), ZX_ERR_BAD_STATE);
  }
  // The range went back: the root can map there again, and shows the new VMO.
  zx_handle_t fresh = make_vmo(ps(), 0);
  zx_vaddr_t got = 0;
  CHECK_EQ(zx_vmar_map(root, ZX_VM_PERM_READ | ZX_VM_SPECIFIC, m0 - ri.base, fresh, 0, ps(), &got),
           ZX_OK);
  CHECK_EQ(got, m0);
  CHECK_EQ(*(volatile uint8_t*)got, 0);
  CHECK_EQ(zx_vmar_unmap(root, got, ps()), ZX_OK);
  // The root VMAR cannot be destroyed.
  CHECK_EQ(zx_vmar_destroy(root), ZX_ERR_NOT_SUPPORTED);
  CHECK_EQ(zx_vmar_destroy(vmo), ZX_ERR_WRONG_TYPE);
  CHECK_EQ(zx_vmar_destroy(ZX_HANDLE_INVALID), ZX_ERR_BAD_HANDLE);
  zx_handle_t handles[] = {r0, r1, vmo, fresh};
  CHECK_EQ(zx_handle_close_many(handles, 4), ZX_OK);
}

SCENARIO(closing_a_region_handle_keeps_the_region) {
  uintptr_t addr = 0;
  zx_handle_t region = allocate(zx_vmar_root_self(), kCanRw, 0, 2 * ps(), &addr);
  zx_handle_t vmo = make_vmo(ps(), 0);
  uintptr_t m = map_in(region, kRw, 0, vmo, ps());
  CHECK_EQ(zx_handle_close(region), ZX_OK);
  *(volatile uint8_t*)m = 9;
  uint8_t byte = 0;
  CHECK_EQ(zx_vmo_read(vmo, &byte, 0, 1), ZX_OK);
  CHECK_EQ(byte, 9);
  CHECK_EQ(vmo_info(vmo).num_mappings, 1);
  // Unmapping from the root over the whole region destroys it (it lies wholly in the range).
  CHECK_EQ(zx_vmar_unmap(zx_vmar_root_self(), addr, 2 * ps()), ZX_OK);
  CHECK_EQ(vmo_info(vmo).num_mappings, 0);
  CHECK_EQ(touch_signal(m, 0), SIGSEGV);
  CHECK_EQ(zx_handle_close(vmo), ZX_OK);
}

SCENARIO(unmap_respects_region_boundaries) {
  uintptr_t raddr = 0, caddr = 0;
  zx_handle_t region = allocate(zx_vmar_root_self(), kCanRw | ZX_VM_CAN_MAP_SPECIFIC, 0, 8 * ps(),
                                &raddr);
  zx_handle_t child = allocate(region, kCanRw | ZX_VM_SPECIFIC, 2 * ps(), 2 * ps(), &caddr);
  zx_handle_t vmo = make_vmo(ps(), 0);
  uintptr_t in_child = map_in(child, kRw, 0, vmo, ps());
  // Partly over the child: INVALID_ARGS and nothing changes.
  CHECK_EQ(zx_vmar_unmap(region, raddr, 3 * ps()), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(vmo_info(vmo).num_mappings, 1);
  // The parent cannot unmap the child's mapping by itself: the range holds only the child.
  CHECK_EQ(zx_vmar_unmap(region, raddr, ps()), ZX_ERR_NOT_FOUND);
  // Outside the region: INVALID_ARGS.
  CHECK_EQ(zx_vmar_unmap(child, raddr, ps()), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_vmar_unmap(child, caddr, 3 * ps()), ZX_ERR_INVALID_ARGS);
  // Wholly covering the child destroys it.
  CHECK_EQ(zx_vmar_unmap(region, caddr, 2 * ps()), ZX_OK);
  CHECK_EQ(vmo_info(vmo).num_mappings, 0);
  CHECK_EQ(touch_signal(in_child, 0), SIGSEGV);
  zx_vaddr_t got = 0;
  CHECK_EQ(zx_vmar_map(child, ZX_VM_PERM_READ, 0, vmo, 0, ps(), &got), ZX_ERR_BAD_STATE);
  CHECK_EQ(zx_vmar_destroy(region), ZX_OK);
  zx_handle_t handles[] = {child, region, vmo};
  CHECK_EQ(zx_handle_close_many(handles, 3), ZX_OK);
}

SCENARIO(region_permissions_bound_mappings) {
  uintptr_t raddr = 0;
  zx_handle_t ro = allocate(zx_vmar_root_self(), ZX_VM_CAN_MAP_READ, 0, 4 * ps(), &raddr);
  zx_info_handle_basic_t basic;
  CHECK_EQ(zx_object_get_info(ro, ZX_INFO_HANDLE_BASIC, &basic, sizeof(basic), NULL, NULL), ZX_OK);
  CHECK_EQ(basic.rights, ZX_DEFAULT_VMAR_RIGHTS | ZX_RIGHT_READ);
  zx_handle_t vmo = make_vmo(ps(), 0);
  zx_vaddr_t got = 0;
  CHECK_EQ(zx_vmar_map(ro, kRw, 0, vmo, 0, ps(), &got), ZX_ERR_ACCESS_DENIED);
  zx_handle_t h = ZX_HANDLE_INVALID;
  uintptr_t a = 0;
  CHECK_EQ(zx_vmar_allocate(ro, kCanRw, 0, ps(), &h, &a), ZX_ERR_ACCESS_DENIED);
  uintptr_t m = map_in(ro, ZX_VM_PERM_READ, 0, vmo, ps());
  CHECK_EQ(zx_vmar_protect(ro, kRw, m, ps()), ZX_ERR_ACCESS_DENIED);
  CHECK_EQ(zx_vmar_destroy(ro), ZX_OK);
  CHECK_EQ(zx_handle_close(ro), ZX_OK);
  CHECK_EQ(zx_handle_close(vmo), ZX_OK);
}

SCENARIO(protect_checks_in_order) {
  zx_handle_t root = zx_vmar_root_self();
  zx_handle_t vmo = make_vmo(4 * ps(), 0);
  uintptr_t m = map_in(root, ZX_VM_PERM_READ, 0, vmo, 4 * ps());
  CHECK_EQ(zx_vmar_protect(ZX_HANDLE_INVALID, ZX_VM_PERM_READ, m, ps()), ZX_ERR_BAD_HANDLE);
  CHECK_EQ(zx_vmar_protect(vmo, ZX_VM_PERM_READ, m, ps()), ZX_ERR_WRONG_TYPE);
  zx_handle_t ro_root = ZX_HANDLE_INVALID;
  CHECK_EQ(zx_handle_duplicate(root, kRootRightsWithoutWrite, &ro_root), ZX_OK);
  CHECK_EQ(zx_vmar_protect(ro_root, kRw, m + 1, 0), ZX_ERR_ACCESS_DENIED);
  CHECK_EQ(zx_vmar_protect(root, ZX_VM_PERM_WRITE, m, ps()), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_vmar_protect(root, ZX_VM_PERM_READ, m + 1, ps()), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_vmar_protect(root, ZX_VM_PERM_READ, m, 0), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_vmar_protect(root, ZX_VM_PERM_READ | ZX_VM_CAN_MAP_WRITE, m, ps()),
           ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_vmar_protect(root, ZX_VM_PERM_READ | (1u << 31), m, ps()), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_vmar_protect(root, ZX_VM_PERM_READ, m, SIZE_MAX - ps() + 2), ZX_ERR_INVALID_ARGS);
  // A range running past the mapping: NOT_FOUND, and nothing changed.
  CHECK_EQ(zx_vmar_protect(root, kRw, m, 5 * ps()), ZX_ERR_NOT_FOUND);
  char perms[5];
  perms_of(m, perms);
  CHECK_EQ(perms[0], 'r');
  CHECK_EQ(perms[1], '-');
  // Mapped through a handle without WRITE: the mapping can never become writable.
  zx_handle_t ro_vmo = ZX_HANDLE_INVALID;
  CHECK_EQ(zx_handle_duplicate(vmo, ZX_DEFAULT_VMO_RIGHTS & ~ZX_RIGHT_WRITE, &ro_vmo), ZX_OK);
  uintptr_t r = map_in(root, ZX_VM_PERM_READ, 0, ro_vmo, ps());
  CHECK_EQ(zx_vmar_protect(root, kRw, r, ps()), ZX_ERR_ACCESS_DENIED);
  CHECK_EQ(zx_vmar_protect(root, ZX_VM_PERM_READ, r, ps() - 1), ZX_OK);  // len rounds up
  CHECK_EQ(zx_vmar_unmap(root, r, ps()), ZX_OK);
  CHECK_EQ(zx_vmar_unmap(root, m, 4 * ps()), ZX_OK);
  zx_handle_t handles[] = {ro_root, ro_vmo, vmo};
  CHECK_EQ(zx_handle_close_many(handles, 3), ZX_OK);
}

SCENARIO(protect_changes_permissions_of_part_of_a_mapping) {
  zx_handle_t root = zx_vmar_root_self();
  zx_handle_t vmo = make_vmo(3 * ps(), 0);
  uint8_t byte = 0x31;
  CHECK_EQ(zx_vmo_write(vmo, &byte, ps(), 1), ZX_OK);
  uintptr_t m = map_in(root, ZX_VM_PERM_READ, 0, vmo, 3 * ps());
  // Make only the middle page writable: the mapping splits in three.
  CHECK_EQ(zx_vmar_protect(root, kRw, m + ps(), ps()), ZX_OK);
  CHECK_EQ(vmo_info(vmo).num_mappings, 3);
  CHECK_EQ(touch_signal(m, 1), SIGSEGV);
  CHECK_EQ(touch_signal(m + 2 * ps(), 1), SIGSEGV);
  CHECK_EQ(*(volatile uint8_t*)(m + ps()), 0x31);
  *(volatile uint8_t*)(m + ps() + 1) = 0x32;
  CHECK_EQ(zx_vmo_read(vmo, &byte, ps() + 1, 1), ZX_OK);
  CHECK_EQ(byte, 0x32);
  // A VMO write shows in every piece.
  byte = 0x33;
  CHECK_EQ(zx_vmo_write(vmo, &byte, 2 * ps(), 1), ZX_OK);
  CHECK_EQ(*(volatile uint8_t*)(m + 2 * ps()), 0x33);
  // Down to read-only again over the whole range (three pieces), then to no access.
  CHECK_EQ(zx_vmar_protect(root, ZX_VM_PERM_READ, m, 3 * ps()), ZX_OK);
  CHECK_EQ(touch_signal(m + ps(), 1), SIGSEGV);
  CHECK_EQ(*(volatile uint8_t*)(m + ps() + 1), 0x32);
  CHECK_EQ(zx_vmar_protect(root, 0, m, ps()), ZX_OK);
  CHECK_EQ(touch_signal(m, 0), SIGSEGV);
  CHECK_EQ(zx_vmar_unmap(root, m, 3 * ps()), ZX_OK);
  CHECK_EQ(vmo_info(vmo).num_mappings, 0);
  CHECK_EQ(zx_handle_close(vmo), ZX_OK);
}

SCENARIO(protect_over_a_child_region_is_invalid_args) {
  uintptr_t raddr = 0, caddr = 0;
  zx_handle_t region = allocate(zx_vmar_root_self(), kCanRw | ZX_VM_CAN_MAP_SPECIFIC, 0, 4 * ps(),
                                &raddr);
  zx_handle_t vmo = make_vmo(ps(), 0);
  uintptr_t m = map_in(region, ZX_VM_PERM_READ | ZX_VM_SPECIFIC, 0, vmo, ps());
  zx_handle_t child = allocate(region, kCanRw | ZX_VM_SPECIFIC, ps(), ps(), &caddr);
  CHECK_EQ(zx_vmar_protect(region, kRw, m, 2 * ps()), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_vmar_protect(region, kRw, m + 2 * ps(), ps()), ZX_ERR_NOT_FOUND);
  CHECK_EQ(zx_vmar_protect(region, kRw, m, ps()), ZX_OK);
  CHECK_EQ(zx_vmar_protect(region, kRw, raddr + 4 * ps(), ps()), ZX_ERR_INVALID_ARGS);
  *(volatile uint8_t*)m = 1;
  CHECK_EQ(zx_vmar_destroy(region), ZX_OK);
  zx_handle_t handles[] = {child, region, vmo};
  CHECK_EQ(zx_handle_close_many(handles, 3), ZX_OK);
}

void run_subvmar_tests(void) {
  RUN(allocate_checks_in_order);
  RUN(allocated_region_has_rights_info_and_a_reservation);
  RUN(mappings_and_regions_stay_inside_their_region);
  RUN(specific_inside_a_region_needs_can_map_specific);
  RUN(destroy_unmaps_everything_below_and_handles_give_bad_state);
  RUN(closing_a_region_handle_keeps_the_region);
  RUN(unmap_respects_region_boundaries);
  RUN(region_permissions_bound_mappings);
  RUN(protect_checks_in_order);
  RUN(protect_changes_permissions_of_part_of_a_mapping);
  RUN(protect_over_a_child_region_is_invalid_args);
}
