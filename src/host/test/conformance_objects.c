// Conformance scenarios for generic object syscalls: properties (ZX_PROP_NAME,
// ZX_PROP_VMO_CONTENT_SIZE) and the versioned ZX_INFO_VMO topics.

#include <stddef.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zircon/process.h>
#include <zircon/syscalls.h>

#include "harness.h"

static zx_handle_t dup_with(zx_handle_t h, zx_rights_t rights) {
  zx_handle_t out = ZX_HANDLE_INVALID;
  CHECK_EQ(zx_handle_duplicate(h, rights, &out), ZX_OK);
  return out;
}

static uint64_t content_size_of(zx_handle_t vmo) {
  uint64_t size = 0xDEAD;
  CHECK_EQ(zx_object_get_property(vmo, ZX_PROP_VMO_CONTENT_SIZE, &size, sizeof(size)), ZX_OK);
  return size;
}

static void set_content_size(zx_handle_t vmo, uint64_t size) {
  CHECK_EQ(zx_object_set_property(vmo, ZX_PROP_VMO_CONTENT_SIZE, &size, sizeof(size)), ZX_OK);
}

static void check_name(zx_handle_t vmo, const char* expected) {
  char name[ZX_MAX_NAME_LEN];
  memset(name, 'x', sizeof(name));
  CHECK_EQ(zx_object_get_property(vmo, ZX_PROP_NAME, name, sizeof(name)), ZX_OK);
  CHECK_EQ(name[ZX_MAX_NAME_LEN - 1], 0);
  CHECK_EQ(strcmp(name, expected), 0);
  // Every byte after the name is zero, as zircon copies out the whole buffer.
  for (size_t i = strlen(expected); i < sizeof(name); i++) CHECK_EQ(name[i], 0);
}

SCENARIO(new_vmo_has_empty_name) {
  zx_handle_t v = make_vmo(ps(), 0);
  check_name(v, "");
  CHECK_EQ(vmo_info(v).name[0], 0);
  CHECK_EQ(zx_handle_close(v), ZX_OK);
}

SCENARIO(vmo_name_round_trips_and_shows_in_info) {
  zx_handle_t v = make_vmo(ps(), 0);
  CHECK_EQ(zx_object_set_property(v, ZX_PROP_NAME, "pixels", 6), ZX_OK);
  check_name(v, "pixels");
  zx_info_vmo_t info = vmo_info(v);
  CHECK_EQ(strcmp(info.name, "pixels"), 0);
  // A shorter name replaces the longer one completely.
  CHECK_EQ(zx_object_set_property(v, ZX_PROP_NAME, "px", 2), ZX_OK);
  check_name(v, "px");
  // An empty name clears it.
  CHECK_EQ(zx_object_set_property(v, ZX_PROP_NAME, "", 0), ZX_OK);
  check_name(v, "");
  CHECK_EQ(zx_handle_close(v), ZX_OK);
}

SCENARIO(vmo_name_is_truncated_to_31_bytes) {
  zx_handle_t v = make_vmo(ps(), 0);
  const char* long_name = "0123456789abcdef0123456789ABCDEF-and-more";
  CHECK_EQ(zx_object_set_property(v, ZX_PROP_NAME, long_name, strlen(long_name)), ZX_OK);
  check_name(v, "0123456789abcdef0123456789ABCDE");
  // Exactly 32 bytes: still 31 kept.
  CHECK_EQ(zx_object_set_property(v, ZX_PROP_NAME, long_name, ZX_MAX_NAME_LEN), ZX_OK);
  check_name(v, "0123456789abcdef0123456789ABCDE");
  // Only value_size bytes are taken, and nothing after a NUL.
  CHECK_EQ(zx_object_set_property(v, ZX_PROP_NAME, "abcdef", 3), ZX_OK);
  check_name(v, "abc");
  CHECK_EQ(zx_object_set_property(v, ZX_PROP_NAME, "ab\0cd", 5), ZX_OK);
  check_name(v, "ab");
  CHECK_EQ(zx_handle_close(v), ZX_OK);
}

