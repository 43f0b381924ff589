// Checks, under the C library it is built for, what the Java loader relies on when it loads the
// bundled emulation from a directory: dlopen of libzircon-anchor.so (DT_NEEDED libzircon.so,
// DT_RUNPATH $ORIGIN) makes dlopen("libzircon.so", RTLD_NOLOAD), the bindings' lookup, find the
// libzircon.so beside it. On musl a library loaded by its path alone is not found by that name.
//   anchor_check DIR     (DIR holds libzircon.so and libzircon-anchor.so)
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>

int main(int argc, char** argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: anchor_check DIR\n");
    return 2;
  }
  char anchor[4096];
  if (snprintf(anchor, sizeof anchor, "%s/libzircon-anchor.so", argv[1]) >= (int)sizeof anchor) {
    fprintf(stderr, "anchor_check: DIR too long\n");
    return 2;
  }
  if (dlopen(anchor, RTLD_NOW) == NULL) {
    fprintf(stderr, "anchor_check: dlopen(%s): %s\n", anchor, dlerror());
    return 1;
  }
  void* zircon = dlopen("libzircon.so", RTLD_NOW | RTLD_NOLOAD);
  if (zircon == NULL) {
    fprintf(stderr, "anchor_check: dlopen(\"libzircon.so\", RTLD_NOLOAD) after the anchor: %s\n",
            dlerror());
    return 1;
  }
  uint32_t (*page_size)(void) = (uint32_t(*)(void))dlsym(zircon, "zx_system_get_page_size");
  if (page_size == NULL || page_size() == 0) {
    fprintf(stderr, "anchor_check: zx_system_get_page_size missing or 0 in libzircon.so\n");
    return 1;
  }
  printf("anchor_check: dlopen(\"libzircon.so\") finds %s/libzircon.so (page size %u)\n", argv[1],
         page_size());
  return 0;
}
