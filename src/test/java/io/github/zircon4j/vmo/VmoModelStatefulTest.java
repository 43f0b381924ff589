package io.github.zircon4j.vmo;

import static io.github.zircon4j.vmo.ModelMappingActions.*;
import static io.github.zircon4j.vmo.ModelVmoActions.*;
import static io.github.zircon4j.vmo.sequences.Gen.w;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.zircon4j.vmo.model.Zx;
import io.github.zircon4j.vmo.model.ZxModel;
import io.github.zircon4j.vmo.model.ZxModel.Piece;
import io.github.zircon4j.vmo.model.ZxModel.Result;
import io.github.zircon4j.vmo.sequences.Gen;
import io.github.zircon4j.vmo.sequences.Gen.Weighted;
import io.github.zircon4j.vmo.sequences.SequenceCheck;
import io.github.zircon4j.vmo.sequences.Shrinker;
import io.github.zircon4j.zircon.Zircon;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Model-based test: random sequences of VMO, handle and mapping syscalls run against the pure-Java
 * reference model ({@link ZxModel}) and against the real bindings, comparing every status code,
 * every byte read (through handles and through mappings), every rights set and every observed
 * signal. A failure is shrunk ({@link Shrinker}) and reported with its seed and the minimal
 * sequence, each call by name and arguments ({@code h3} is the third handle the sequence made).
 *
 * <p>Memory is only touched through a mapping where the model knows it is mapped, readable (or
 * writable) and backed by the VMO's current size, so nothing here can fault; unmaps only cover
 * ranges inside live mappings.
 *
 * <p>The actions are in {@link ModelVmoActions} (VMOs and handles) and {@link ModelMappingActions}
 * (mappings); the bindings' side of each call is {@link Real}.
 *
 * <p>CI runs {@value #CI_SEQUENCES} sequences of {@value #STEPS} actions; {@code -Pstress} (system
 * property {@code zircon4j.stress=true}) runs {@value #STRESS_FACTOR} times more. {@code
 * -Dzircon4j.model.seed=0x...} replays one sequence (the seed a failure prints).
 */
class VmoModelStatefulTest {
  static final int CI_SEQUENCES = 300;
  static final int STRESS_FACTOR = 100;
  static final int STEPS = 60;

  static final long PAGE;
  static final int ROOT;

  static {
    ZirconLibrary.ensureLoaded();
    PAGE = Integer.toUnsignedLong(Zircon.zx_system_get_page_size());
    ROOT = Zircon.zx_vmar_root_self();
  }

  /** Each call's outcomes over the run, printed at the end to show what the sequences covered. */
  private static final Map<String, Map<String, Integer>> OUTCOMES = new TreeMap<>();

  @Test
  void modelAndZirconAgree() {
    int sequences = CI_SEQUENCES * (stress() ? STRESS_FACTOR : 1);
    SequenceCheck.Summary summary =
        SequenceCheck.check(
            "VmoModelStatefulTest", "zircon4j.model.seed", sequences, STEPS, new ModelSpec());
    System.out.printf(
        "VmoModelStatefulTest: %,d sequences, %,d actions in %,d ms; outcomes %s%n",
        summary.sequences(), summary.actions(), summary.nanos() / 1_000_000, OUTCOMES);
  }

  static boolean stress() {
    return Boolean.getBoolean("zircon4j.stress");
  }

  /** The model test as a {@link SequenceCheck.Spec}: worlds, generation, shrinking. */
  static final class ModelSpec implements SequenceCheck.Spec<World, Action> {
    @Override
    public World newWorld() {
      return new World();
    }

    @Override
    public Action next(World world, Gen gen) {
      return generate(world, gen);
    }

    @Override
    public void apply(World world, Action action) {
      action.run(world);
    }

    @Override
    public List<Action> simpler(Action action) {
      return action.simpler();
    }
  }

  // ---- Sequences this test found, kept as examples (each failed on the emulation once) -------