SCENARIO(property_checks_in_zircon_order) {
  zx_handle_t v = make_vmo(ps(), 0);
  char name[ZX_MAX_NAME_LEN];
  uint64_t size = 0;
  // NULL value comes first, even before the handle.
  CHECK_EQ(zx_object_get_property(ZX_HANDLE_INVALID, ZX_PROP_NAME, NULL, sizeof(name)),
           ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_object_set_property(ZX_HANDLE_INVALID, ZX_PROP_NAME, NULL, 1), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_object_get_property(ZX_HANDLE_INVALID, ZX_PROP_NAME, name, sizeof(name)),
           ZX_ERR_BAD_HANDLE);
  CHECK_EQ(zx_object_set_property(ZX_HANDLE_INVALID, ZX_PROP_NAME, "a", 1), ZX_ERR_BAD_HANDLE);
  // Rights: GET_PROPERTY to read, SET_PROPERTY to write, checked before the property.
  zx_handle_t no_get = dup_with(v, ZX_DEFAULT_VMO_RIGHTS & ~ZX_RIGHT_GET_PROPERTY);
  zx_handle_t no_set = dup_with(v, ZX_DEFAULT_VMO_RIGHTS & ~ZX_RIGHT_SET_PROPERTY);
  CHECK_EQ(zx_object_get_property(no_get, ZX_PROP_NAME, name, sizeof(name)),
           ZX_ERR_ACCESS_DENIED);
  CHECK_EQ(zx_object_get_property(no_get, 0xFFFFu, name, sizeof(name)), ZX_ERR_ACCESS_DENIED);
  CHECK_EQ(zx_object_set_property(no_set, ZX_PROP_NAME, "a", 1), ZX_ERR_ACCESS_DENIED);
  CHECK_EQ(zx_object_get_property(no_set, ZX_PROP_NAME, name, sizeof(name)), ZX_OK);
  CHECK_EQ(zx_object_set_property(no_get, ZX_PROP_NAME, "a", 1), ZX_OK);
  // Buffer sizes.
  CHECK_EQ(zx_object_get_property(v, ZX_PROP_NAME, name, sizeof(name) - 1),
           ZX_ERR_BUFFER_TOO_SMALL);
  CHECK_EQ(zx_object_get_property(v, ZX_PROP_VMO_CONTENT_SIZE, &size, sizeof(size) - 1),
           ZX_ERR_BUFFER_TOO_SMALL);
  CHECK_EQ(zx_object_set_property(v, ZX_PROP_VMO_CONTENT_SIZE, &size, sizeof(size) - 1),
           ZX_ERR_BUFFER_TOO_SMALL);
  // Unknown properties: INVALID_ARGS (zircon's kernel).
  CHECK_EQ(zx_object_get_property(v, 0xFFFFu, name, sizeof(name)), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_object_set_property(v, 0xFFFFu, name, sizeof(name)), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_handle_close(no_get), ZX_OK);
  CHECK_EQ(zx_handle_close(no_set), ZX_OK);
  CHECK_EQ(zx_handle_close(v), ZX_OK);
}

SCENARIO(root_vmar_has_no_property_rights) {
  zx_handle_t root = zx_vmar_root_self();
  char name[ZX_MAX_NAME_LEN];
  uint64_t size = 0;
  CHECK_EQ(zx_object_get_property(root, ZX_PROP_NAME, name, sizeof(name)), ZX_ERR_ACCESS_DENIED);
  CHECK_EQ(zx_object_set_property(root, ZX_PROP_NAME, "r", 1), ZX_ERR_ACCESS_DENIED);
  CHECK_EQ(zx_object_get_property(root, ZX_PROP_VMO_CONTENT_SIZE, &size, sizeof(size)),
           ZX_ERR_ACCESS_DENIED);
}

