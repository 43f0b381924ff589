// Conformance suite for the zircon host emulation: handles, objects, VMOs.
// Mapping, memory and thread scenarios are in conformance_vmar.c.

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zircon/process.h>
#include <zircon/syscalls.h>

#include "harness.h"

_Atomic int g_passed;
_Atomic int g_failed;
const char* g_scenario = "";

static zx_rights_t rights_of(zx_handle_t h) {
  zx_info_handle_basic_t info;
  memset(&info, 0, sizeof(info));
  CHECK_EQ(zx_object_get_info(h, ZX_INFO_HANDLE_BASIC, &info, sizeof(info), NULL, NULL), ZX_OK);
  return info.rights;
}

static zx_status_t poll(zx_handle_t h, zx_signals_t s, zx_signals_t* observed) {
  return zx_object_wait_one(h, s, ZX_TIME_INFINITE_PAST, observed);
}

static uint8_t read_byte(zx_handle_t h, uint64_t off) {
  uint8_t b = 0xEE;
  CHECK_EQ(zx_vmo_read(h, &b, off, 1), ZX_OK);
  return b;
}

static void write_byte(zx_handle_t h, uint64_t off, uint8_t value) {
  CHECK_EQ(zx_vmo_write(h, &value, off, 1), ZX_OK);
}

// ---- System ------------------------------------------------------------------------------

SCENARIO(page_size_is_host_page_size) {
  uint32_t p = zx_system_get_page_size();
  CHECK(p >= 4096 && (p & (p - 1)) == 0);
  CHECK_EQ(zx_system_get_page_size(), p);
}

SCENARIO(monotonic_clock_advances) {
  zx_time_t a = zx_clock_get_monotonic();
  zx_time_t b = zx_clock_get_monotonic();
  CHECK(a > 0);
  CHECK(b >= a);
}

// ---- Handles -----------------------------------------------------------------------------

SCENARIO(handle_values_look_like_zircon) {
  zx_handle_t a = make_vmo(1, 0);
  zx_handle_t b = make_vmo(1, 0);
  CHECK(a != ZX_HANDLE_INVALID);
  CHECK_EQ(a & ZX_HANDLE_FIXED_BITS_MASK, ZX_HANDLE_FIXED_BITS_MASK);
  CHECK_EQ(b & ZX_HANDLE_FIXED_BITS_MASK, ZX_HANDLE_FIXED_BITS_MASK);
  CHECK(a != b);
  CHECK_EQ(zx_handle_close(a), ZX_OK);
  zx_handle_t c = make_vmo(1, 0);
  CHECK(c != a);  // a closed value is not handed out again at once
  CHECK_EQ(zx_handle_close(b), ZX_OK);
  CHECK_EQ(zx_handle_close(c), ZX_OK);
}

SCENARIO(close_errors) {
  CHECK_EQ(zx_handle_close(ZX_HANDLE_INVALID), ZX_OK);
  zx_handle_t a = make_vmo(1, 0);
  CHECK_EQ(zx_handle_close(a), ZX_OK);
  CHECK_EQ(zx_handle_close(a), ZX_ERR_BAD_HANDLE);       // double close
  CHECK_EQ(zx_handle_close(0x12345673u), ZX_ERR_BAD_HANDLE);  // never issued
  CHECK_EQ(zx_handle_close(4u), ZX_ERR_BAD_HANDLE);      // low bits clear
}

SCENARIO(duplicate_rights_and_errors) {
  zx_handle_t a = make_vmo(1, 0);
  zx_handle_t d = ZX_HANDLE_INVALID;
  CHECK_EQ(rights_of(a), ZX_DEFAULT_VMO_RIGHTS);
  CHECK_EQ(ZX_DEFAULT_VMO_RIGHTS, 0xD0EF);
  CHECK_EQ(zx_handle_duplicate(a, ZX_RIGHT_SAME_RIGHTS, &d), ZX_OK);
  CHECK(d != a);
  CHECK_EQ(rights_of(d), ZX_DEFAULT_VMO_RIGHTS);
  zx_handle_t r = ZX_HANDLE_INVALID;
  CHECK_EQ(zx_handle_duplicate(a, ZX_RIGHT_READ | ZX_RIGHT_WAIT, &r), ZX_OK);
  CHECK_EQ(rights_of(r), ZX_RIGHT_READ | ZX_RIGHT_WAIT);
  // Same object: same koid.
  zx_info_handle_basic_t ia, ir;
  CHECK_EQ(zx_object_get_info(a, ZX_INFO_HANDLE_BASIC, &ia, sizeof(ia), NULL, NULL), ZX_OK);
  CHECK_EQ(zx_object_get_info(r, ZX_INFO_HANDLE_BASIC, &ir, sizeof(ir), NULL, NULL), ZX_OK);
  CHECK_EQ(ia.koid, ir.koid);
  // Errors in order: BAD_HANDLE, ACCESS_DENIED (no DUPLICATE), INVALID_ARGS.
  zx_handle_t x = ZX_HANDLE_INVALID;
  CHECK_EQ(zx_handle_duplicate(0x7fff3u, ZX_RIGHT_SAME_RIGHTS, &x), ZX_ERR_BAD_HANDLE);
  CHECK_EQ(zx_handle_duplicate(r, ZX_RIGHT_EXECUTE, NULL), ZX_ERR_ACCESS_DENIED);
  CHECK_EQ(zx_handle_duplicate(a, ZX_RIGHT_EXECUTE, &x), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_handle_duplicate(a, ZX_RIGHT_SAME_RIGHTS, NULL), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_handle_duplicate(a, ZX_RIGHT_NONE, &x), ZX_OK);
  CHECK_EQ(rights_of(x), ZX_RIGHT_NONE);
  // The rights are enforced: r cannot write.
  uint8_t byte = 1;
  CHECK_EQ(zx_vmo_write(r, &byte, 0, 1), ZX_ERR_ACCESS_DENIED);
  CHECK_EQ(zx_vmo_read(x, &byte, 0, 1), ZX_ERR_ACCESS_DENIED);
  CHECK_EQ(zx_handle_close(a), ZX_OK);
  CHECK_EQ(zx_handle_close(d), ZX_OK);
  CHECK_EQ(zx_handle_close(r), ZX_OK);
  CHECK_EQ(zx_handle_close(x), ZX_OK);
}

SCENARIO(replace_always_invalidates) {
  zx_handle_t a = make_vmo(1, 0);
  zx_handle_t b = ZX_HANDLE_INVALID;
  CHECK_EQ(zx_handle_replace(a, ZX_RIGHT_READ | ZX_RIGHT_DUPLICATE, &b), ZX_OK);
  CHECK_EQ(rights_of(b), ZX_RIGHT_READ | ZX_RIGHT_DUPLICATE);
  CHECK_EQ(zx_handle_close(a), ZX_ERR_BAD_HANDLE);
  // Failure (rights not a subset) still invalidates the source.
  zx_handle_t c = ZX_HANDLE_INVALID;
  CHECK_EQ(zx_handle_replace(b, ZX_RIGHT_WRITE, &c), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_object_get_info(b, ZX_INFO_HANDLE_VALID, NULL, 0, NULL, NULL), ZX_ERR_BAD_HANDLE);
  zx_handle_t d = make_vmo(1, 0);
  CHECK_EQ(zx_handle_replace(d, ZX_RIGHT_SAME_RIGHTS, NULL), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_handle_close(d), ZX_ERR_BAD_HANDLE);
  CHECK_EQ(zx_handle_replace(d, ZX_RIGHT_SAME_RIGHTS, &c), ZX_ERR_BAD_HANDLE);
  // No right is needed to replace.
  zx_handle_t e = make_vmo(1, 0);
  zx_handle_t none = ZX_HANDLE_INVALID;
  CHECK_EQ(zx_handle_replace(e, ZX_RIGHT_NONE, &none), ZX_OK);
  CHECK_EQ(zx_handle_replace(none, ZX_RIGHT_SAME_RIGHTS, &e), ZX_OK);
  CHECK_EQ(zx_handle_close(e), ZX_OK);
}

// ---- get_info ----------------------------------------------------------------------------

