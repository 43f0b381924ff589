package io.github.zircon4j.vmo;

/**
 * The handle rights ({@code zx_rights_t}, the {@code ZX_RIGHT_*} bits of {@code
 * <zircon/rights.h>}), for {@link Vmo#duplicate(int)} and {@link Vmo#replace(int)}.
 *
 * <p>Each value is a compile-time constant ({@code switch} works on them), written here with the
 * same value as the generated binding; a test checks every one against the binding. Using these
 * constants never loads the native library.
 *
 * <p>What a VMO handle needs for this library's operations: {@link ImmutableMapping} needs {@link
 * #DUPLICATE}, {@link #READ} and {@link #MAP}; a writable {@link Mapping} needs {@link #READ},
 * {@link #WRITE} and {@link #MAP}; {@link Vmo#read} needs {@link #READ}, {@link Vmo#write} needs
 * {@link #WRITE}, {@link Vmo#name()} needs {@link #GET_PROPERTY} and {@link Vmo#setName} needs
 * {@link #SET_PROPERTY}.
 */
public final class ZxRights {
  /** No rights ({@code ZX_RIGHT_NONE}). */
  public static final int NONE = 0;

  /** May be duplicated ({@code ZX_RIGHT_DUPLICATE}); also needed to snapshot a VMO. */
  public static final int DUPLICATE = 1 << 0;

  /** May be sent over a channel ({@code ZX_RIGHT_TRANSFER}). */
  public static final int TRANSFER = 1 << 1;

  /** May be read from, or mapped readable ({@code ZX_RIGHT_READ}). */
  public static final int READ = 1 << 2;

  /** May be written to, or mapped writable ({@code ZX_RIGHT_WRITE}). */
  public static final int WRITE = 1 << 3;

  /** May be mapped executable ({@code ZX_RIGHT_EXECUTE}). */
  public static final int EXECUTE = 1 << 4;

  /** May be mapped into a VMAR ({@code ZX_RIGHT_MAP}). */
  public static final int MAP = 1 << 5;

  /** Its properties, such as the name, may be read ({@code ZX_RIGHT_GET_PROPERTY}). */
  public static final int GET_PROPERTY = 1 << 6;

  /** Its properties, such as the name, may be set ({@code ZX_RIGHT_SET_PROPERTY}). */
  public static final int SET_PROPERTY = 1 << 7;

  /** Its children may be enumerated ({@code ZX_RIGHT_ENUMERATE}). */
  public static final int ENUMERATE = 1 << 8;

  /** The object may be destroyed ({@code ZX_RIGHT_DESTROY}). */
  public static final int DESTROY = 1 << 9;

  /** Its policy may be set ({@code ZX_RIGHT_SET_POLICY}). */
  public static final int SET_POLICY = 1 << 10;

  /** Its policy may be read ({@code ZX_RIGHT_GET_POLICY}). */
  public static final int GET_POLICY = 1 << 11;

  /** Its user signals may be set ({@code ZX_RIGHT_SIGNAL}). */
  public static final int SIGNAL = 1 << 12;

  /** Its peer's user signals may be set ({@code ZX_RIGHT_SIGNAL_PEER}). */
  public static final int SIGNAL_PEER = 1 << 13;

  /** It may be waited on ({@code ZX_RIGHT_WAIT}). */
  public static final int WAIT = 1 << 14;

  /** Information about it may be read ({@code ZX_RIGHT_INSPECT}). */
  public static final int INSPECT = 1 << 15;

  /** A job may be managed through it ({@code ZX_RIGHT_MANAGE_JOB}). */
  public static final int MANAGE_JOB = 1 << 16;

  /** A process may be managed through it ({@code ZX_RIGHT_MANAGE_PROCESS}). */
  public static final int MANAGE_PROCESS = 1 << 17;

  /** A thread may be managed through it ({@code ZX_RIGHT_MANAGE_THREAD}). */
  public static final int MANAGE_THREAD = 1 << 18;

  /** A profile may be applied through it ({@code ZX_RIGHT_APPLY_PROFILE}). */
  public static final int APPLY_PROFILE = 1 << 19;