SCENARIO(child_inherits_name_only_with_get_property) {
  zx_handle_t v = make_vmo(2 * ps(), 0);
  CHECK_EQ(zx_object_set_property(v, ZX_PROP_NAME, "parent", 6), ZX_OK);
  zx_handle_t snap = ZX_HANDLE_INVALID, slice = ZX_HANDLE_INVALID, blind = ZX_HANDLE_INVALID;
  CHECK_EQ(zx_vmo_create_child(v, ZX_VMO_CHILD_SNAPSHOT, 0, ps(), &snap), ZX_OK);
  CHECK_EQ(zx_vmo_create_child(v, ZX_VMO_CHILD_SLICE, ps(), ps(), &slice), ZX_OK);
  check_name(snap, "parent");
  check_name(slice, "parent");
  // The child's name is its own afterwards.
  CHECK_EQ(zx_object_set_property(snap, ZX_PROP_NAME, "child", 5), ZX_OK);
  check_name(snap, "child");
  check_name(v, "parent");
  // Through a handle without GET_PROPERTY the child starts unnamed (it still gets the right).
  zx_handle_t no_get = dup_with(v, ZX_DEFAULT_VMO_RIGHTS & ~ZX_RIGHT_GET_PROPERTY);
  CHECK_EQ(zx_vmo_create_child(no_get, ZX_VMO_CHILD_SNAPSHOT, 0, ps(), &blind), ZX_OK);
  check_name(blind, "");
  zx_handle_t handles[] = {snap, slice, blind, no_get, v};
  for (size_t i = 0; i < sizeof(handles) / sizeof(handles[0]); i++) {
    CHECK_EQ(zx_handle_close(handles[i]), ZX_OK);
  }
}

SCENARIO(content_size_follows_create_and_set_size) {
  zx_handle_t v = make_vmo(3 * ps() + 5, ZX_VMO_RESIZABLE);
  CHECK_EQ(content_size_of(v), 3 * ps() + 5);
  CHECK_EQ(zx_vmo_set_size(v, ps() + 7), ZX_OK);
  CHECK_EQ(content_size_of(v), ps() + 7);
  // Larger than the VMO is allowed, and changes nothing else.
  set_content_size(v, 10 * ps() + 1);
  CHECK_EQ(content_size_of(v), 10 * ps() + 1);
  uint64_t size = 0;
  CHECK_EQ(zx_vmo_get_size(v, &size), ZX_OK);
  CHECK_EQ(size, 2 * ps());
  zx_handle_t child = ZX_HANDLE_INVALID;
  CHECK_EQ(zx_vmo_create_child(v, ZX_VMO_CHILD_SNAPSHOT, 0, 3, &child), ZX_OK);
  CHECK_EQ(content_size_of(child), 3);
  CHECK_EQ(zx_handle_close(child), ZX_OK);
  CHECK_EQ(zx_handle_close(v), ZX_OK);
}

SCENARIO(shrinking_content_size_zeroes_the_tail) {
  zx_handle_t v = make_vmo(2 * ps(), 0);
  uint8_t ones[64];
  memset(ones, 0x11, sizeof(ones));
  CHECK_EQ(zx_vmo_write(v, ones, ps() - 32, sizeof(ones)), ZX_OK);
  CHECK_EQ(zx_vmo_write(v, ones, 2 * ps() - sizeof(ones), sizeof(ones)), ZX_OK);
  set_content_size(v, ps() - 16);
  uint8_t got[64];
  CHECK_EQ(zx_vmo_read(v, got, ps() - 32, sizeof(got)), ZX_OK);
  for (size_t i = 0; i < 16; i++) CHECK_EQ(got[i], 0x11);
  for (size_t i = 16; i < sizeof(got); i++) CHECK_EQ(got[i], 0);
  CHECK_EQ(zx_vmo_read(v, got, 2 * ps() - sizeof(got), sizeof(got)), ZX_OK);
  for (size_t i = 0; i < sizeof(got); i++) CHECK_EQ(got[i], 0);
  // Growing it again does not bring the bytes back.
  set_content_size(v, 2 * ps());
  CHECK_EQ(zx_vmo_read(v, got, ps() - 32, sizeof(got)), ZX_OK);
  CHECK_EQ(got[20], 0);
  CHECK_EQ(zx_handle_close(v), ZX_OK);
}