SCENARIO(get_info_topics_and_errors) {
  zx_handle_t v = make_vmo(3 * ps() + 1, 0);
  size_t actual = 99, avail = 99;
  CHECK_EQ(zx_object_get_info(v, ZX_INFO_HANDLE_VALID, NULL, 0, NULL, NULL), ZX_OK);
  CHECK_EQ(zx_object_get_info(0x1233u, ZX_INFO_HANDLE_VALID, NULL, 0, NULL, NULL),
           ZX_ERR_BAD_HANDLE);
  zx_info_handle_basic_t basic;
  CHECK_EQ(zx_object_get_info(v, ZX_INFO_HANDLE_BASIC, &basic, sizeof(basic), &actual, &avail),
           ZX_OK);
  CHECK_EQ(actual, 1);
  CHECK_EQ(avail, 1);
  CHECK(basic.koid >= ZX_KOID_FIRST);
  CHECK_EQ(basic.type, ZX_OBJ_TYPE_VMO);
  CHECK_EQ(basic.rights, ZX_DEFAULT_VMO_RIGHTS);
  CHECK_EQ(basic.related_koid, 0);
  CHECK_EQ(basic.props, ZX_OBJ_PROP_WAITABLE);
  CHECK_EQ(zx_object_get_info(v, ZX_INFO_HANDLE_BASIC, &basic, sizeof(basic) - 1, &actual, &avail),
           ZX_ERR_BUFFER_TOO_SMALL);
  CHECK_EQ(actual, 0);
  CHECK_EQ(avail, 1);
  CHECK_EQ(zx_object_get_info(v, ZX_INFO_HANDLE_BASIC, NULL, sizeof(basic), NULL, NULL),
           ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_object_get_info(v, 12345u, &basic, sizeof(basic), NULL, NULL), ZX_ERR_NOT_SUPPORTED);
  zx_info_vmo_t info = vmo_info(v);
  CHECK_EQ(info.koid, basic.koid);
  CHECK_EQ(info.size_bytes, 4 * ps());
  CHECK_EQ(info.parent_koid, 0);
  CHECK_EQ(info.num_children, 0);
  CHECK_EQ(info.num_mappings, 0);
  CHECK_EQ(info.share_count, 1);  // zircon: 1 below two mappings
  CHECK_EQ(info.flags, ZX_INFO_VMO_TYPE_PAGED | ZX_INFO_VMO_VIA_HANDLE);
  CHECK_EQ(info.committed_bytes, 0);
  CHECK_EQ(info.handle_rights, ZX_DEFAULT_VMO_RIGHTS);
  CHECK_EQ(info.cache_policy, ZX_CACHE_POLICY_CACHED);
  CHECK_EQ(zx_object_get_info(v, ZX_INFO_VMO, &info, sizeof(info) - 8, NULL, NULL),
           ZX_ERR_BUFFER_TOO_SMALL);
  // The VMO topic on the root VMAR: WRONG_TYPE. Its basic info says VMAR, not waitable.
  zx_handle_t root = zx_vmar_root_self();
  CHECK_EQ(zx_object_get_info(root, ZX_INFO_VMO, &info, sizeof(info), NULL, NULL),
           ZX_ERR_WRONG_TYPE);
  CHECK_EQ(zx_object_get_info(root, ZX_INFO_HANDLE_BASIC, &basic, sizeof(basic), NULL, NULL),
           ZX_OK);
  CHECK_EQ(basic.type, ZX_OBJ_TYPE_VMAR);
  CHECK_EQ(basic.props, ZX_OBJ_PROP_NONE);
  CHECK_EQ(basic.rights & ZX_RIGHT_WAIT, 0);
  CHECK_EQ(basic.rights & (ZX_RIGHT_READ | ZX_RIGHT_WRITE | ZX_RIGHT_EXECUTE),
           ZX_RIGHT_READ | ZX_RIGHT_WRITE | ZX_RIGHT_EXECUTE);
  // Resizable: flag and RESIZE right.
  zx_handle_t r = make_vmo(ps(), ZX_VMO_RESIZABLE);
  info = vmo_info(r);
  CHECK_EQ(info.flags, ZX_INFO_VMO_TYPE_PAGED | ZX_INFO_VMO_VIA_HANDLE | ZX_INFO_VMO_RESIZABLE);
  CHECK_EQ(info.handle_rights, ZX_DEFAULT_VMO_RIGHTS | ZX_RIGHT_RESIZE);
  // Koids increase and are distinct.
  zx_info_vmo_t info2 = vmo_info(r);
  CHECK(info2.koid > basic.koid || info2.koid != vmo_info(v).koid);
  CHECK_EQ(zx_handle_close(v), ZX_OK);
  CHECK_EQ(zx_handle_close(r), ZX_OK);
}

// ---- VMO create / size -------------------------------------------------------------------

SCENARIO(vmo_create_rounds_and_checks) {
  uint64_t p = ps();
  for (uint64_t s = 0; s <= 4 * p; s += p / 2 - 1) {
    zx_handle_t h = make_vmo(s, 0);
    uint64_t got = 1;
    CHECK_EQ(zx_vmo_get_size(h, &got), ZX_OK);
    CHECK_EQ(got, (s + p - 1) / p * p);
    CHECK_EQ(zx_handle_close(h), ZX_OK);
  }
  zx_handle_t h = ZX_HANDLE_INVALID;
  CHECK_EQ(zx_vmo_create(p, 1u, &h), ZX_ERR_INVALID_ARGS);     // bit 0 unused
  CHECK_EQ(zx_vmo_create(p, 1u << 9, &h), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_vmo_create(p, 0, NULL), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_vmo_create(UINT64_MAX, 0, &h), ZX_ERR_OUT_OF_RANGE);
  CHECK_EQ(zx_vmo_create(((uint64_t)1 << 46) + 1, 0, &h), ZX_ERR_OUT_OF_RANGE);
  CHECK_EQ(zx_vmo_create(p, ZX_VMO_DISCARDABLE, &h), ZX_ERR_NOT_SUPPORTED);
  // The largest size works and costs nothing.
  CHECK_EQ(zx_vmo_create((uint64_t)1 << 46, 0, &h), ZX_OK);
  CHECK_EQ(read_byte(h, ((uint64_t)1 << 46) - 1), 0);
  CHECK_EQ(zx_handle_close(h), ZX_OK);
  // get_size errors.
  uint64_t size;
  CHECK_EQ(zx_vmo_get_size(0x8883u, &size), ZX_ERR_BAD_HANDLE);
  CHECK_EQ(zx_vmo_get_size(zx_vmar_root_self(), &size), ZX_ERR_WRONG_TYPE);
  h = make_vmo(p, 0);
  CHECK_EQ(zx_vmo_get_size(h, NULL), ZX_ERR_INVALID_ARGS);
  zx_handle_t none = ZX_HANDLE_INVALID;
  CHECK_EQ(zx_handle_duplicate(h, ZX_RIGHT_NONE, &none), ZX_OK);
  CHECK_EQ(zx_vmo_get_size(none, &size), ZX_OK);  // no right needed
  CHECK_EQ(zx_handle_close(none), ZX_OK);
  CHECK_EQ(zx_handle_close(h), ZX_OK);
}