  /**
   * A resizable snapshot child made smaller than its parent, then grown: the grown pages read as
   * zero (the child is a copy of the parent as of creation, and it had no such pages then). The
   * emulation used to show the parent's pages there.
   */
  @Test
  void snapshotChildGrownPastItsCreationSizeReadsZeros() {
    try (World world = new World()) {
      Step step = new Step(world);
      int parent = step.create(3 * PAGE, 0);
      step.write(parent, 0, pattern((int) (3 * PAGE), 7));
      for (long childSize : new long[] {0, 1, PAGE + 1}) {
        int child = step.createChild(parent, Zx.CHILD_SNAPSHOT | Zx.CHILD_RESIZABLE, 0, childSize);
        step.setSize(child, 3 * PAGE);
        step.read(child, 0, (int) (3 * PAGE));
        step.close(child);
      }
    }
  }

  /** Runs single calls on both sides of a {@link World} and compares them, for fixed examples. */
  static final class Step {
    final World world;

    Step(World world) {
      this.world = world;
    }

    int create(long size, int options) {
      String call = "zx_vmo_create(" + size + ", " + hex(options) + ")";
      Result<Integer> expected = world.model.vmoCreate(size, options);
      int[] got = Real.vmoCreate(size, options);
      world.adopt(expected, got[0], got[1], call);
      return expected.value();
    }

    int createChild(int token, int options, long offset, long size) {
      String call =
          "zx_vmo_create_child("
              + tokenName(token)
              + ", "
              + hex(options)
              + ", "
              + offset
              + ", "
              + size
              + ")";
      Result<Integer> expected = world.model.vmoCreateChild(token, options, offset, size);
      int[] got = Real.vmoCreateChild(world.realHandle(token), options, offset, size);
      world.adopt(expected, got[0], got[1], call);
      return expected.value();
    }

    void write(int token, long offset, byte[] data) {
      int expected = world.model.vmoWrite(token, offset, data);
      int got = Real.vmoWrite(world.realHandle(token), offset, data);
      assertThat(name(got)).as("zx_vmo_write").isEqualTo(name(expected));
    }

    void setSize(int token, long size) {
      int expected = world.model.vmoSetSize(token, size);
      int got = Zircon.zx_vmo_set_size(world.realHandle(token), size);
      assertThat(name(got)).as("zx_vmo_set_size").isEqualTo(name(expected));
    }

    void read(int token, long offset, int length) {
      String call = "zx_vmo_read(" + tokenName(token) + ", " + offset + ", " + length + ")";
      Result<byte[]> expected = world.model.vmoRead(token, offset, length);
      byte[] into = new byte[length];
      int got = Real.vmoRead(world.realHandle(token), offset, into);
      assertThat(name(got)).as(call).isEqualTo(name(expected.status()));
      assertBytes(into, expected.value(), call);
    }

    void close(int token) {
      assertThat(name(Zircon.zx_handle_close(world.realHandle(token))))
          .isEqualTo(name(world.model.handleClose(token)));
      world.forget(token);
    }
  }

  // ---- The state: the model, and the real handles and mappings ------------------------------

  /** One sequence's world: the model plus the real handle for each model handle token. */
  static final class World implements AutoCloseable {
    final ZxModel model = new ZxModel(PAGE);
    final Map<Integer, Integer> real = new HashMap<>();
    final List<Integer> closed = new ArrayList<>();

    /** Real mappings the model refused (a mismatch already reported): unmapped at the end. */
    final List<long[]> untracked = new ArrayList<>();

    /** Whether {@code token} was made in this run (a shrunk replay may not make it). */
    boolean knows(int token) {
      return token == ZxModel.ROOT_VMAR || token == 0 || real.containsKey(token);
    }

    int realHandle(int token) {
      if (token == ZxModel.ROOT_VMAR) {
        return ROOT;
      }
      return token == 0 ? 0 : real.get(token);
    }

    void adopt(Result<Integer> modelResult, int status, int realValue, String call) {
      outcome(call, status);
      assertThat(name(status)).as(call).isEqualTo(name(modelResult.status()));
      if (status == Zx.OK) {
        real.put(modelResult.value(), realValue);
      }
    }

    void forget(int token) {
      if (real.containsKey(token) && !closed.contains(token)) {
        closed.add(token);
      }
    }

