// zx_object_get_info topics and records (subset header for zircon4j).
// Layouts are those of Fuchsia's <zircon/syscalls/object.h> (LP64).

#ifndef ZIRCON4J_ZIRCON_SYSCALLS_OBJECT_H_
#define ZIRCON4J_ZIRCON_SYSCALLS_OBJECT_H_

#include <zircon/types.h>

typedef uint32_t zx_object_info_topic_t;

// Versioned topics carry their version (from 0) in the upper 4 bits.
#define __ZX_INFO_TOPIC(t, v) ((zx_object_info_topic_t)((t) | ((v) << 28)))

#define ZX_INFO_NONE ((zx_object_info_topic_t)0u)
#define ZX_INFO_HANDLE_VALID ((zx_object_info_topic_t)1u)
#define ZX_INFO_HANDLE_BASIC ((zx_object_info_topic_t)2u)  // zx_info_handle_basic_t[1]
#define ZX_INFO_VMAR ((zx_object_info_topic_t)7u)          // zx_info_vmar_t[1]
#define ZX_INFO_HANDLE_COUNT ((zx_object_info_topic_t)19u) // zx_info_handle_count_t[1]
#define ZX_INFO_PROCESS_MAPS ((zx_object_info_topic_t)13u)   // zx_info_maps_t[n]
#define ZX_INFO_PROCESS_VMOS_V1 __ZX_INFO_TOPIC(14u, 0)           // zx_info_vmo_v1_t[n]
#define ZX_INFO_PROCESS_VMOS __ZX_INFO_TOPIC(14u, 1)              // zx_info_vmo_t[n]
#define ZX_INFO_PROCESS_HANDLE_STATS ((zx_object_info_topic_t)21u)  // zx_info_process_handle_stats_t[1]


// The VMO topic: version 0 (ZX_INFO_VMO_V1) answers the 104-byte zx_info_vmo_v1_t, version 1
// (ZX_INFO_VMO, the current one) the 120-byte zx_info_vmo_t.
#define ZX_INFO_VMO_V1 __ZX_INFO_TOPIC(23u, 0)  // zx_info_vmo_v1_t[1]
#define ZX_INFO_VMO __ZX_INFO_TOPIC(23u, 1)     // zx_info_vmo_t[1]

typedef uint32_t zx_obj_props_t;
#define ZX_OBJ_PROP_NONE ((zx_obj_props_t)0u)
#define ZX_OBJ_PROP_WAITABLE ((zx_obj_props_t)1u)

typedef struct zx_info_handle_basic {
  zx_koid_t koid;          // unique id of the object
  zx_rights_t rights;      // rights of this handle
  zx_obj_type_t type;      // ZX_OBJ_TYPE_*
  zx_koid_t related_koid;  // e.g. the other end of a channel; 0 for VMOs
  zx_obj_props_t props;    // ZX_OBJ_PROP_WAITABLE or 0
  uint8_t padding1[4];
} zx_info_handle_basic_t;

typedef struct zx_info_handle_count {
  uint32_t handle_count;  // open handles to the object (all processes; here, this one)
} zx_info_handle_count_t;

typedef struct zx_info_process_handle_stats {
  uint32_t handle_count[ZX_OBJ_TYPE_UPPER_BOUND];  // open handles of the process, by object type
} zx_info_process_handle_stats_t;

// ZX_INFO_PROCESS_MAPS: the address space as a tree, in depth-first pre-order.
typedef uint32_t zx_info_maps_type_t;
#define ZX_INFO_MAPS_TYPE_NONE ((zx_info_maps_type_t)0u)
#define ZX_INFO_MAPS_TYPE_ASPACE ((zx_info_maps_type_t)1u)
#define ZX_INFO_MAPS_TYPE_VMAR ((zx_info_maps_type_t)2u)
#define ZX_INFO_MAPS_TYPE_MAPPING ((zx_info_maps_type_t)3u)