SCENARIO(vmo_read_write_ranges_and_order) {
  uint64_t p = ps();
  zx_handle_t h = make_vmo(p + 1, 0);  // rounded to 2 pages
  char buf[16] = "hello, zircon";
  char out[16];
  CHECK_EQ(zx_vmo_write(h, buf, 2 * p - 13, 13), ZX_OK);  // up to the rounded end
  CHECK_EQ(zx_vmo_read(h, out, 2 * p - 13, 13), ZX_OK);
  CHECK_EQ(memcmp(out, buf, 13), 0);
  CHECK_EQ(zx_vmo_read(h, out, 2 * p - 12, 13), ZX_ERR_OUT_OF_RANGE);
  CHECK_EQ(zx_vmo_write(h, buf, 2 * p - 12, 13), ZX_ERR_OUT_OF_RANGE);
  CHECK_EQ(zx_vmo_read(h, out, 2 * p, 0), ZX_OK);
  CHECK_EQ(zx_vmo_read(h, out, 2 * p + 1, 0), ZX_ERR_OUT_OF_RANGE);
  CHECK_EQ(zx_vmo_read(h, out, UINT64_MAX, 2), ZX_ERR_OUT_OF_RANGE);
  CHECK_EQ(zx_vmo_read(h, out, 1, SIZE_MAX), ZX_ERR_OUT_OF_RANGE);
  CHECK_EQ(zx_vmo_write(h, buf, UINT64_MAX - 1, 4), ZX_ERR_OUT_OF_RANGE);
  // Check order: BAD_HANDLE, WRONG_TYPE (even with no rights), ACCESS_DENIED, INVALID_ARGS,
  // OUT_OF_RANGE.
  CHECK_EQ(zx_vmo_read(0x4443u, NULL, UINT64_MAX, 5), ZX_ERR_BAD_HANDLE);
  zx_handle_t root_none = ZX_HANDLE_INVALID;
  CHECK_EQ(zx_handle_duplicate(zx_vmar_root_self(), ZX_RIGHT_NONE, &root_none), ZX_OK);
  CHECK_EQ(zx_vmo_read(root_none, NULL, UINT64_MAX, 5), ZX_ERR_WRONG_TYPE);
  CHECK_EQ(zx_vmo_write(root_none, NULL, UINT64_MAX, 5), ZX_ERR_WRONG_TYPE);
  CHECK_EQ(zx_handle_close(root_none), ZX_OK);
  zx_handle_t ro = ZX_HANDLE_INVALID;
  CHECK_EQ(zx_handle_duplicate(h, ZX_RIGHT_READ, &ro), ZX_OK);
  CHECK_EQ(zx_vmo_write(ro, NULL, UINT64_MAX, 5), ZX_ERR_ACCESS_DENIED);
  CHECK_EQ(zx_vmo_read(ro, NULL, UINT64_MAX, 5), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_vmo_write(h, NULL, 0, 5), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_vmo_read(ro, out, UINT64_MAX, 5), ZX_ERR_OUT_OF_RANGE);
  // A read spanning written and unwritten pages.
  char big[64];
  memset(big, 0x55, sizeof(big));
  CHECK_EQ(zx_vmo_read(h, big, p - 32, sizeof(big)), ZX_OK);
  CHECK_EQ(big[0], 0);
  CHECK_EQ(zx_handle_close(ro), ZX_OK);
  CHECK_EQ(zx_handle_close(h), ZX_OK);
}

SCENARIO(set_size_rules) {
  uint64_t p = ps();
  zx_handle_t fixed = make_vmo(p, 0);
  CHECK_EQ(zx_vmo_set_size(fixed, 2 * p), ZX_ERR_UNAVAILABLE);
  CHECK_EQ(zx_vmo_set_size(fixed, 0), ZX_ERR_UNAVAILABLE);
  zx_handle_t r = make_vmo(2 * p, ZX_VMO_RESIZABLE);
  write_byte(r, 0, 1);
  write_byte(r, p + 5, 2);
  CHECK_EQ(zx_vmo_set_size(r, p + 3), ZX_OK);
  uint64_t size = 0;
  CHECK_EQ(zx_vmo_get_size(r, &size), ZX_OK);
  CHECK_EQ(size, 2 * p);
  CHECK_EQ(read_byte(r, p + 5), 0);  // bytes past the new size up to the page end are zeroed
  CHECK_EQ(zx_vmo_set_size(r, p), ZX_OK);
  CHECK_EQ(zx_vmo_get_size(r, &size), ZX_OK);
  CHECK_EQ(size, p);
  uint8_t b;
  CHECK_EQ(zx_vmo_read(r, &b, p, 1), ZX_ERR_OUT_OF_RANGE);
  CHECK_EQ(zx_vmo_set_size(r, 3 * p), ZX_OK);
  CHECK_EQ(read_byte(r, 0), 1);
  CHECK_EQ(read_byte(r, 2 * p + 7), 0);
  CHECK_EQ(zx_vmo_set_size(r, UINT64_MAX), ZX_ERR_OUT_OF_RANGE);
  // Rights: WRITE first, then UNAVAILABLE, then RESIZE.
  zx_handle_t ro = ZX_HANDLE_INVALID;
  CHECK_EQ(zx_handle_duplicate(fixed, ZX_RIGHT_READ, &ro), ZX_OK);
  CHECK_EQ(zx_vmo_set_size(ro, p), ZX_ERR_ACCESS_DENIED);
  zx_handle_t no_resize = ZX_HANDLE_INVALID;
  CHECK_EQ(zx_handle_duplicate(r, ZX_RIGHT_READ | ZX_RIGHT_WRITE, &no_resize), ZX_OK);
  CHECK_EQ(zx_vmo_set_size(no_resize, p), ZX_ERR_ACCESS_DENIED);
  CHECK_EQ(zx_vmo_set_size(zx_vmar_root_self(), p), ZX_ERR_WRONG_TYPE);
  CHECK_EQ(zx_vmo_set_size(0x5553u, p), ZX_ERR_BAD_HANDLE);
  CHECK_EQ(zx_handle_close(ro), ZX_OK);
  CHECK_EQ(zx_handle_close(no_resize), ZX_OK);
  CHECK_EQ(zx_handle_close(fixed), ZX_OK);
  CHECK_EQ(zx_handle_close(r), ZX_OK);
}

// ---- Children ----------------------------------------------------------------------------

SCENARIO(create_child_errors_in_order) {
  uint64_t p = ps();
  zx_handle_t v = make_vmo(2 * p, 0);
  zx_handle_t c = ZX_HANDLE_INVALID;
  CHECK_EQ(zx_vmo_create_child(0x6663u, 0, 1, 0, NULL), ZX_ERR_BAD_HANDLE);
  CHECK_EQ(zx_vmo_create_child(zx_vmar_root_self(), 0, 1, 0, NULL), ZX_ERR_WRONG_TYPE);
  zx_handle_t no_dup = ZX_HANDLE_INVALID, no_read = ZX_HANDLE_INVALID;
  CHECK_EQ(zx_handle_duplicate(v, ZX_DEFAULT_VMO_RIGHTS & ~ZX_RIGHT_DUPLICATE, &no_dup), ZX_OK);
  CHECK_EQ(zx_handle_duplicate(v, ZX_DEFAULT_VMO_RIGHTS & ~ZX_RIGHT_READ, &no_read), ZX_OK);
  CHECK_EQ(zx_vmo_create_child(no_dup, 0, 1, 0, NULL), ZX_ERR_ACCESS_DENIED);
  CHECK_EQ(zx_vmo_create_child(no_read, 0, 1, 0, NULL), ZX_ERR_ACCESS_DENIED);
  CHECK_EQ(zx_vmo_create_child(v, 0, 0, p, &c), ZX_ERR_INVALID_ARGS);  // no type
  CHECK_EQ(zx_vmo_create_child(v, ZX_VMO_CHILD_SNAPSHOT | ZX_VMO_CHILD_SLICE, 0, p, &c),
           ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_vmo_create_child(v, ZX_VMO_CHILD_SNAPSHOT | ZX_VMO_CHILD_SNAPSHOT_AT_LEAST_ON_WRITE,
                               0, p, &c),
           ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_vmo_create_child(v, ZX_VMO_CHILD_SNAPSHOT | (1u << 1), 0, p, &c),
           ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_vmo_create_child(v, ZX_VMO_CHILD_SNAPSHOT | ZX_VMO_CHILD_RESIZABLE |
                                      ZX_VMO_CHILD_NO_WRITE, 0, p, &c),
           ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_vmo_create_child(v, ZX_VMO_CHILD_SLICE | ZX_VMO_CHILD_RESIZABLE, 0, p, &c),
           ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_vmo_create_child(v, ZX_VMO_CHILD_SNAPSHOT, 1, p, &c), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_vmo_create_child(v, ZX_VMO_CHILD_SNAPSHOT, p, UINT64_MAX - 1, &c),
           ZX_ERR_OUT_OF_RANGE);
  CHECK_EQ(zx_vmo_create_child(v, ZX_VMO_CHILD_SNAPSHOT, 0, p, NULL), ZX_ERR_INVALID_ARGS);
  zx_handle_t r = make_vmo(p, ZX_VMO_RESIZABLE);
  CHECK_EQ(zx_vmo_create_child(r, ZX_VMO_CHILD_SLICE, 0, p, &c), ZX_ERR_NOT_SUPPORTED);
  CHECK_EQ(zx_vmo_create_child(v, ZX_VMO_CHILD_SLICE, p, 2 * p, &c), ZX_ERR_INVALID_ARGS);
  // Nothing leaked: still zero children.
  CHECK_EQ(poll(v, ZX_VMO_ZERO_CHILDREN, NULL), ZX_OK);
  CHECK_EQ(zx_handle_close(no_dup), ZX_OK);
  CHECK_EQ(zx_handle_close(no_read), ZX_OK);
  CHECK_EQ(zx_handle_close(r), ZX_OK);
  CHECK_EQ(zx_handle_close(v), ZX_OK);
}

