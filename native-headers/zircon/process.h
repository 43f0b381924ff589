// Process-runtime accessors (subset header for zircon4j), as in Fuchsia's <zircon/process.h>.

#ifndef ZIRCON4J_ZIRCON_PROCESS_H_
#define ZIRCON4J_ZIRCON_PROCESS_H_

#include <zircon/types.h>

#ifdef __cplusplus
extern "C" {
#endif

// The handle of this process's root VMAR. Owned by the runtime: never close it.
zx_handle_t zx_vmar_root_self(void);
// The handle of this process. Owned by the runtime: never close it.
zx_handle_t zx_process_self(void);
// The handle of the calling thread. Owned by the runtime: never close it.
zx_handle_t zx_thread_self(void);
// The handle of the job this process was started in (may be ZX_HANDLE_INVALID on Fuchsia).
zx_handle_t zx_job_default(void);

#ifdef __cplusplus
}
#endif

#endif  // ZIRCON4J_ZIRCON_PROCESS_H_