SCENARIO(shrinking_a_childs_content_size_leaves_the_parent) {
  zx_handle_t v = make_vmo(ps(), 0);
  uint8_t one = 1;
  CHECK_EQ(zx_vmo_write(v, &one, 100, 1), ZX_OK);
  zx_handle_t child = ZX_HANDLE_INVALID;
  CHECK_EQ(zx_vmo_create_child(v, ZX_VMO_CHILD_SNAPSHOT, 0, ps(), &child), ZX_OK);
  set_content_size(child, 50);
  uint8_t got = 0xEE;
  CHECK_EQ(zx_vmo_read(child, &got, 100, 1), ZX_OK);
  CHECK_EQ(got, 0);
  CHECK_EQ(zx_vmo_read(v, &got, 100, 1), ZX_OK);
  CHECK_EQ(got, 1);
  CHECK_EQ(content_size_of(v), ps());
  CHECK_EQ(zx_handle_close(child), ZX_OK);
  CHECK_EQ(zx_handle_close(v), ZX_OK);
}

SCENARIO(info_vmo_answers_current_and_v1_topics) {
  CHECK_EQ(ZX_INFO_VMO_V1, 23u);
  CHECK_EQ(ZX_INFO_VMO, (1u << 28) | 23u);
  CHECK_EQ(sizeof(zx_info_vmo_v1_t), 104);
  CHECK_EQ(sizeof(zx_info_vmo_t), 120);
  zx_handle_t v = make_vmo(2 * ps(), 0);
  CHECK_EQ(zx_object_set_property(v, ZX_PROP_NAME, "versions", 8), ZX_OK);
  uint8_t one = 1;
  CHECK_EQ(zx_vmo_write(v, &one, 0, 1), ZX_OK);
  zx_info_vmo_t cur;
  memset(&cur, 0xAB, sizeof(cur));
  size_t actual = 9, avail = 9;
  CHECK_EQ(zx_object_get_info(v, ZX_INFO_VMO, &cur, sizeof(cur), &actual, &avail), ZX_OK);
  CHECK_EQ(actual, 1);
  CHECK_EQ(avail, 1);
  CHECK(cur.metadata_bytes > 0);
  CHECK_EQ(cur.committed_change_events, 0);
  CHECK_EQ(strcmp(cur.name, "versions"), 0);
  // V1: the same fields, and nothing written past its 104 bytes.
  uint8_t buf[sizeof(zx_info_vmo_t)];
  memset(buf, 0xCD, sizeof(buf));
  CHECK_EQ(zx_object_get_info(v, ZX_INFO_VMO_V1, buf, sizeof(buf), &actual, &avail), ZX_OK);
  CHECK_EQ(actual, 1);
  zx_info_vmo_v1_t v1;
  memcpy(&v1, buf, sizeof(v1));
  CHECK_EQ(v1.koid, cur.koid);
  CHECK_EQ(strcmp(v1.name, "versions"), 0);
  CHECK_EQ(v1.size_bytes, 2 * ps());
  CHECK_EQ(v1.committed_bytes, cur.committed_bytes);
  CHECK_EQ(v1.handle_rights, ZX_DEFAULT_VMO_RIGHTS);
  CHECK_EQ(v1.cache_policy, ZX_CACHE_POLICY_CACHED);
  for (size_t i = sizeof(zx_info_vmo_v1_t); i < sizeof(buf); i++) CHECK_EQ(buf[i], 0xCD);
  // Each topic wants its own record size: 104 bytes are enough for V1, not for the current one.
  CHECK_EQ(zx_object_get_info(v, ZX_INFO_VMO_V1, buf, sizeof(zx_info_vmo_v1_t), NULL, NULL),
           ZX_OK);
  CHECK_EQ(zx_object_get_info(v, ZX_INFO_VMO, buf, sizeof(zx_info_vmo_v1_t), &actual, &avail),
           ZX_ERR_BUFFER_TOO_SMALL);
  CHECK_EQ(actual, 0);
  CHECK_EQ(avail, 1);
  CHECK_EQ(zx_object_get_info(v, ZX_INFO_VMO_V1, buf, sizeof(zx_info_vmo_v1_t) - 1, NULL, NULL),
           ZX_ERR_BUFFER_TOO_SMALL);
  CHECK_EQ(zx_object_get_info(zx_vmar_root_self(), ZX_INFO_VMO_V1, buf, sizeof(buf), NULL, NULL),
           ZX_ERR_WRONG_TYPE);
  // Versions that do not exist (yet) are unknown topics.
  CHECK_EQ(zx_object_get_info(v, (2u << 28) | 23u, buf, sizeof(buf), NULL, NULL),
           ZX_ERR_NOT_SUPPORTED);
  CHECK_EQ(zx_handle_close(v), ZX_OK);
}

