// Process-runtime accessors (subset header for zircon4j), as in Fuchsia's <zircon/process.h>.

#ifndef ZIRCON4J_ZIRCON_PROCESS_H_
#define ZIRCON4J_ZIRCON_PROCESS_H_

#include <zircon/types.h>

#ifdef __cplusplus
extern "C" {
#endif

// The handle of this process's root VMAR. Owned by the runtime: never close it.
zx_handle_t zx_vmar_root_self(void);

#ifdef __cplusplus
}
#endif

#endif  // ZIRCON4J_ZIRCON_PROCESS_H_
