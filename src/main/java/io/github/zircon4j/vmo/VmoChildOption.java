package io.github.zircon4j.vmo;

/**
 * An option of {@code zx_vmo_create_child} besides the child's kind, for {@link Vmo#snapshot} and
 * {@link Vmo#slice}. {@link #bits()} gives the raw {@code ZX_VMO_CHILD_*} value for interop; a test
 * checks each against the generated binding.
 */
public enum VmoChildOption {
  /**
   * The child's handle lacks {@link ZxRights#WRITE} ({@code ZX_VMO_CHILD_NO_WRITE}): a snapshot
   * made with it is immutable. Not together with {@link #RESIZABLE}.
   */
  NO_WRITE(1 << 5),

  /**
   * The child may be resized ({@code ZX_VMO_CHILD_RESIZABLE}); its handle gets {@link
   * ZxRights#RESIZE}. Snapshots only: zircon refuses a resizable slice.
   */
  RESIZABLE(1 << 2);

  private final int bits;

  VmoChildOption(int bits) {
    this.bits = bits;
  }

  /**
   * The raw {@code zx_vmo_create_child} option bit.
   *
   * @return {@code ZX_VMO_CHILD_NO_WRITE} or {@code ZX_VMO_CHILD_RESIZABLE}
   */
  public int bits() {
    return bits;
  }

  /** The bitwise OR of {@code options}; each must be non-null. */
  static int bitsOf(VmoChildOption... options) {
    int bits = 0;
    for (int i = 0; i < options.length; i++) {
      if (options[i] == null) {
        throw new NullPointerException("options[" + i + "]");
      }
      bits |= options[i].bits;
    }
    return bits;
  }
}
