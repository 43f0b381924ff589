// Helpers shared by the conformance scenarios: each checks the call it wraps.

#include <string.h>
#include <zircon/syscalls.h>

#include "harness.h"

uint64_t ps(void) { return zx_system_get_page_size(); }

zx_handle_t make_vmo(uint64_t size, uint32_t options) {
  zx_handle_t h = ZX_HANDLE_INVALID;
  CHECK_EQ(zx_vmo_create(size, options, &h), ZX_OK);
  return h;
}

zx_info_vmo_t vmo_info(zx_handle_t h) {
  zx_info_vmo_t info;
  memset(&info, 0, sizeof(info));
  CHECK_EQ(zx_object_get_info(h, ZX_INFO_VMO, &info, sizeof(info), NULL, NULL), ZX_OK);
  return info;
}
