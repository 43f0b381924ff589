// Keeps the bundled libzircon.so loadable on glibc 2.17 (the manylinux2014 baseline).
//
// src/host/Makefile force-includes this header (-include) into every file of the libraries it
// builds. glibc 2.34 moved the pthread functions from libpthread into libc and gave them a new
// default version, GLIBC_2.34; it kept their old versions as compatibility symbols. Each
// `.symver` below binds our references to that old version, which on glibc < 2.34 is defined by
// libpthread.so.0 (the Makefile records it as DT_NEEDED) and on newer glibc by libc.so.6. A pin only
// takes effect for a function the library actually calls, so the list may name functions nobody
// calls yet (the ones a fault-handler thread would need).
//
// Not pinnable (no version <= 2.17 exists), so called through syscall(2) in the sources instead:
// memfd_create (GLIBC_2.27) and fstat (GLIBC_2.33; older glibc only had __fxstat).
//
// `src/host/check-glibc-baseline` lists the library's versioned symbol requirements in
// `mvn verify` and names any symbol newer than GLIBC_2.17, so a new call is caught either way.
// The sanitizer build of the C suite does not include this file: ASan must intercept
// pthread_create through its default version.

#ifndef ZIRCON4J_HOST_GLIBC_BASELINE_H_
#define ZIRCON4J_HOST_GLIBC_BASELINE_H_

#include <features.h>  // defines __GLIBC__ on glibc only; a musl build pins nothing

#if defined(__GLIBC__)

#if defined(__x86_64__)
#define ZX_GLIBC_BASE "GLIBC_2.2.5"
#define ZX_GLIBC_SETCLOCK "GLIBC_2.3.3"  // pthread_condattr_setclock first appeared in 2.3.3
#elif defined(__aarch64__)
#define ZX_GLIBC_BASE "GLIBC_2.17"  // the first glibc for aarch64: every symbol starts there
#define ZX_GLIBC_SETCLOCK "GLIBC_2.17"
#else
#error "glibc_baseline.h: no baseline symbol versions known for this architecture"
#endif

#define ZX_PIN(name, version) __asm__(".symver " #name "," #name "@" version)

ZX_PIN(pthread_once, ZX_GLIBC_BASE);
ZX_PIN(pthread_condattr_setclock, ZX_GLIBC_SETCLOCK);
ZX_PIN(pthread_create, ZX_GLIBC_BASE);
ZX_PIN(pthread_join, ZX_GLIBC_BASE);
ZX_PIN(pthread_detach, ZX_GLIBC_BASE);
ZX_PIN(pthread_kill, ZX_GLIBC_BASE);
ZX_PIN(pthread_sigmask, ZX_GLIBC_BASE);
ZX_PIN(pthread_key_create, ZX_GLIBC_BASE);
ZX_PIN(pthread_getspecific, ZX_GLIBC_BASE);
ZX_PIN(pthread_setspecific, ZX_GLIBC_BASE);
ZX_PIN(pthread_attr_setstacksize, ZX_GLIBC_BASE);
ZX_PIN(pthread_mutexattr_init, ZX_GLIBC_BASE);
ZX_PIN(pthread_mutexattr_settype, ZX_GLIBC_BASE);

#undef ZX_PIN

#endif  // __GLIBC__

#endif  // ZIRCON4J_HOST_GLIBC_BASELINE_H_
