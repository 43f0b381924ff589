package io.github.zircon4j.vmo;

/**
 * An option of {@code zx_vmo_create}, for {@link Vmo#create(long, VmoOption...)}.
 *
 * <p>An enum of its own, so that it cannot be confused with {@link ZxRights} or {@link MapOption}s:
 * {@code vmo.duplicate(VmoOption.RESIZABLE)} does not compile. {@link #bits()} gives the raw {@code
 * ZX_VMO_*} value for interop; a test checks each against the generated binding.
 */
public enum VmoOption {
  /**
   * The VMO may be resized with {@link Vmo#setSize(long)} ({@code ZX_VMO_RESIZABLE}); its handle
   * gets {@link ZxRights#RESIZE}. A resizable VMO cannot back a {@link Mapping} ({@code
   * ZX_ERR_NOT_SUPPORTED}, as in Rust), but it can be snapshotted by an {@link ImmutableMapping}.
   */
  RESIZABLE(1 << 1),

  /**
   * The kernel may discard the VMO's pages while it is unlocked ({@code ZX_VMO_DISCARDABLE}). The
   * host emulation refuses it with {@code ZX_ERR_NOT_SUPPORTED}.
   */
  DISCARDABLE(1 << 2);

  private final int bits;

  VmoOption(int bits) {
    this.bits = bits;
  }

  /**
   * The raw {@code zx_vmo_create} option bit.
   *
   * @return {@code ZX_VMO_RESIZABLE} or {@code ZX_VMO_DISCARDABLE}
   */
  public int bits() {
    return bits;
  }

  /** The bitwise OR of {@code options}; each must be non-null. */
  static int bitsOf(VmoOption... options) {
    int bits = 0;
    for (int i = 0; i < options.length; i++) {
      if (options[i] == null) {
        throw new NullPointerException("options[" + i + "]");
      }
      bits |= options[i].bits;
    }
    return bits;
  }

  /** {@code "RESIZABLE|DISCARDABLE"}, {@code "NONE"} for 0; unknown bits in hexadecimal. */
  static String names(int bits) {
    StringBuilder names = new StringBuilder();
    int left = bits;
    for (VmoOption option : values()) {
      if ((bits & option.bits) != 0) {
        names.append(names.isEmpty() ? "" : "|").append(option.name());
        left &= ~option.bits;
      }
    }
    if (left != 0) {
      names.append(names.isEmpty() ? "" : "|").append("0x").append(Integer.toHexString(left));
    }
    return names.isEmpty() ? "NONE" : names.toString();
  }
}