typedef struct zx_info_maps_mapping {
  zx_vm_option_t mmu_flags;  // ZX_VM_PERM_* the mapping has now
  uint8_t padding1[4];
  zx_koid_t vmo_koid;        // the VMO mapped
  uint64_t vmo_offset;       // offset of the mapping's start in that VMO
  size_t committed_pages;    // pages of the mapped range the VMO holds itself
} zx_info_maps_mapping_t;

typedef struct zx_info_maps {
  char name[ZX_MAX_NAME_LEN];  // the VMO's name for a mapping; "root" / "useralloc" for VMARs
  zx_vaddr_t base;
  size_t size;
  size_t depth;                // 0 for the address space, 1 for the root VMAR, ...
  zx_info_maps_type_t type;    // ZX_INFO_MAPS_TYPE_*: which member of `u` is valid
  uint8_t padding1[4];
  union {
    zx_info_maps_mapping_t mapping;
  } u;
} zx_info_maps_t;

typedef struct zx_info_vmar {
  uintptr_t base;  // first address of the region
  size_t len;      // its length in bytes
} zx_info_vmar_t;

// zx_info_vmo_t.flags
#define ZX_INFO_VMO_TYPE_PAGED (1u << 0)
#define ZX_INFO_VMO_TYPE_PHYSICAL (0u << 0)
#define ZX_INFO_VMO_RESIZABLE (1u << 1)
#define ZX_INFO_VMO_IS_COW_CLONE (1u << 2)
#define ZX_INFO_VMO_VIA_HANDLE (1u << 3)
#define ZX_INFO_VMO_VIA_MAPPING (1u << 4)
#define ZX_INFO_VMO_PAGER_BACKED (1u << 5)
#define ZX_INFO_VMO_CONTIGUOUS (1u << 6)

// The current ZX_INFO_VMO record.
typedef struct zx_info_vmo {
  zx_koid_t koid;
  char name[ZX_MAX_NAME_LEN];       // ZX_PROP_NAME, NUL-terminated
  uint64_t size_bytes;              // page-rounded size
  zx_koid_t parent_koid;            // 0 unless the VMO is a child
  size_t num_children;              // live children (including ones kept alive by mappings)
  size_t num_mappings;              // live mappings of this VMO
  size_t share_count;               // address spaces it is mapped into
  uint32_t flags;                   // ZX_INFO_VMO_*
  uint8_t padding1[4];
  uint64_t committed_bytes;         // memory this VMO holds itself (not shared with relatives)
  zx_rights_t handle_rights;        // rights of the handle queried
  uint32_t cache_policy;            // ZX_CACHE_POLICY_*
  uint64_t metadata_bytes;          // memory spent tracking the VMO itself
  uint64_t committed_change_events; // times committed_bytes changed without a user request
} zx_info_vmo_t;

// The ZX_INFO_VMO_V1 record: zx_info_vmo_t up to cache_policy.
typedef struct zx_info_vmo_v1 {
  zx_koid_t koid;
  char name[ZX_MAX_NAME_LEN];
  uint64_t size_bytes;
  zx_koid_t parent_koid;
  size_t num_children;
  size_t num_mappings;
  size_t share_count;
  uint32_t flags;
  uint8_t padding1[4];
  uint64_t committed_bytes;
  zx_rights_t handle_rights;
  uint32_t cache_policy;
} zx_info_vmo_v1_t;

#define ZX_CACHE_POLICY_CACHED 0u
#define ZX_CACHE_POLICY_UNCACHED 1u
#define ZX_CACHE_POLICY_UNCACHED_DEVICE 2u
#define ZX_CACHE_POLICY_WRITE_COMBINING 3u
#define ZX_CACHE_POLICY_MASK 3u

// zx_object_get_property / zx_object_set_property properties.
#define ZX_PROP_NAME ((uint32_t)3u)  // char[ZX_MAX_NAME_LEN]
// The size of a VMO's content in bytes (may be smaller or larger than the VMO). A uint64_t.
#define ZX_PROP_VMO_CONTENT_SIZE 17u

#endif  // ZIRCON4J_ZIRCON_SYSCALLS_OBJECT_H_
