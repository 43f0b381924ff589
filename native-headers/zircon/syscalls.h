// The zircon syscalls zircon4j uses (subset header; jextract entry point).
// Signatures (names, parameter types and order) are those of Fuchsia's <zircon/syscalls.h>.

#ifndef ZIRCON4J_ZIRCON_SYSCALLS_H_
#define ZIRCON4J_ZIRCON_SYSCALLS_H_

#include <zircon/features.h>
#include <zircon/process.h>
#include <zircon/syscalls/object.h>
#include <zircon/types.h>

#ifdef __cplusplus
extern "C" {
#endif

// ---- System ---------------------------------------------------------------------------------

uint32_t zx_system_get_page_size(void);
zx_time_t zx_clock_get_monotonic(void);
zx_status_t zx_system_get_features(uint32_t kind, uint32_t* features);

// zx_cache_flush options.
#define ZX_CACHE_FLUSH_DATA ((uint32_t)1u << 0)
#define ZX_CACHE_FLUSH_INSN ((uint32_t)1u << 1)
#define ZX_CACHE_FLUSH_INVALIDATE ((uint32_t)1u << 2)

zx_status_t zx_cache_flush(const void* addr, size_t size, uint32_t options);

// ---- Handles --------------------------------------------------------------------------------

zx_status_t zx_handle_close(zx_handle_t handle);
zx_status_t zx_handle_duplicate(zx_handle_t handle, zx_rights_t rights, zx_handle_t* out);
zx_status_t zx_handle_replace(zx_handle_t handle, zx_rights_t rights, zx_handle_t* out);
zx_status_t zx_handle_close_many(const zx_handle_t* handles, size_t num_handles);

// ---- Objects --------------------------------------------------------------------------------

zx_status_t zx_object_wait_one(zx_handle_t handle, zx_signals_t signals, zx_time_t deadline,
                               zx_signals_t* observed);
zx_status_t zx_object_wait_many(zx_wait_item_t* items, size_t num_items, zx_time_t deadline);
zx_status_t zx_object_signal(zx_handle_t handle, uint32_t clear_mask, uint32_t set_mask);
zx_status_t zx_object_signal_peer(zx_handle_t handle, uint32_t clear_mask, uint32_t set_mask);
zx_status_t zx_object_get_info(zx_handle_t handle, uint32_t topic, void* buffer,
                               size_t buffer_size, size_t* actual, size_t* avail);
zx_status_t zx_object_get_property(zx_handle_t handle, uint32_t property, void* value,
                                   size_t value_size);
zx_status_t zx_object_set_property(zx_handle_t handle, uint32_t property, const void* value,
                                   size_t value_size);

// ---- Processes ------------------------------------------------------------------------------

// zx_process_create options.
#define ZX_PROCESS_SHARED ((uint32_t)1u << 0)

zx_status_t zx_process_create(zx_handle_t job, const char* name, size_t name_size,
                              uint32_t options, zx_handle_t* proc_handle,
                              zx_handle_t* vmar_handle);

zx_status_t zx_process_read_memory(zx_handle_t handle, zx_vaddr_t vaddr, void* buffer,
                                   size_t buffer_size, size_t* actual);
zx_status_t zx_process_write_memory(zx_handle_t handle, zx_vaddr_t vaddr, const void* buffer,
                                    size_t buffer_size, size_t* actual);

// ---- Events ---------------------------------------------------------------------------------

zx_status_t zx_event_create(uint32_t options, zx_handle_t* out);
zx_status_t zx_eventpair_create(uint32_t options, zx_handle_t* out0, zx_handle_t* out1);

// ---- Virtual memory objects -----------------------------------------------------------------

zx_status_t zx_vmo_create(uint64_t size, uint32_t options, zx_handle_t* out);
zx_status_t zx_vmo_read(zx_handle_t handle, void* buffer, uint64_t offset, size_t buffer_size);
zx_status_t zx_vmo_write(zx_handle_t handle, const void* buffer, uint64_t offset,
                         size_t buffer_size);
zx_status_t zx_vmo_get_size(zx_handle_t handle, uint64_t* size);
zx_status_t zx_vmo_set_size(zx_handle_t handle, uint64_t size);
zx_status_t zx_vmo_create_child(zx_handle_t handle, uint32_t options, uint64_t offset,
                                uint64_t size, zx_handle_t* out);
zx_status_t zx_vmo_op_range(zx_handle_t handle, uint32_t op, uint64_t offset, uint64_t size,
                            void* buffer, size_t buffer_size);
zx_status_t zx_vmo_set_cache_policy(zx_handle_t handle, uint32_t cache_policy);

// ---- Virtual memory address regions ---------------------------------------------------------

zx_status_t zx_vmar_map(zx_handle_t handle, zx_vm_option_t options, size_t vmar_offset,
                        zx_handle_t vmo, uint64_t vmo_offset, size_t len,
                        zx_vaddr_t* mapped_addr);
zx_status_t zx_vmar_unmap(zx_handle_t handle, zx_vaddr_t addr, size_t len);
zx_status_t zx_vmar_allocate(zx_handle_t parent_vmar, zx_vm_option_t options, size_t offset,
                             size_t size, zx_handle_t* child_vmar, zx_vaddr_t* child_addr);
zx_status_t zx_vmar_destroy(zx_handle_t handle);
zx_status_t zx_vmar_protect(zx_handle_t handle, zx_vm_option_t options, zx_vaddr_t addr,
                            size_t len);
zx_status_t zx_vmar_op_range(zx_handle_t handle, uint32_t op, zx_vaddr_t address, size_t size,
                             void* buffer, size_t buffer_size);

#ifdef __cplusplus
}
#endif

#endif  // ZIRCON4J_ZIRCON_SYSCALLS_H_