SCENARIO(info_vmar_describes_the_root_vmar) {
  zx_info_vmar_t info;
  memset(&info, 0, sizeof(info));
  size_t actual = 0, avail = 0;
  CHECK_EQ(zx_object_get_info(zx_vmar_root_self(), ZX_INFO_VMAR, &info, sizeof(info), &actual,
                              &avail),
           ZX_OK);
  CHECK_EQ(actual, 1);
  CHECK_EQ(avail, 1);
  CHECK(info.base != 0);
  CHECK_EQ(info.base % ps(), 0);
  CHECK(info.len >= ((uint64_t)1 << 40));
  CHECK_EQ(zx_object_get_info(zx_vmar_root_self(), ZX_INFO_VMAR, &info, sizeof(info) - 1, &actual,
                              &avail),
           ZX_ERR_BUFFER_TOO_SMALL);
  CHECK_EQ(actual, 0);
  zx_handle_t v = make_vmo(ps(), 0);
  CHECK_EQ(zx_object_get_info(v, ZX_INFO_VMAR, &info, sizeof(info), NULL, NULL),
           ZX_ERR_WRONG_TYPE);
  zx_handle_t blind = ZX_HANDLE_INVALID;
  CHECK_EQ(zx_handle_duplicate(zx_vmar_root_self(), ZX_RIGHT_DUPLICATE, &blind), ZX_OK);
  CHECK_EQ(zx_object_get_info(blind, ZX_INFO_VMAR, &info, sizeof(info), NULL, NULL),
           ZX_ERR_ACCESS_DENIED);
  CHECK_EQ(zx_handle_close(blind), ZX_OK);
  CHECK_EQ(zx_handle_close(v), ZX_OK);
}

// A host difference (src/host/c/README.md): each VMO that holds data holds a file descriptor.
// Running out of them is ZX_ERR_NO_RESOURCES, as zircon answers when a process hits a kernel
// object limit, not ZX_ERR_IO; closing a VMO gives one back. In a child with a small limit.
SCENARIO(running_out_of_file_descriptors_is_no_resources) {
  pid_t pid = fork();
  if (pid == 0) {
    struct rlimit small = {24, 24};
    if (setrlimit(RLIMIT_NOFILE, &small) != 0) _exit(10);
    zx_handle_t vmos[64];
    zx_status_t status = ZX_OK;
    int n = 0;
    char byte = 1;
    for (; n < 64; n++) {
      if (zx_vmo_create(4096, 0, &vmos[n]) != ZX_OK) _exit(11);
      status = zx_vmo_write(vmos[n], &byte, 0, 1);
      if (status != ZX_OK) break;
    }
    if (n == 0 || n == 64) _exit(12);  // none written, or the limit never reached
    if (status != ZX_ERR_NO_RESOURCES) _exit(13);
    if (zx_handle_close(vmos[0]) != ZX_OK) _exit(14);  // gives its descriptor back
    if (zx_vmo_write(vmos[n], &byte, 0, 1) != ZX_OK) _exit(15);
    _exit(0);
  }
  CHECK(pid > 0);
  int status = -1;
  CHECK_EQ(waitpid(pid, &status, 0), pid);
  CHECK(WIFEXITED(status));
  CHECK_EQ(WEXITSTATUS(status), 0);
}

void run_object_tests(void) {
  RUN(info_vmar_describes_the_root_vmar);
  RUN(new_vmo_has_empty_name);
  RUN(vmo_name_round_trips_and_shows_in_info);
  RUN(vmo_name_is_truncated_to_31_bytes);
  RUN(property_checks_in_zircon_order);
  RUN(root_vmar_has_no_property_rights);
  RUN(child_inherits_name_only_with_get_property);
  RUN(content_size_follows_create_and_set_size);
  RUN(shrinking_content_size_zeroes_the_tail);
  RUN(shrinking_a_childs_content_size_leaves_the_parent);
  RUN(info_vmo_answers_current_and_v1_topics);
  RUN(running_out_of_file_descriptors_is_no_resources);
}
