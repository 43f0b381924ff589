// System-wide calls that touch no object: CPU and VM features, cache maintenance.

#include "zx_internal.h"

// Checks: INVALID_ARGS (features NULL), NOT_SUPPORTED (a kind the host does not answer).
// ZX_FEATURE_KIND_VM: 0 (host mappings are never execute-only); ZX_FEATURE_KIND_ADDRESS_TAGGING:
// 0 (no tagged pointers are handed out). The CPU and debug-register kinds are NOT_SUPPORTED.
ZX_EXPORT zx_status_t zx_system_get_features(uint32_t kind, uint32_t* features) {
  ZX_FAULT_POINT(ZX_HANDLE_INVALID, ZX_HANDLE_INVALID, kind);
  if (features == NULL) return ZX_ERR_INVALID_ARGS;
  switch (kind) {
    case ZX_FEATURE_KIND_VM:
    case ZX_FEATURE_KIND_ADDRESS_TAGGING:
      *features = 0;
      return ZX_OK;
    default:
      return ZX_ERR_NOT_SUPPORTED;
  }
}

// Checks: INVALID_ARGS (bits other than DATA, INSN and INVALIDATE; neither DATA nor INSN;
// INVALIDATE without DATA). The host's data caches are coherent with every mapping here; on
// aarch64 an INSN flush makes stores visible to instruction fetch.
ZX_EXPORT zx_status_t zx_cache_flush(const void* addr, size_t size, uint32_t options) {
  ZX_FAULT_POINT(ZX_HANDLE_INVALID, ZX_HANDLE_INVALID, options);
  const uint32_t known = ZX_CACHE_FLUSH_DATA | ZX_CACHE_FLUSH_INSN | ZX_CACHE_FLUSH_INVALIDATE;
  if ((options & ~known) != 0 || (options & (ZX_CACHE_FLUSH_DATA | ZX_CACHE_FLUSH_INSN)) == 0 ||
      ((options & ZX_CACHE_FLUSH_INVALIDATE) != 0 && (options & ZX_CACHE_FLUSH_DATA) == 0)) {
    return ZX_ERR_INVALID_ARGS;
  }
#if defined(__aarch64__)
  if ((options & ZX_CACHE_FLUSH_INSN) != 0 && size > 0) {
    __builtin___clear_cache((char*)addr, (char*)addr + size);
  }
#else
  (void)addr;
  (void)size;
#endif
  return ZX_OK;
}