  /** A socket may be managed through it ({@code ZX_RIGHT_MANAGE_SOCKET}). */
  public static final int MANAGE_SOCKET = 1 << 20;

  /** Operations may be applied to its children ({@code ZX_RIGHT_OP_CHILDREN}). */
  public static final int OP_CHILDREN = 1 << 21;

  /** The VMO may be resized ({@code ZX_RIGHT_RESIZE}). */
  public static final int RESIZE = 1 << 22;

  /** A VMO may be attached through it ({@code ZX_RIGHT_ATTACH_VMO}). */
  public static final int ATTACH_VMO = 1 << 23;

  /** The VMO may be managed ({@code ZX_RIGHT_MANAGE_VMO}). */
  public static final int MANAGE_VMO = 1 << 24;

  /**
   * Not a right: asks {@code zx_handle_duplicate} and {@code zx_handle_replace} to keep the source
   * handle's rights ({@code ZX_RIGHT_SAME_RIGHTS}).
   */
  public static final int SAME_RIGHTS = 1 << 31;

  /** {@code TRANSFER | DUPLICATE | WAIT | INSPECT} ({@code ZX_RIGHTS_BASIC}). */
  public static final int BASIC = TRANSFER | DUPLICATE | WAIT | INSPECT;

  /** {@code READ | WRITE} ({@code ZX_RIGHTS_IO}). */
  public static final int IO = READ | WRITE;

  /** {@code GET_PROPERTY | SET_PROPERTY} ({@code ZX_RIGHTS_PROPERTY}). */
  public static final int PROPERTY = GET_PROPERTY | SET_PROPERTY;

  /** {@code GET_POLICY | SET_POLICY} ({@code ZX_RIGHTS_POLICY}). */
  public static final int POLICY = GET_POLICY | SET_POLICY;

  /**
   * The rights of a handle from {@link Vmo#create(long)}: {@code BASIC | IO | PROPERTY | MAP |
   * SIGNAL} ({@code ZX_DEFAULT_VMO_RIGHTS}). A resizable VMO's handle also has {@link #RESIZE}.
   */
  public static final int DEFAULT_VMO = BASIC | IO | PROPERTY | MAP | SIGNAL;

  /** The single-bit rights, in bit order, for {@link #toString(int)}. */
  private static final String[] BIT_NAMES = {
    "DUPLICATE",
    "TRANSFER",
    "READ",
    "WRITE",
    "EXECUTE",
    "MAP",
    "GET_PROPERTY",
    "SET_PROPERTY",
    "ENUMERATE",
    "DESTROY",
    "SET_POLICY",
    "GET_POLICY",
    "SIGNAL",
    "SIGNAL_PEER",
    "WAIT",
    "INSPECT",
    "MANAGE_JOB",
    "MANAGE_PROCESS",
    "MANAGE_THREAD",
    "APPLY_PROFILE",
    "MANAGE_SOCKET",
    "OP_CHILDREN",
    "RESIZE",
    "ATTACH_VMO",
    "MANAGE_VMO",
  };

  private ZxRights() {}

  /**
   * Names the rights in {@code rights}, lowest bit first: {@code "READ|MAP"} for {@code READ |
   * MAP}. {@code 0} is {@code "NONE"}; bits zircon does not define are added as one hexadecimal
   * number ({@code "READ|0x4000000"}).
   *
   * @param rights a {@code zx_rights_t} bit set
   * @return the names of its bits, joined by {@code |}
   */
  public static String toString(int rights) {
    if (rights == NONE) {
      return "NONE";
    }
    StringBuilder names = new StringBuilder();
    int unknown = 0;
    for (int bit = 0; bit < Integer.SIZE; bit++) {
      int right = 1 << bit;
      if ((rights & right) == 0) {
        continue;
      }
      String name =
          bit < BIT_NAMES.length ? BIT_NAMES[bit] : right == SAME_RIGHTS ? "SAME_RIGHTS" : null;
      if (name == null) {
        unknown |= right;
      } else {
        names.append(names.isEmpty() ? "" : "|").append(name);
      }
    }
    if (unknown != 0) {
      names.append(names.isEmpty() ? "" : "|").append("0x").append(Integer.toHexString(unknown));
    }
    return names.toString();
  }
}