    /** Live tokens mostly, sometimes a closed one, sometimes the root VMAR (a non-VMO handle). */
    int anyHandle(Gen gen, boolean allowRoot) {
      List<Weighted<Integer>> choices = new ArrayList<>();
      List<Integer> live = model.liveHandles();
      if (!live.isEmpty()) {
        choices.add(w(40, () -> gen.pick(live)));
      }
      if (!closed.isEmpty()) {
        choices.add(w(2, () -> gen.pick(closed)));
      }
      if (allowRoot || choices.isEmpty()) {
        choices.add(w(1, () -> ZxModel.ROOT_VMAR));
      }
      return gen.frequency(choices);
    }

    /** The current size of a live VMO token, else a few pages. */
    long sizeHint(int token) {
      return model.isLive(token) ? model.sizeOf(token) : 2 * PAGE;
    }

    @Override
    public void close() {
      for (Piece piece : model.pieces()) {
        Zircon.zx_vmar_unmap(ROOT, piece.base(), piece.length());
      }
      for (long[] mapping : untracked) {
        Zircon.zx_vmar_unmap(ROOT, mapping[0], mapping[1]);
      }
      for (int token : model.liveHandles()) {
        Zircon.zx_handle_close(real.get(token));
      }
    }

    /** Every live handle with WAIT reports the signals the model expects. */
    void checkSignals(String after) {
      for (int token : model.liveHandles()) {
        if ((model.rightsOf(token) & Zx.RIGHT_WAIT) == 0) {
          continue;
        }
        Result<Integer> expected = model.objectWaitOnePoll(token, Zx.VMO_ZERO_CHILDREN);
        int[] got = Real.waitOnePoll(realHandle(token), Zx.VMO_ZERO_CHILDREN);
        assertThat(name(got[0]) + " observed " + hex(got[1]))
            .as("ZERO_CHILDREN poll of %s after %s", tokenName(token), after)
            .isEqualTo(name(expected.status()) + " observed " + hex(expected.value()));
      }
    }
  }

  // ---- Helpers and argument generators ------------------------------------------------------

  static String tokenName(int token) {
    return token == ZxModel.ROOT_VMAR
        ? "root_vmar"
        : token == 0 ? "ZX_HANDLE_INVALID" : "h" + token;
  }

  static String name(int status) {
    return Zx.statusName(status);
  }

  /** Counts each call's outcome, for the summary the test prints. */
  static void outcome(String call, int status) {
    OUTCOMES
        .computeIfAbsent(call.substring(0, call.indexOf('(')), k -> new TreeMap<>())
        .merge(name(status), 1, Integer::sum);
  }

  /** Compares bytes, reporting the first difference and a short window around it. */
  static void assertBytes(byte[] got, byte[] expected, String call) {
    int at = java.util.Arrays.mismatch(got, expected);
    if (at < 0) {
      return;
    }
    int from = Math.max(0, at - 4);
    int to = Math.min(Math.min(got.length, expected.length), at + 12);
    throw new AssertionError(
        call
            + ": bytes differ first at offset "
            + at
            + " (of "
            + expected.length
            + "); from offset "
            + from
            + " expected "
            + java.util.HexFormat.of().formatHex(expected, from, to)
            + " but read "
            + java.util.HexFormat.of().formatHex(got, from, to));
  }

  static String hex(long value) {
    return "0x" + Long.toHexString(value);
  }

  static String u64(long value) {
    return value < 0 ? hex(value) : Long.toString(value);
  }

  /** VMO sizes: small, page multiples or not, and some whose rounding overflows u64. */
  static long vmoSize(Gen gen) {
    return gen.frequency(
        w(5, () -> gen.between(0, 4) * PAGE),
        w(4, () -> gen.between(0L, 4 * PAGE)),
        w(1, () -> gen.oneOf(-1L, -PAGE + 1)));
  }

  /** Offsets for a VMO of {@code size}: inside, at and past the end, unaligned, huge. */
  static long offset(Gen gen, long size) {
    return gen.frequency(
        w(6, () -> gen.between(0L, size)),
        w(3, () -> gen.between(0L, size / PAGE + 1) * PAGE),
        w(1, () -> gen.oneOf(size + 1, -1L, -PAGE, Long.MIN_VALUE)));
  }

