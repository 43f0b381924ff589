// zx_system_get_features kinds and bits (subset header for zircon4j), as Fuchsia's
// <zircon/features.h>.

#ifndef ZIRCON4J_ZIRCON_FEATURES_H_
#define ZIRCON4J_ZIRCON_FEATURES_H_

#define ZX_FEATURE_KIND_CPU ((uint32_t)0u)
#define ZX_FEATURE_KIND_HW_BREAKPOINT_COUNT ((uint32_t)1u)
#define ZX_FEATURE_KIND_HW_WATCHPOINT_COUNT ((uint32_t)2u)
#define ZX_FEATURE_KIND_ADDRESS_TAGGING ((uint32_t)3u)
#define ZX_FEATURE_KIND_VM ((uint32_t)4u)

// ZX_FEATURE_KIND_VM: the system can map memory execute-only (without read).
#define ZX_VM_FEATURE_CAN_MAP_XOM ((uint32_t)1u << 0)

#endif  // ZIRCON4J_ZIRCON_FEATURES_H_