// A SLICE must lie inside its parent: INVALID_ARGS, checked before the parent's resizability
// (NOT_SUPPORTED) and after the size checks (OUT_OF_RANGE); an offset + size that wraps past
// 2^64 is outside too.
SCENARIO(slice_outside_parent_is_invalid_args_before_resizability) {
  uint64_t p = ps();
  uint64_t last_page = UINT64_MAX - p + 1;
  zx_handle_t r = make_vmo(2 * p, ZX_VMO_RESIZABLE);
  zx_handle_t c = ZX_HANDLE_INVALID;
  CHECK_EQ(zx_vmo_create_child(r, ZX_VMO_CHILD_SLICE, 0, 3 * p, &c), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_vmo_create_child(r, ZX_VMO_CHILD_SLICE, p, 2 * p, &c), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_vmo_create_child(r, ZX_VMO_CHILD_SLICE, 2 * p, p, &c), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_vmo_create_child(r, ZX_VMO_CHILD_SLICE, last_page, p, &c), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_vmo_create_child(r, ZX_VMO_CHILD_SLICE, 0, UINT64_MAX, &c), ZX_ERR_OUT_OF_RANGE);
  CHECK_EQ(zx_vmo_create_child(r, ZX_VMO_CHILD_SLICE, 0, last_page, &c), ZX_ERR_OUT_OF_RANGE);
  CHECK_EQ(zx_vmo_create_child(r, ZX_VMO_CHILD_SLICE, last_page, last_page, &c),
           ZX_ERR_OUT_OF_RANGE);
  CHECK_EQ(zx_vmo_create_child(r, ZX_VMO_CHILD_SLICE, last_page, UINT64_MAX, &c),
           ZX_ERR_OUT_OF_RANGE);
  CHECK_EQ(zx_vmo_create_child(r, ZX_VMO_CHILD_SLICE, 0, p, &c), ZX_ERR_NOT_SUPPORTED);
  zx_handle_t v = make_vmo(2 * p, 0);
  CHECK_EQ(zx_vmo_create_child(v, ZX_VMO_CHILD_SLICE, last_page, p, &c), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_vmo_create_child(v, ZX_VMO_CHILD_SLICE, 2 * p, 0, &c), ZX_OK);  // empty, at the end
  CHECK_EQ(zx_handle_close(c), ZX_OK);
  CHECK_EQ(zx_handle_close(v), ZX_OK);
  CHECK_EQ(zx_handle_close(r), ZX_OK);
}

// A child's offset is added to its ancestors' offsets: a grandchild whose accumulated offset (or
// offset + size) would pass 2^64 is INVALID_ARGS, and so is growing a resizable child that far.
SCENARIO(accumulated_child_offsets_must_not_overflow) {
  uint64_t p = ps();
  uint64_t far = UINT64_MAX - 8 * p + 1;  // 0xffffffffffff8000 with 4 KiB pages
  zx_handle_t v = make_vmo(p, 0);
  zx_handle_t c = ZX_HANDLE_INVALID, g = ZX_HANDLE_INVALID;
  CHECK_EQ(zx_vmo_create_child(v, ZX_VMO_CHILD_SNAPSHOT | ZX_VMO_CHILD_RESIZABLE, far, p, &c),
           ZX_OK);
  CHECK_EQ(zx_vmo_create_child(c, ZX_VMO_CHILD_SNAPSHOT, 8 * p, p, &g), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_vmo_create_child(c, ZX_VMO_CHILD_SNAPSHOT, 7 * p, p, &g), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_vmo_create_child(c, ZX_VMO_CHILD_SNAPSHOT, 6 * p, p, &g), ZX_OK);
  CHECK_EQ(zx_handle_close(g), ZX_OK);
  CHECK_EQ(zx_vmo_set_size(c, 7 * p), ZX_OK);  // ends at 2^64 - 1
  CHECK_EQ(zx_vmo_set_size(c, 8 * p), ZX_ERR_INVALID_ARGS);
  uint64_t size = 0;
  CHECK_EQ(zx_vmo_get_size(c, &size), ZX_OK);
  CHECK_EQ(size, 7 * p);
  CHECK_EQ(zx_handle_close(c), ZX_OK);
  CHECK_EQ(zx_handle_close(v), ZX_OK);
}

// ZX_INFO_HANDLE_BASIC.related_koid is a pager's koid for pager-backed VMOs and 0 for every
// other VMO, children included (their parent is ZX_INFO_VMO.parent_koid).
SCENARIO(handle_basic_related_koid_is_zero_for_children) {
  uint64_t p = ps();
  zx_handle_t v = make_vmo(p, 0);
  zx_handle_t c = ZX_HANDLE_INVALID, s = ZX_HANDLE_INVALID;
  CHECK_EQ(zx_vmo_create_child(v, ZX_VMO_CHILD_SNAPSHOT, 0, p, &c), ZX_OK);
  CHECK_EQ(zx_vmo_create_child(v, ZX_VMO_CHILD_SLICE, 0, p, &s), ZX_OK);
  zx_handle_t handles[] = {v, c, s};
  for (size_t i = 0; i < 3; i++) {
    zx_info_handle_basic_t basic;
    CHECK_EQ(zx_object_get_info(handles[i], ZX_INFO_HANDLE_BASIC, &basic, sizeof(basic), NULL,
                                NULL),
             ZX_OK);
    CHECK_EQ(basic.related_koid, 0);
  }
  CHECK_EQ(vmo_info(c).parent_koid, vmo_info(v).koid);
  CHECK_EQ(zx_handle_close(s), ZX_OK);
  CHECK_EQ(zx_handle_close(c), ZX_OK);
  CHECK_EQ(zx_handle_close(v), ZX_OK);
}

SCENARIO(child_rights) {
  uint64_t p = ps();
  zx_handle_t v = make_vmo(p, 0);
  zx_handle_t c;
  CHECK_EQ(zx_vmo_create_child(v, ZX_VMO_CHILD_SNAPSHOT | ZX_VMO_CHILD_NO_WRITE, 0, p, &c), ZX_OK);
  CHECK_EQ(rights_of(c), 0xD0E7);
  uint8_t b = 1;
  CHECK_EQ(zx_vmo_write(c, &b, 0, 1), ZX_ERR_ACCESS_DENIED);
  CHECK_EQ(zx_handle_close(c), ZX_OK);
  CHECK_EQ(zx_vmo_create_child(v, ZX_VMO_CHILD_SNAPSHOT_AT_LEAST_ON_WRITE, 0, p, &c), ZX_OK);
  CHECK_EQ(rights_of(c), ZX_DEFAULT_VMO_RIGHTS);
  CHECK_EQ(zx_handle_close(c), ZX_OK);
  // WRITE is added to a snapshot even if the parent handle lacked it.
  zx_handle_t ro;
  CHECK_EQ(zx_handle_duplicate(v, ZX_RIGHT_READ | ZX_RIGHT_DUPLICATE, &ro), ZX_OK);
  CHECK_EQ(zx_vmo_create_child(ro, ZX_VMO_CHILD_SNAPSHOT, 0, p, &c), ZX_OK);
  CHECK_EQ(rights_of(c), ZX_RIGHT_READ | ZX_RIGHT_DUPLICATE | ZX_RIGHT_GET_PROPERTY |
                             ZX_RIGHT_SET_PROPERTY | ZX_RIGHT_WRITE);
  CHECK_EQ(zx_handle_close(c), ZX_OK);
  // Slice: P | properties; NO_WRITE removes WRITE.
  CHECK_EQ(zx_vmo_create_child(ro, ZX_VMO_CHILD_SLICE, 0, p, &c), ZX_OK);
  CHECK_EQ(rights_of(c), ZX_RIGHT_READ | ZX_RIGHT_DUPLICATE | ZX_RIGHT_GET_PROPERTY |
                             ZX_RIGHT_SET_PROPERTY);
  CHECK_EQ(zx_handle_close(c), ZX_OK);
  CHECK_EQ(zx_vmo_create_child(v, ZX_VMO_CHILD_SLICE | ZX_VMO_CHILD_NO_WRITE, 0, p, &c), ZX_OK);
  CHECK_EQ(rights_of(c), ZX_DEFAULT_VMO_RIGHTS & ~ZX_RIGHT_WRITE);
  CHECK_EQ(zx_handle_close(c), ZX_OK);
  // A resizable snapshot child gets RESIZE and the RESIZABLE flag; a plain one of a resizable
  // parent does not.
  zx_handle_t r = make_vmo(p, ZX_VMO_RESIZABLE);
  CHECK_EQ(zx_vmo_create_child(r, ZX_VMO_CHILD_SNAPSHOT, 0, p, &c), ZX_OK);
  CHECK_EQ(rights_of(c), ZX_DEFAULT_VMO_RIGHTS);
  CHECK_EQ(zx_vmo_set_size(c, 2 * p), ZX_ERR_UNAVAILABLE);
  CHECK_EQ(zx_handle_close(c), ZX_OK);
  CHECK_EQ(zx_vmo_create_child(v, ZX_VMO_CHILD_SNAPSHOT | ZX_VMO_CHILD_RESIZABLE, 0, p, &c), ZX_OK);
  CHECK_EQ(rights_of(c), ZX_DEFAULT_VMO_RIGHTS | ZX_RIGHT_RESIZE);
  CHECK_EQ(vmo_info(c).flags & ZX_INFO_VMO_RESIZABLE, ZX_INFO_VMO_RESIZABLE);
  CHECK_EQ(zx_vmo_set_size(c, 3 * p), ZX_OK);
  CHECK_EQ(zx_handle_close(c), ZX_OK);
  CHECK_EQ(zx_handle_close(r), ZX_OK);
  CHECK_EQ(zx_handle_close(ro), ZX_OK);
  CHECK_EQ(zx_handle_close(v), ZX_OK);
}