  static int length(Gen gen) {
    return gen.frequency(
        w(6, () -> gen.between(0, (int) PAGE + 64)),
        w(2, () -> gen.between(0, 2 * (int) PAGE + 16)));
  }

  /** An offset and a length for a VMO of {@code size}: mostly inside it, sometimes not. */
  static long[] range(Gen gen, long size) {
    if (gen.between(1, 5) <= 4) {
      long offset = gen.between(0L, size);
      return new long[] {offset, gen.between(0L, Math.min(size - offset, 2 * PAGE))};
    }
    return new long[] {offset(gen, size), length(gen)};
  }

  static byte[] pattern(int length, int seed) {
    byte[] bytes = new byte[length];
    for (int i = 0; i < length; i++) {
      bytes[i] = (byte) (seed + i * 31 + (i >> 8));
    }
    return bytes;
  }

  static int rightsFor(Gen gen, World world, int token) {
    int have = world.model.isLive(token) ? world.model.rightsOf(token) : Zx.DEFAULT_VMO_RIGHTS;
    return gen.frequency(
        w(2, () -> Zx.RIGHT_SAME_RIGHTS),
        w(6, () -> have & gen.between(0, Integer.MAX_VALUE)),
        w(
            2,
            () ->
                gen.oneOf(
                    have & ~Zx.RIGHT_WRITE,
                    have & ~Zx.RIGHT_READ,
                    have & ~Zx.RIGHT_DUPLICATE,
                    have & ~Zx.RIGHT_MAP,
                    have & ~Zx.RIGHT_WAIT)),
        w(1, () -> have | (1 << gen.between(0, 30))),
        w(1, () -> 0));
  }

  /** {@code make} applied to each simpler value of {@code value} ({@link Shrinker#towardZero}). */
  static List<Action> each(long value, Function<Long, Action> make) {
    return Shrinker.towardZero(value).stream().map(make).toList();
  }

  static List<Action> eachInt(int value, Function<Integer, Action> make) {
    return Shrinker.towardZero(value).stream().map(make).toList();
  }

  static List<Action> eachBits(int bits, Function<Integer, Action> make) {
    return Shrinker.fewerBits(bits).stream().map(make).toList();
  }

  @SafeVarargs
  static List<Action> concat(List<Action>... lists) {
    List<Action> all = new ArrayList<>();
    for (List<Action> list : lists) {
      all.addAll(list);
    }
    return all;
  }

  // ---- Actions ------------------------------------------------------------------------------

  /** One call of a sequence, with its arguments fixed when it was generated. */
  sealed interface Action
      permits ModelVmoActions.Create,
          ModelVmoActions.Write,
          ModelVmoActions.Read,
          ModelVmoActions.GetSize,
          ModelVmoActions.SetSize,
          ModelVmoActions.CreateChild,
          ModelVmoActions.Duplicate,
          ModelVmoActions.Replace,
          ModelVmoActions.Close,
          ModelVmoActions.WaitOne,
          ModelVmoActions.Rights,
          ModelVmoActions.VmoInfo,
          ModelMappingActions.MapVmo,
          ModelMappingActions.ReadMapping,
          ModelMappingActions.WriteMapping,
          ModelMappingActions.Unmap {
    /** Runs the call on both sides and compares; does nothing if its handle was never made. */
    void run(World world);

    /** The same call with simpler arguments, for shrinking. */
    List<Action> simpler();
  }

