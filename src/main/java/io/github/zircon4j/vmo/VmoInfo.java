package io.github.zircon4j.vmo;

/**
 * What zircon reports about a VMO ({@code zx_object_get_info(ZX_INFO_VMO)}), from {@link
 * Vmo#info()}.
 *
 * <p>The flag and cache-policy constants are compile-time constants with the values of the
 * generated bindings (a test checks each).
 *
 * @param koid the VMO's kernel object id, unique for the life of the system
 * @param name the VMO's name (at most 31 bytes of UTF-8), empty if none was set
 * @param size the VMO's size in bytes, a multiple of the page size
 * @param parentKoid the koid of the VMO this one is a child of, or 0
 * @param numChildren how many live children (snapshots, slices) the VMO has, including children
 *     kept alive only by a mapping
 * @param numMappings how many mappings of the VMO exist
 * @param shareCount how many address spaces the VMO is mapped into
 * @param flags a bit set of the {@code FLAG_*} constants
 * @param committedBytes the bytes of memory this VMO holds itself (not shared with relatives)
 * @param rights the rights of the handle that was asked
 * @param cachePolicy one of the {@code CACHE_POLICY_*} constants
 */
public record VmoInfo(
    long koid,
    String name,
    long size,
    long parentKoid,
    long numChildren,
    long numMappings,
    long shareCount,
    int flags,
    long committedBytes,
    ZxRights rights,
    int cachePolicy) {

  /** The VMO is backed by pages allocated on demand ({@code ZX_INFO_VMO_TYPE_PAGED}). */
  public static final int FLAG_TYPE_PAGED = 1 << 0;

  /** The VMO may be resized ({@code ZX_INFO_VMO_RESIZABLE}). */
  public static final int FLAG_RESIZABLE = 1 << 1;

  /** The VMO is a copy-on-write child, such as a snapshot ({@code ZX_INFO_VMO_IS_COW_CLONE}). */
  public static final int FLAG_IS_COW_CLONE = 1 << 2;

  /** The information was found through a handle ({@code ZX_INFO_VMO_VIA_HANDLE}). */
  public static final int FLAG_VIA_HANDLE = 1 << 3;

  /** The information was found through a mapping ({@code ZX_INFO_VMO_VIA_MAPPING}). */
  public static final int FLAG_VIA_MAPPING = 1 << 4;

  /** The VMO's pages come from a user pager ({@code ZX_INFO_VMO_PAGER_BACKED}). */
  public static final int FLAG_PAGER_BACKED = 1 << 5;

  /** The VMO's pages are physically contiguous ({@code ZX_INFO_VMO_CONTIGUOUS}). */
  public static final int FLAG_CONTIGUOUS = 1 << 6;

  /** Ordinary cached memory ({@code ZX_CACHE_POLICY_CACHED}). */
  public static final int CACHE_POLICY_CACHED = 0;

  /** Uncached memory ({@code ZX_CACHE_POLICY_UNCACHED}). */
  public static final int CACHE_POLICY_UNCACHED = 1;

  /** Uncached device memory ({@code ZX_CACHE_POLICY_UNCACHED_DEVICE}). */
  public static final int CACHE_POLICY_UNCACHED_DEVICE = 2;

  /** Write-combining memory ({@code ZX_CACHE_POLICY_WRITE_COMBINING}). */
  public static final int CACHE_POLICY_WRITE_COMBINING = 3;

  /**
   * Whether the VMO can be resized.
   *
   * @return {@code true} if {@link #flags()} has {@link #FLAG_RESIZABLE}
   */
  public boolean isResizable() {
    return (flags & FLAG_RESIZABLE) != 0;
  }

  /**
   * Whether the VMO is a copy-on-write child, as every snapshot is.
   *
   * @return {@code true} if {@link #flags()} has {@link #FLAG_IS_COW_CLONE}
   */
  public boolean isCowClone() {
    return (flags & FLAG_IS_COW_CLONE) != 0;
  }

  /**
   * Shows the fields, with the rights by name ({@link ZxRights#toString()}).
   *
   * @return a one-line description
   */
  @Override
  public String toString() {
    return "VmoInfo[koid="
        + koid
        + ", name="
        + name
        + ", size="
        + size
        + ", parentKoid="
        + parentKoid
        + ", numChildren="
        + numChildren
        + ", numMappings="
        + numMappings
        + ", shareCount="
        + shareCount
        + ", flags=0x"
        + Integer.toHexString(flags)
        + ", committedBytes="
        + committedBytes
        + ", rights="
        + rights
        + ", cachePolicy="
        + cachePolicy
        + "]";
  }
}
