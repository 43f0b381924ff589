package io.github.zircon4j.vmo;

/**
 * The options of {@code zx_vmo_create}, for {@link Vmo#create(long, int)} (combine them with {@code
 * |}).
 *
 * <p>Each value is a compile-time constant with the same value as the generated binding; a test
 * checks every one against the binding. Using these constants never loads the native library.
 */
public final class VmoOptions {
  /**
   * The VMO may be resized with {@link Vmo#setSize(long)} ({@code ZX_VMO_RESIZABLE}); its handle
   * gets {@link ZxRights#RESIZE}. A resizable VMO cannot back a {@link Mapping} ({@code
   * ZX_ERR_NOT_SUPPORTED}), but it can be snapshotted by an {@link ImmutableMapping}.
   */
  public static final int RESIZABLE = 1 << 1;

  /**
   * The kernel may discard the VMO's pages while it is unlocked ({@code ZX_VMO_DISCARDABLE}). The
   * host emulation refuses it with {@code ZX_ERR_NOT_SUPPORTED}.
   */
  public static final int DISCARDABLE = 1 << 2;

  private VmoOptions() {}
}
