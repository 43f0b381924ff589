package io.github.zircon4j.vmo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Run in a fresh JVM by {@link PublicConstantsTest}: touches the generated bindings' header class
 * and uses the public constants before anything loads the native library, reports whether a {@code
 * libzircon} got mapped, then uses the library.
 */
final class ConstantsBeforeLoadProbe {
  private ConstantsBeforeLoadProbe() {}

  public static void main(String[] args) throws IOException {
    // What an IDE auto-import leads to: the generated bindings' header class initialised before
    // anything loaded the library. It must neither fail nor break the library for later.
    int ok = io.github.zircon4j.zircon.Zircon.ZX_OK();
    String rights = ZxRights.READ.and(ZxRights.MAP) + " " + VmoOption.RESIZABLE;
    String status = ZxStatus.name(ZxStatus.ERR_BAD_HANDLE);
    String exception =
        new ZxException(ZxException.Step.GET_VMO_SIZE, ZxStatus.ERR_INTERNAL, "").getMessage();
    boolean mapped = Files.readString(Path.of("/proc/self/maps")).contains("libzircon");
    System.out.println(
        "before: bindings ZX_OK="
            + ok
            + " "
            + rights
            + " "
            + status
            + " "
            + exception
            + " libzircon mapped: "
            + mapped);
    try (Vmo vmo = Vmo.create(1, VmoOption.RESIZABLE)) {
      VmoInfo info = vmo.info();
      System.out.println("after: resizable=" + info.isResizable() + " rights=" + info.rights());
    }
  }
}