SCENARIO(snapshot_isolation_both_directions) {
  uint64_t p = ps();
  zx_handle_t v = make_vmo(3 * p, 0);
  write_byte(v, 0, 'a');
  write_byte(v, p, 'b');
  zx_handle_t c;
  CHECK_EQ(zx_vmo_create_child(v, ZX_VMO_CHILD_SNAPSHOT, 0, 3 * p, &c), ZX_OK);
  CHECK_EQ(read_byte(c, 0), 'a');
  CHECK_EQ(read_byte(c, p), 'b');
  write_byte(v, 0, 'A');     // parent write does not reach the child
  write_byte(c, p, 'B');     // child write does not reach the parent
  write_byte(v, 2 * p, 'Z');  // a page zero at snapshot time
  CHECK_EQ(read_byte(c, 0), 'a');
  CHECK_EQ(read_byte(v, 0), 'A');
  CHECK_EQ(read_byte(v, p), 'b');
  CHECK_EQ(read_byte(c, p), 'B');
  CHECK_EQ(read_byte(c, 2 * p), 0);
  // Snapshot of the snapshot, and of an unmodified parent twice.
  zx_handle_t g, s1, s2;
  CHECK_EQ(zx_vmo_create_child(c, ZX_VMO_CHILD_SNAPSHOT, 0, 3 * p, &g), ZX_OK);
  write_byte(c, 0, 'c');
  CHECK_EQ(read_byte(g, 0), 'a');
  CHECK_EQ(read_byte(g, p), 'B');
  CHECK_EQ(zx_vmo_create_child(v, ZX_VMO_CHILD_SNAPSHOT, 0, 3 * p, &s1), ZX_OK);
  CHECK_EQ(zx_vmo_create_child(v, ZX_VMO_CHILD_SNAPSHOT, p, 2 * p, &s2), ZX_OK);
  CHECK_EQ(read_byte(s1, 0), 'A');
  CHECK_EQ(read_byte(s2, 0), 'b');
  CHECK_EQ(read_byte(s2, p), 'Z');
  // Closing the parent does not affect the children's data.
  CHECK_EQ(zx_handle_close(v), ZX_OK);
  CHECK_EQ(read_byte(c, 0), 'c');
  CHECK_EQ(read_byte(s1, 2 * p), 'Z');
  // ZERO on a child zeroes only the child.
  CHECK_EQ(zx_vmo_op_range(s1, ZX_VMO_OP_ZERO, 0, 1, NULL, 0), ZX_OK);
  CHECK_EQ(read_byte(s1, 0), 0);
  CHECK_EQ(read_byte(s2, 0), 'b');
  CHECK_EQ(zx_handle_close(c), ZX_OK);
  CHECK_EQ(zx_handle_close(g), ZX_OK);
  CHECK_EQ(zx_handle_close(s1), ZX_OK);
  CHECK_EQ(zx_handle_close(s2), ZX_OK);
}

SCENARIO(cow_copies_only_touched_pages) {
  uint64_t p = ps();
  const uint64_t pages = 64;
  zx_handle_t v = make_vmo(pages * p, 0);
  char* data = malloc(pages * p);
  memset(data, 0x5a, pages * p);
  CHECK_EQ(zx_vmo_write(v, data, 0, pages * p), ZX_OK);
  CHECK_EQ(vmo_info(v).committed_bytes, pages * p);
  zx_handle_t c;
  CHECK_EQ(zx_vmo_create_child(v, ZX_VMO_CHILD_SNAPSHOT, 0, pages * p, &c), ZX_OK);
  zx_info_vmo_t ci = vmo_info(c);
  CHECK_EQ(ci.committed_bytes, 0);
  CHECK_EQ(ci.parent_koid, vmo_info(v).koid);
  CHECK_EQ(ci.flags, ZX_INFO_VMO_TYPE_PAGED | ZX_INFO_VMO_VIA_HANDLE | ZX_INFO_VMO_IS_COW_CLONE);
  CHECK_EQ(vmo_info(v).committed_bytes, pages * p);  // unchanged by the snapshot
  CHECK_EQ(vmo_info(v).num_children, 1);
  write_byte(c, 3 * p + 1, 1);
  write_byte(c, 10 * p, 2);
  CHECK_EQ(vmo_info(c).committed_bytes, 2 * p);
  write_byte(v, 0, 3);  // the old page 0 now only the child sees: it is charged to the child
  CHECK_EQ(vmo_info(v).committed_bytes, pages * p);
  CHECK_EQ(vmo_info(c).committed_bytes, 3 * p);
  uint8_t page[64];
  CHECK_EQ(zx_vmo_read(c, page, 3 * p, sizeof(page)), ZX_OK);
  CHECK_EQ(page[0], 0x5a);  // copied-up page keeps the rest of the data
  CHECK_EQ(page[1], 1);
  free(data);
  CHECK_EQ(zx_handle_close(c), ZX_OK);
  CHECK_EQ(zx_handle_close(v), ZX_OK);
}

SCENARIO(child_beyond_parent_end_reads_zero) {
  uint64_t p = ps();
  zx_handle_t v = make_vmo(2 * p, ZX_VMO_RESIZABLE);
  uint8_t ones[64];
  memset(ones, 1, sizeof(ones));
  CHECK_EQ(zx_vmo_write(v, ones, p, sizeof(ones)), ZX_OK);
  zx_handle_t c, far;
  CHECK_EQ(zx_vmo_create_child(v, ZX_VMO_CHILD_SNAPSHOT, p, 4 * p, &c), ZX_OK);
  CHECK_EQ(read_byte(c, 0), 1);
  CHECK_EQ(read_byte(c, p), 0);
  CHECK_EQ(read_byte(c, 3 * p + 5), 0);
  // The parent growing later does not make more of it visible.
  CHECK_EQ(zx_vmo_set_size(v, 8 * p), ZX_OK);
  write_byte(v, 3 * p, 9);
  CHECK_EQ(read_byte(c, 2 * p), 0);
  CHECK_EQ(zx_vmo_create_child(v, ZX_VMO_CHILD_SNAPSHOT, 100 * p, p, &far), ZX_OK);
  CHECK_EQ(read_byte(far, 0), 0);
  write_byte(far, 0, 4);
  CHECK_EQ(read_byte(far, 0), 4);
  CHECK_EQ(zx_handle_close(far), ZX_OK);
  // Shrink then regrow: pages past the shrink read zero even though a snapshot holds them.
  CHECK_EQ(zx_vmo_set_size(v, p), ZX_OK);
  CHECK_EQ(zx_vmo_set_size(v, 2 * p), ZX_OK);
  CHECK_EQ(read_byte(v, p), 0);
  CHECK_EQ(read_byte(c, 0), 1);
  CHECK_EQ(zx_handle_close(c), ZX_OK);
  CHECK_EQ(zx_handle_close(v), ZX_OK);
}