  /** The next action: one of those whose precondition holds, by weight. */
  static Action generate(World world, Gen gen) {
    List<Weighted<Action>> choices = new ArrayList<>();
    choices.add(w(4, () -> Create.generate(gen)));
    if (!world.model.liveHandles().isEmpty()) {
      choices.add(w(4, () -> Write.generate(gen, world)));
      choices.add(w(4, () -> Read.generate(gen, world)));
      choices.add(w(1, () -> new GetSize(world.anyHandle(gen, true))));
      choices.add(w(2, () -> new SetSize(world.anyHandle(gen, true), vmoSize(gen))));
      choices.add(w(5, () -> CreateChild.generate(gen, world)));
      choices.add(w(2, () -> Duplicate.generate(gen, world)));
      choices.add(w(2, () -> Replace.generate(gen, world)));
      choices.add(w(3, () -> Close.generate(gen, world)));
      choices.add(w(5, () -> MapVmo.generate(gen, world)));
      choices.add(w(2, () -> WaitOne.generate(gen, world)));
      choices.add(w(1, () -> new Rights(world.anyHandle(gen, false))));
      choices.add(w(1, () -> new ModelVmoActions.VmoInfo(world.anyHandle(gen, true))));
    }
    if (!usablePieces(world, false).isEmpty()) {
      choices.add(
          w(
              5,
              () ->
                  new ReadMapping(
                      gen.between(0, 99), gen.between(0, 99), gen.between(1, 2 * (int) PAGE))));
    }
    if (!usablePieces(world, true).isEmpty()) {
      choices.add(
          w(
              3,
              () ->
                  new WriteMapping(
                      gen.between(0, 99),
                      gen.between(0, 99),
                      gen.between(1, 2 * (int) PAGE),
                      gen.between(0, 255))));
    }
    if (!world.model.pieces().isEmpty()) {
      choices.add(w(3, () -> Unmap.generate(gen)));
    }
    return gen.frequency(choices);
  }

  // ---- The real side: the generated bindings (through ZxTestSupport), nothing else -----------

  /** Calls that return a status together with their out-parameter. */
  static final class Real {
    private Real() {}

    static int[] vmoCreate(long size, int options) {
      ZxTestSupport.HandleResult r = ZxTestSupport.rawCreateVmo(size, options);
      return new int[] {r.status(), r.handle()};
    }

    static int vmoWrite(int handle, long offset, byte[] data) {
      return ZxTestSupport.writeStatus(handle, offset, data);
    }

    static int vmoRead(int handle, long offset, byte[] into) {
      try (Arena arena = Arena.ofConfined()) {
        MemorySegment buffer = arena.allocate(Math.max(1, into.length));
        int status = Zircon.zx_vmo_read(handle, buffer, offset, into.length);
        MemorySegment.copy(buffer, JAVA_BYTE, 0, into, 0, into.length);
        return status;
      }
    }

    static long[] vmoGetSize(int handle) {
      try (Arena arena = Arena.ofConfined()) {
        MemorySegment out = arena.allocate(JAVA_LONG);
        int status = Zircon.zx_vmo_get_size(handle, out);
        return new long[] {status, out.get(JAVA_LONG, 0)};
      }
    }

    static int[] vmoCreateChild(int handle, int options, long offset, long size) {
      ZxTestSupport.HandleResult r = ZxTestSupport.rawCreateChild(handle, options, offset, size);
      return new int[] {r.status(), r.handle()};
    }

    static int[] duplicate(int handle, int rights) {
      ZxTestSupport.HandleResult r = ZxTestSupport.rawDuplicate(handle, rights);
      return new int[] {r.status(), r.handle()};
    }

    static int[] replace(int handle, int rights) {
      ZxTestSupport.HandleResult r = ZxTestSupport.rawReplace(handle, rights);
      return new int[] {r.status(), r.handle()};
    }

    static int[] waitOnePoll(int handle, int signals) {
      ZxTestSupport.WaitResult r = ZxTestSupport.poll(handle, signals);
      return new int[] {r.status(), r.observed()};
    }

    /** ZX_INFO_HANDLE_BASIC's rights, with the status (ZxTestSupport.handleBasic asserts OK). */
    static int[] handleRights(int handle) {
      ZxTestSupport.HandleBasicResult r = ZxTestSupport.rawHandleBasic(handle);
      return new int[] {r.status(), r.info().rights()};
    }

    static long[] map(int options, long vmarOffset, int vmo, long vmoOffset, long length) {
      ZxTestSupport.MapResult r =
          ZxTestSupport.rawMap(ROOT, options, vmarOffset, vmo, vmoOffset, length);
      return new long[] {r.status(), r.status() == Zx.OK ? r.address() : 0};
    }
  }
}