SCENARIO(slice_is_a_window) {
  uint64_t p = ps();
  zx_handle_t v = make_vmo(4 * p, 0);
  zx_handle_t s, ss;
  CHECK_EQ(zx_vmo_create_child(v, ZX_VMO_CHILD_SLICE, p, 2 * p, &s), ZX_OK);
  write_byte(v, p + 3, 7);
  CHECK_EQ(read_byte(s, 3), 7);
  write_byte(s, p, 8);
  CHECK_EQ(read_byte(v, 2 * p), 8);
  uint8_t b;
  CHECK_EQ(zx_vmo_read(s, &b, 2 * p, 1), ZX_ERR_OUT_OF_RANGE);
  CHECK_EQ(vmo_info(s).parent_koid, vmo_info(v).koid);
  CHECK_EQ(vmo_info(s).flags, ZX_INFO_VMO_TYPE_PAGED | ZX_INFO_VMO_VIA_HANDLE);
  CHECK_EQ(zx_vmo_create_child(s, ZX_VMO_CHILD_SLICE, p, p, &ss), ZX_OK);
  CHECK_EQ(read_byte(ss, 0), 8);
  // A slice keeps its parent's pages alive after the parent's handle closes.
  CHECK_EQ(zx_handle_close(v), ZX_OK);
  CHECK_EQ(read_byte(s, 3), 7);
  // A snapshot of a slice sees the slice's window.
  zx_handle_t c;
  CHECK_EQ(zx_vmo_create_child(s, ZX_VMO_CHILD_SNAPSHOT, 0, 4 * p, &c), ZX_OK);
  CHECK_EQ(read_byte(c, 3), 7);
  CHECK_EQ(read_byte(c, p), 8);
  CHECK_EQ(read_byte(c, 2 * p), 0);  // past the slice's end
  write_byte(s, 3, 1);
  CHECK_EQ(read_byte(c, 3), 7);
  CHECK_EQ(zx_handle_close(c), ZX_OK);
  CHECK_EQ(zx_handle_close(ss), ZX_OK);
  CHECK_EQ(zx_handle_close(s), ZX_OK);
}

// ---- ZERO_CHILDREN and waiting -----------------------------------------------------------

SCENARIO(zero_children_lifecycle) {
  uint64_t p = ps();
  zx_handle_t v = make_vmo(p, 0);
  zx_signals_t seen = 0;
  CHECK_EQ(poll(v, ZX_VMO_ZERO_CHILDREN, &seen), ZX_OK);
  CHECK_EQ(seen, ZX_VMO_ZERO_CHILDREN);
  zx_handle_t c, c2;
  CHECK_EQ(zx_vmo_create_child(v, ZX_VMO_CHILD_SNAPSHOT, 0, p, &c), ZX_OK);
  CHECK_EQ(poll(v, ZX_VMO_ZERO_CHILDREN, &seen), ZX_ERR_TIMED_OUT);
  CHECK_EQ(seen, 0);
  CHECK_EQ(poll(c, ZX_VMO_ZERO_CHILDREN, &seen), ZX_OK);  // a new child has it asserted
  // Chain: v -> c -> c2; closing c keeps v with children (c2 becomes v's child).
  CHECK_EQ(zx_vmo_create_child(c, ZX_VMO_CHILD_SNAPSHOT, 0, p, &c2), ZX_OK);
  CHECK_EQ(poll(c, ZX_VMO_ZERO_CHILDREN, NULL), ZX_ERR_TIMED_OUT);
  CHECK_EQ(zx_handle_close(c), ZX_OK);
  CHECK_EQ(poll(v, ZX_VMO_ZERO_CHILDREN, NULL), ZX_ERR_TIMED_OUT);
  CHECK_EQ(vmo_info(c2).parent_koid, vmo_info(v).koid);
  CHECK_EQ(zx_handle_close(c2), ZX_OK);
  CHECK_EQ(poll(v, ZX_VMO_ZERO_CHILDREN, NULL), ZX_OK);
  // Slice children count too.
  zx_handle_t s;
  CHECK_EQ(zx_vmo_create_child(v, ZX_VMO_CHILD_SLICE, 0, p, &s), ZX_OK);
  CHECK_EQ(poll(v, ZX_VMO_ZERO_CHILDREN, NULL), ZX_ERR_TIMED_OUT);
  CHECK_EQ(zx_handle_close(s), ZX_OK);
  CHECK_EQ(zx_object_wait_one(v, ZX_VMO_ZERO_CHILDREN, ZX_TIME_INFINITE, NULL), ZX_OK);
  CHECK_EQ(zx_handle_close(v), ZX_OK);
}

SCENARIO(wait_one_errors_and_timeout) {
  zx_handle_t v = make_vmo(1, 0);
  zx_handle_t c;
  CHECK_EQ(zx_vmo_create_child(v, ZX_VMO_CHILD_SNAPSHOT, 0, 1, &c), ZX_OK);
  CHECK_EQ(zx_object_wait_one(0x9993u, ZX_VMO_ZERO_CHILDREN, 0, NULL), ZX_ERR_BAD_HANDLE);
  zx_handle_t nowait;
  CHECK_EQ(zx_handle_duplicate(v, ZX_RIGHT_READ, &nowait), ZX_OK);
  CHECK_EQ(zx_object_wait_one(nowait, ZX_VMO_ZERO_CHILDREN, 0, NULL), ZX_ERR_ACCESS_DENIED);
  // The root VMAR handle has no WAIT right (as on Fuchsia).
  CHECK_EQ(zx_object_wait_one(zx_vmar_root_self(), 1, 0, NULL), ZX_ERR_ACCESS_DENIED);
  // A past deadline polls; a short future deadline times out with the observed signals.
  zx_signals_t seen = 123;
  CHECK_EQ(zx_object_wait_one(v, ZX_VMO_ZERO_CHILDREN, 0, &seen), ZX_ERR_TIMED_OUT);
  CHECK_EQ(seen, 0);
  zx_time_t start = zx_clock_get_monotonic();
  CHECK_EQ(zx_object_wait_one(v, ZX_VMO_ZERO_CHILDREN, start + 20 * 1000 * 1000, &seen),
           ZX_ERR_TIMED_OUT);
  CHECK(zx_clock_get_monotonic() - start >= 20 * 1000 * 1000);
  CHECK_EQ(zx_object_wait_one(c, ZX_VMO_ZERO_CHILDREN | ZX_USER_SIGNAL_0, ZX_TIME_INFINITE, &seen),
           ZX_OK);
  CHECK_EQ(seen, ZX_VMO_ZERO_CHILDREN);
  CHECK_EQ(zx_handle_close(nowait), ZX_OK);
  CHECK_EQ(zx_handle_close(c), ZX_OK);
  CHECK_EQ(zx_handle_close(v), ZX_OK);
}

struct waiter {
  zx_handle_t handle;
  zx_time_t deadline;
  zx_status_t status;
  zx_signals_t observed;
};

static void* wait_thread(void* arg) {
  struct waiter* w = arg;
  w->status = zx_object_wait_one(w->handle, ZX_VMO_ZERO_CHILDREN, w->deadline, &w->observed);
  return NULL;
}

static void sleep_ms(long ms) {
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
  nanosleep(&ts, NULL);
}

SCENARIO(wait_one_blocks_until_signal) {
  zx_handle_t v = make_vmo(1, 0);
  zx_handle_t c;
  CHECK_EQ(zx_vmo_create_child(v, ZX_VMO_CHILD_SNAPSHOT, 0, 1, &c), ZX_OK);
  struct waiter w = {v, zx_clock_get_monotonic() + 10LL * 1000 * 1000 * 1000, 1, 0};
  pthread_t t;
  CHECK_EQ(pthread_create(&t, NULL, wait_thread, &w), 0);
  sleep_ms(20);
  CHECK_EQ(zx_handle_close(c), ZX_OK);  // destroys the only child: asserts ZERO_CHILDREN
  CHECK_EQ(pthread_join(t, NULL), 0);
  CHECK_EQ(w.status, ZX_OK);
  CHECK_EQ(w.observed, ZX_VMO_ZERO_CHILDREN);
  // Infinite wait, same thing.
  CHECK_EQ(zx_vmo_create_child(v, ZX_VMO_CHILD_SNAPSHOT, 0, 1, &c), ZX_OK);
  struct waiter w2 = {v, ZX_TIME_INFINITE, 1, 0};
  CHECK_EQ(pthread_create(&t, NULL, wait_thread, &w2), 0);
  sleep_ms(10);
  CHECK_EQ(zx_handle_close(c), ZX_OK);
  CHECK_EQ(pthread_join(t, NULL), 0);
  CHECK_EQ(w2.status, ZX_OK);
  CHECK_EQ(zx_handle_close(v), ZX_OK);
}

SCENARIO(wait_survives_handle_table_growth) {
  zx_handle_t v = make_vmo(1, 0);
  zx_handle_t c;
  CHECK_EQ(zx_vmo_create_child(v, ZX_VMO_CHILD_SNAPSHOT, 0, 1, &c), ZX_OK);
  struct waiter w = {v, zx_clock_get_monotonic() + 10LL * 1000 * 1000 * 1000, 1, 0};
  pthread_t t;
  CHECK_EQ(pthread_create(&t, NULL, wait_thread, &w), 0);
  sleep_ms(10);
  enum { kMany = 3000 };
  zx_handle_t* many = calloc(kMany, sizeof(*many));
  int bad = 0;
  for (int i = 0; i < kMany; i++) bad += zx_vmo_create(0, 0, &many[i]) != ZX_OK;
  for (int i = 0; i < kMany; i++) bad += zx_handle_close(many[i]) != ZX_OK;
  CHECK_EQ(bad, 0);
  free(many);
  CHECK_EQ(zx_handle_close(c), ZX_OK);
  CHECK_EQ(pthread_join(t, NULL), 0);
  CHECK_EQ(w.status, ZX_OK);
  CHECK_EQ(zx_handle_close(v), ZX_OK);
}

SCENARIO(repeated_snapshot_write_cycles_do_not_grow) {
  uint64_t p = ps();
  zx_handle_t v = make_vmo(4 * p, 0);
  uint8_t fill[256];
  memset(fill, 0x11, sizeof(fill));
  for (uint64_t i = 0; i < 4; i++) CHECK_EQ(zx_vmo_write(v, fill, i * p, sizeof(fill)), ZX_OK);
  for (int round = 0; round < 50; round++) {
    zx_handle_t c;
    CHECK_EQ(zx_vmo_create_child(v, ZX_VMO_CHILD_SNAPSHOT | ZX_VMO_CHILD_NO_WRITE, 0, 4 * p, &c),
             ZX_OK);
    uint8_t before = read_byte(v, (uint64_t)(round % 4) * p);
    write_byte(v, (uint64_t)(round % 4) * p, (uint8_t)round);
    CHECK_EQ(read_byte(c, (uint64_t)(round % 4) * p), before);
    CHECK_EQ(zx_handle_close(c), ZX_OK);
    CHECK_EQ(read_byte(v, (uint64_t)(round % 4) * p), (uint8_t)round);
  }
  CHECK_EQ(read_byte(v, 1), 0x11);
  CHECK_EQ(vmo_info(v).committed_bytes, 4 * p);  // the old frozen pages were merged and freed
  CHECK_EQ(zx_handle_close(v), ZX_OK);
}

SCENARIO(wait_one_canceled_by_close) {
  zx_handle_t v = make_vmo(1, 0);
  zx_handle_t c, d;
  CHECK_EQ(zx_vmo_create_child(v, ZX_VMO_CHILD_SNAPSHOT, 0, 1, &c), ZX_OK);
  // The close must come while the waiter waits. On a loaded machine the waiter may only start
  // after the close (it then sees BAD_HANDLE): try again, giving it longer each time.
  struct waiter w = {ZX_HANDLE_INVALID, ZX_TIME_INFINITE, ZX_ERR_BAD_HANDLE, 0};
  for (long ms = 20; w.status == ZX_ERR_BAD_HANDLE && ms <= 2560; ms *= 2) {
    CHECK_EQ(zx_handle_duplicate(v, ZX_RIGHT_SAME_RIGHTS, &d), ZX_OK);
    w = (struct waiter){d, ZX_TIME_INFINITE, 1, 0};
    pthread_t t;
    CHECK_EQ(pthread_create(&t, NULL, wait_thread, &w), 0);
    sleep_ms(ms);
    CHECK_EQ(zx_handle_close(d), ZX_OK);
    CHECK_EQ(pthread_join(t, NULL), 0);
  }
  CHECK_EQ(w.status, ZX_ERR_CANCELED);
  CHECK_EQ(w.observed & ZX_SIGNAL_HANDLE_CLOSED, ZX_SIGNAL_HANDLE_CLOSED);
  CHECK_EQ(w.observed & ZX_VMO_ZERO_CHILDREN, 0);
  CHECK_EQ(zx_handle_close(c), ZX_OK);
  CHECK_EQ(zx_handle_close(v), ZX_OK);
}

// ---- op_range ----------------------------------------------------------------------------

// DECOMMIT of a range that starts inside (or at the end of) a VMO or slice and runs past its end
// is trimmed to the end and succeeds; only a start past the end is OUT_OF_RANGE. Pages outside
// the trimmed range (and, for a slice, outside the slice) keep their contents.
SCENARIO(decommit_past_end_is_trimmed_and_only_start_past_end_fails) {
  uint64_t p = ps();
  zx_handle_t root = make_vmo(6 * p, 0);
  zx_handle_t slice = ZX_HANDLE_INVALID;
  CHECK_EQ(zx_vmo_create_child(root, ZX_VMO_CHILD_SLICE, p, 4 * p, &slice), ZX_OK);
  uint8_t one = 1;
  for (uint64_t start = 0; start <= 7 * p; start += p) {
    for (uint64_t end = start + p; end <= 8 * p; end += p) {
      CHECK_EQ(zx_vmo_op_range(root, ZX_VMO_OP_COMMIT, 0, 6 * p, NULL, 0), ZX_OK);
      CHECK_EQ(zx_vmo_op_range(root, ZX_VMO_OP_DECOMMIT, start, end - start, NULL, 0),
               start > 6 * p ? ZX_ERR_OUT_OF_RANGE : ZX_OK);
      CHECK_EQ(zx_vmo_op_range(slice, ZX_VMO_OP_DECOMMIT, start, end - start, NULL, 0),
               start > 4 * p ? ZX_ERR_OUT_OF_RANGE : ZX_OK);
    }
  }
  // The slice's decommit stops at the slice's end: the root's first and last pages keep theirs.
  CHECK_EQ(zx_vmo_op_range(root, ZX_VMO_OP_COMMIT, 0, 6 * p, NULL, 0), ZX_OK);
  CHECK_EQ(zx_vmo_write(root, &one, 5 * p, 1), ZX_OK);
  CHECK_EQ(zx_vmo_op_range(slice, ZX_VMO_OP_DECOMMIT, 0, 16 * p, NULL, 0), ZX_OK);
  uint8_t got = 0;
  CHECK_EQ(zx_vmo_read(root, &got, 5 * p, 1), ZX_OK);
  CHECK_EQ(got, 1);
  CHECK_EQ(vmo_info(root).committed_bytes, 2 * p);
  CHECK_EQ(zx_handle_close(slice), ZX_OK);
  CHECK_EQ(zx_handle_close(root), ZX_OK);
}

SCENARIO(vmo_op_range_ops) {
  uint64_t p = ps();
  zx_handle_t v = make_vmo(4 * p, 0);
  CHECK_EQ(zx_vmo_op_range(0x1113u, ZX_VMO_OP_COMMIT, 0, p, NULL, 0), ZX_ERR_BAD_HANDLE);
  CHECK_EQ(zx_vmo_op_range(zx_vmar_root_self(), ZX_VMO_OP_COMMIT, 0, p, NULL, 0),
           ZX_ERR_WRONG_TYPE);
  CHECK_EQ(zx_vmo_op_range(v, 5, 0, p, NULL, 0), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_vmo_op_range(v, 99, 0, p, NULL, 0), ZX_ERR_INVALID_ARGS);
  // COMMIT
  CHECK_EQ(zx_vmo_op_range(v, ZX_VMO_OP_COMMIT, 0, 2 * p, NULL, 0), ZX_OK);
  CHECK_EQ(vmo_info(v).committed_bytes, 2 * p);
  CHECK_EQ(read_byte(v, p), 0);
  CHECK_EQ(zx_vmo_op_range(v, ZX_VMO_OP_COMMIT, 3 * p, 2 * p, NULL, 0), ZX_ERR_OUT_OF_RANGE);
  zx_handle_t ro;
  CHECK_EQ(zx_handle_duplicate(v, ZX_RIGHT_READ | ZX_RIGHT_DUPLICATE, &ro), ZX_OK);
  CHECK_EQ(zx_vmo_op_range(ro, ZX_VMO_OP_COMMIT, 0, p, NULL, 0), ZX_ERR_ACCESS_DENIED);
  CHECK_EQ(zx_vmo_op_range(ro, ZX_VMO_OP_DECOMMIT, 0, p, NULL, 0), ZX_ERR_ACCESS_DENIED);
  CHECK_EQ(zx_vmo_op_range(ro, ZX_VMO_OP_ZERO, 0, p, NULL, 0), ZX_ERR_ACCESS_DENIED);
  CHECK_EQ(zx_vmo_op_range(ro, ZX_VMO_OP_CACHE_INVALIDATE, 0, p, NULL, 0), ZX_ERR_ACCESS_DENIED);
  CHECK_EQ(zx_vmo_op_range(ro, ZX_VMO_OP_CACHE_SYNC, 0, p, NULL, 0), ZX_OK);
  // DECOMMIT: alignment, then pages read back zero and are freed.
  write_byte(v, 0, 5);
  CHECK_EQ(zx_vmo_op_range(v, ZX_VMO_OP_DECOMMIT, 1, p, NULL, 0), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_vmo_op_range(v, ZX_VMO_OP_DECOMMIT, 0, p + 1, NULL, 0), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_vmo_op_range(v, ZX_VMO_OP_DECOMMIT, 5 * p, p, NULL, 0), ZX_ERR_OUT_OF_RANGE);
  CHECK_EQ(zx_vmo_op_range(v, ZX_VMO_OP_DECOMMIT, 0, 2 * p, NULL, 0), ZX_OK);
  CHECK_EQ(read_byte(v, 0), 0);
  CHECK_EQ(vmo_info(v).committed_bytes, 0);
  // DECOMMIT is NOT_SUPPORTED on snapshot children and on parents with snapshot children.
  zx_handle_t c;
  CHECK_EQ(zx_vmo_create_child(v, ZX_VMO_CHILD_SNAPSHOT, 0, p, &c), ZX_OK);
  CHECK_EQ(zx_vmo_op_range(c, ZX_VMO_OP_DECOMMIT, 0, p, NULL, 0), ZX_ERR_NOT_SUPPORTED);
  CHECK_EQ(zx_vmo_op_range(v, ZX_VMO_OP_DECOMMIT, 0, p, NULL, 0), ZX_ERR_NOT_SUPPORTED);
  CHECK_EQ(zx_vmo_op_range(c, ZX_VMO_OP_COMMIT, 0, p, NULL, 0), ZX_OK);
  CHECK_EQ(vmo_info(c).committed_bytes, p);
  CHECK_EQ(zx_handle_close(c), ZX_OK);
  // ZERO: any byte range.
  uint8_t ones[3 * 64];
  memset(ones, 1, sizeof(ones));
  CHECK_EQ(zx_vmo_write(v, ones, p - 64, sizeof(ones)), ZX_OK);
  CHECK_EQ(zx_vmo_op_range(v, ZX_VMO_OP_ZERO, p - 10, 20, NULL, 0), ZX_OK);
  CHECK_EQ(read_byte(v, p - 11), 1);
  CHECK_EQ(read_byte(v, p - 10), 0);
  CHECK_EQ(read_byte(v, p + 9), 0);
  CHECK_EQ(read_byte(v, p + 10), 1);
  CHECK_EQ(zx_vmo_op_range(v, ZX_VMO_OP_ZERO, 0, 5 * p, NULL, 0), ZX_ERR_OUT_OF_RANGE);
  // Cache ops: size 0 invalid, range must be inside.
  CHECK_EQ(zx_vmo_op_range(v, ZX_VMO_OP_CACHE_CLEAN, 0, 0, NULL, 0), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_vmo_op_range(v, ZX_VMO_OP_CACHE_CLEAN, 1, 4 * p, NULL, 0), ZX_ERR_OUT_OF_RANGE);
  CHECK_EQ(zx_vmo_op_range(v, ZX_VMO_OP_CACHE_CLEAN, 4 * p, 1, NULL, 0), ZX_ERR_OUT_OF_RANGE);
  CHECK_EQ(zx_vmo_op_range(v, ZX_VMO_OP_CACHE_CLEAN_INVALIDATE, UINT64_MAX, 1, NULL, 0),
           ZX_ERR_OUT_OF_RANGE);
  CHECK_EQ(zx_vmo_op_range(v, ZX_VMO_OP_CACHE_SYNC, 1, 17, NULL, 0), ZX_OK);
  // Locks: not supported (no discardable VMOs). Hints: accepted.
  CHECK_EQ(zx_vmo_op_range(v, ZX_VMO_OP_LOCK, 0, p, NULL, 0), ZX_ERR_NOT_SUPPORTED);
  CHECK_EQ(zx_vmo_op_range(v, ZX_VMO_OP_TRY_LOCK, 0, p, NULL, 0), ZX_ERR_NOT_SUPPORTED);
  CHECK_EQ(zx_vmo_op_range(v, ZX_VMO_OP_UNLOCK, 0, p, NULL, 0), ZX_ERR_NOT_SUPPORTED);
  CHECK_EQ(zx_vmo_op_range(v, ZX_VMO_OP_DONT_NEED, 0, p, NULL, 0), ZX_OK);
  CHECK_EQ(zx_vmo_op_range(v, ZX_VMO_OP_ALWAYS_NEED, 0, p, NULL, 0), ZX_OK);
  CHECK_EQ(zx_vmo_op_range(v, ZX_VMO_OP_ALWAYS_NEED, 0, 5 * p, NULL, 0), ZX_ERR_OUT_OF_RANGE);
  CHECK_EQ(zx_handle_close(ro), ZX_OK);
  CHECK_EQ(zx_handle_close(v), ZX_OK);
}

int main(void) {
  RUN(page_size_is_host_page_size);
  RUN(monotonic_clock_advances);
  RUN(handle_values_look_like_zircon);
  RUN(close_errors);
  RUN(duplicate_rights_and_errors);
  RUN(replace_always_invalidates);
  RUN(get_info_topics_and_errors);
  RUN(vmo_create_rounds_and_checks);
  RUN(vmo_read_write_ranges_and_order);
  RUN(set_size_rules);
  RUN(create_child_errors_in_order);
  RUN(slice_outside_parent_is_invalid_args_before_resizability);
  RUN(accumulated_child_offsets_must_not_overflow);
  RUN(handle_basic_related_koid_is_zero_for_children);
  RUN(child_rights);
  RUN(snapshot_isolation_both_directions);
  RUN(cow_copies_only_touched_pages);
  RUN(child_beyond_parent_end_reads_zero);
  RUN(slice_is_a_window);
  RUN(zero_children_lifecycle);
  RUN(wait_one_errors_and_timeout);
  RUN(wait_one_blocks_until_signal);
  RUN(wait_one_canceled_by_close);
  RUN(wait_survives_handle_table_growth);
  RUN(repeated_snapshot_write_cycles_do_not_grow);
  RUN(vmo_op_range_ops);
  RUN(decommit_past_end_is_trimmed_and_only_start_past_end_fails);
  run_vmar_tests();
  run_cow_tests();
  run_lent_tests();
  run_scale_tests();
  run_attribution_tests();
  run_object_tests();
  run_event_tests();
  run_subvmar_tests();
  run_fidelity_tests();
  run_process_tests();
  run_fault_tests();
  printf("%d passed, %d failed\n", (int)g_passed, (int)g_failed);
  return g_failed > 0 ? 1 : 0;
}
