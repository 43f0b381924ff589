package io.github.zircon4j.vmo;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.zircon4j.zircon.Zircon;
import java.io.File;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The public constants hold literal values (so they are compile-time constants users can switch
 * on); each must equal the generated binding it stands for, and the bindings must have no constant
 * of those families that the public classes lack.
 */
class PublicConstantsTest {
  @BeforeAll
  static void loadZircon() {
    ZirconLibrary.ensureLoaded(); // the bindings must not initialise before the library loads
  }

  /**
   * The public constants of {@code type} by name, with their raw value: its static final int
   * fields, its {@link ZxRights} fields ({@link ZxRights#bits()}), or its enum constants ({@code
   * bits()}).
   */
  private static Map<String, Integer> publicConstants(Class<?> type) {
    Map<String, Integer> constants = new TreeMap<>();
    for (Field field : type.getFields()) {
      int modifiers = field.getModifiers();
      if (!Modifier.isStatic(modifiers) || !Modifier.isFinal(modifiers)) {
        continue;
      }
      try {
        if (field.getType() == int.class) {
          constants.put(field.getName(), field.getInt(null));
        } else if (field.getType() == ZxRights.class) {
          constants.put(field.getName(), ((ZxRights) field.get(null)).bits());
        } else if (field.isEnumConstant()) {
          Object option = field.get(null);
          constants.put(
              field.getName(), (Integer) option.getClass().getMethod("bits").invoke(option));
        }
      } catch (ReflectiveOperationException e) {
        throw new AssertionError(e);
      }
    }
    return constants;
  }

  /** The binding's int constants (static no-argument methods) whose names {@code select} keeps. */
  private static Map<String, Integer> bindingConstants(Predicate<String> select) {
    Map<String, Integer> constants = new TreeMap<>();
    for (Method method : Zircon.class.getMethods()) {
      if (Modifier.isStatic(method.getModifiers())
          && method.getParameterCount() == 0
          && method.getReturnType() == int.class
          && select.test(method.getName())) {
        try {
          constants.put(method.getName(), (Integer) method.invoke(null));
        } catch (ReflectiveOperationException e) {
          throw new AssertionError(e);
        }
      }
    }
    return constants;
  }

  /** Renames the binding's constants to the public names and compares both ways. */
  private static void assertSameConstants(
      Class<?> type, Map<String, Integer> binding, Function<String, String> publicName) {
    Map<String, Integer> expected = new TreeMap<>();
    binding.forEach((name, value) -> expected.put(publicName.apply(name), value));
    assertThat(publicConstants(type))
        .as("%s against the bindings", type.getSimpleName())
        .containsExactlyInAnyOrderEntriesOf(expected);
  }

  @Test
  void everyRightEqualsTheBindingAndNoneIsMissing() {
    Map<String, Integer> binding =
        bindingConstants(
            name ->
                name.startsWith("ZX_RIGHT_")
                    || name.startsWith("ZX_RIGHTS_")
                    || name.equals("ZX_DEFAULT_VMO_RIGHTS"));
    assertThat(binding).containsKeys("ZX_RIGHT_RESIZE", "ZX_RIGHTS_POLICY", "ZX_RIGHT_SAME_RIGHTS");
    // SAME_RIGHTS is not a right: Vmo.duplicate() without arguments asks for it.
    binding.remove("ZX_RIGHT_SAME_RIGHTS");
    assertThat(ZxRights.SAME_RIGHTS_BITS).isEqualTo(Zircon.ZX_RIGHT_SAME_RIGHTS());
    assertSameConstants(
        ZxRights.class,
        binding,
        name ->
            name.equals("ZX_DEFAULT_VMO_RIGHTS")
                ? "DEFAULT_VMO"
                : name.replaceFirst("^ZX_RIGHTS?_", ""));
  }

  @Test
  void everyStatusEqualsTheBindingAndNoneIsMissing() {
    Map<String, Integer> binding =
        bindingConstants(name -> name.equals("ZX_OK") || name.startsWith("ZX_ERR_"));
    assertThat(binding).hasSizeGreaterThan(40);
    assertSameConstants(ZxStatus.class, binding, name -> name.substring("ZX_".length()));
  }

  @Test
  void vmoCreateOptionsEqualTheBindingAndNoneIsMissing() {
    // ZX_VMO_CHILD_* are zx_vmo_create_child options, ZX_VMO_OP_* zx_vmo_op_range operations and
    // ZX_VMO_ZERO_CHILDREN a signal; the rest are zx_vmo_create options.
    Map<String, Integer> binding =
        bindingConstants(
            name ->
                name.startsWith("ZX_VMO_")
                    && !name.startsWith("ZX_VMO_CHILD_")
                    && !name.startsWith("ZX_VMO_OP_")
                    && !name.equals("ZX_VMO_ZERO_CHILDREN"));
    assertThat(binding).containsKeys("ZX_VMO_RESIZABLE", "ZX_VMO_DISCARDABLE");
    assertSameConstants(VmoOption.class, binding, name -> name.substring("ZX_VMO_".length()));
  }

  @Test
  void vmoChildOptionsEqualTheBinding() {
    Map<String, Integer> binding =
        bindingConstants(
            name -> name.equals("ZX_VMO_CHILD_NO_WRITE") || name.equals("ZX_VMO_CHILD_RESIZABLE"));
    assertSameConstants(
        VmoChildOption.class, binding, name -> name.substring("ZX_VMO_CHILD_".length()));
  }

  @Test
  void vmoInfoFlagsAndCachePoliciesEqualTheBinding() {
    Map<String, Integer> binding =
        bindingConstants(
            name ->
                (name.startsWith("ZX_INFO_VMO_")
                        && !name.equals("ZX_INFO_VMO_TYPE_PHYSICAL")
                        && !name.matches("ZX_INFO_VMO_V[0-9]+"))
                    || (name.startsWith("ZX_CACHE_POLICY_")
                        && !name.equals("ZX_CACHE_POLICY_MASK")));
    // TYPE_PHYSICAL is 0 (the absence of TYPE_PAGED), MASK is not a policy, and ZX_INFO_VMO_V*
    // are topics, not flags.
    assertSameConstants(
        VmoInfo.class,
        binding,
        name ->
            name.startsWith("ZX_INFO_VMO_")
                ? "FLAG_" + name.substring("ZX_INFO_VMO_".length())
                : name.substring("ZX_".length()));
  }

  @Test
  void statusesAreCompileTimeConstantsUsableInSwitch() {
    int status = ZxStatus.ERR_ACCESS_DENIED;
    String what =
        switch (status) {
          case ZxStatus.OK -> "ok";
          case ZxStatus.ERR_ACCESS_DENIED -> "denied";
          default -> "other";
        };
    assertThat(what).isEqualTo("denied");
  }

  @Test
  void rightsToStringNamesEachBitLowestFirst() {
    assertThat(ZxRights.READ.and(ZxRights.MAP)).hasToString("READ|MAP");
    assertThat(ZxRights.MAP.and(ZxRights.DUPLICATE).and(ZxRights.READ))
        .hasToString("DUPLICATE|READ|MAP");
    assertThat(ZxRights.NONE).hasToString("NONE");
    assertThat(ZxRights.DEFAULT_VMO)
        .hasToString(
            "DUPLICATE|TRANSFER|READ|WRITE|MAP|GET_PROPERTY|SET_PROPERTY|SIGNAL|WAIT|INSPECT");
    assertThat(ZxRights.RESIZE.and(ZxRights.MANAGE_VMO)).hasToString("RESIZE|MANAGE_VMO");
  }

  @Test
  void rightsToStringShowsUndefinedBitsAsOneHexNumber() {
    assertThat(ZxRights.fromBits(ZxRights.READ.bits() | (1 << 25) | (1 << 30)))
        .hasToString("READ|0x42000000");
    assertThat(ZxRights.fromBits(1 << 26)).hasToString("0x4000000");
  }

  @Test
  void rightsAreValuesComparedByTheirBits() {
    ZxRights readMap = ZxRights.READ.and(ZxRights.MAP);
    assertThat(readMap).isEqualTo(ZxRights.fromBits(readMap.bits())).hasSameHashCodeAs(readMap);
    assertThat(readMap.containsAll(ZxRights.READ)).isTrue();
    assertThat(readMap.containsAll(ZxRights.IO)).isFalse();
    assertThat(readMap.without(ZxRights.MAP)).isEqualTo(ZxRights.READ);
  }

  @Test
  void sameRightsIsNotARightAndFromBitsSaysWhatToCallInstead() {
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> ZxRights.fromBits(ZxRights.SAME_RIGHTS_BITS))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Vmo.duplicate()");
  }

  @Test
  void everySingleBitRightHasTheNameOfItsConstant() {
    publicConstants(ZxRights.class)
        .forEach(
            (name, value) -> {
              if (Integer.bitCount(value) == 1) {
                assertThat(ZxRights.fromBits(value)).as(name).hasToString(name);
              }
            });
  }

  @Test
  void statusNameIsTheZirconNameOfEveryConstantAndNumbersTheRest() {
    publicConstants(ZxStatus.class)
        .forEach((name, value) -> assertThat(ZxStatus.name(value)).isEqualTo("ZX_" + name));
    assertThat(ZxStatus.name(-30)).isEqualTo("ZX_ERR_ACCESS_DENIED");
    assertThat(ZxStatus.name(-5)).isEqualTo("ZX_STATUS(-5)");
    assertThat(ZxStatus.name(7)).isEqualTo("ZX_STATUS(7)");
  }

  @Test
  void publicExceptionConstructorFormatsLikeTheLibrary() {
    ZxException e =
        new ZxException(ZxException.Step.MAP_CHILD_VMO, ZxStatus.ERR_ACCESS_DENIED, "length 4096");
    assertThat(e).hasMessage("failed to map child VMO: ZX_ERR_ACCESS_DENIED (-30) [length 4096]");
    assertThat(e.status()).isEqualTo(ZxStatus.ERR_ACCESS_DENIED);
    assertThat(e.statusName()).isEqualTo("ZX_ERR_ACCESS_DENIED");
    assertThat(e.step()).isEqualTo(ZxException.Step.MAP_CHILD_VMO);
    assertThat(new ZxException(ZxException.Step.GET_VMO_SIZE, -999, ""))
        .hasMessage("failed to get VMO size: ZX_STATUS(-999) (-999)");
  }

  @Test
  void publicExceptionConstructorNamesANullArgument() {
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> new ZxException(null, ZxStatus.ERR_INTERNAL, ""))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("step");
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> new ZxException(ZxException.Step.GET_VMO_SIZE, ZxStatus.ERR_INTERNAL, null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("details");
  }

  /**
   * In a fresh JVM on the class path, touching the generated bindings' header class (what an IDE
   * auto-import of {@code Zircon} leads to), using every constant class, {@code toString}/{@code
   * name} and the exception constructor loads no native library, and the library still loads and
   * works afterwards. Before the bindings looked their symbols up in the class loader's libraries,
   * touching {@code Zircon} first failed its initialiser for the JVM's life.
   */
  @Test
  void touchingTheBindingsOrTheConstantsBeforeTheLibraryLoadsNeitherLoadsNorBreaksIt()
      throws Exception {
    Path project = Path.of(System.getProperty("zircon4j.project.dir", "."));
    List<String> command =
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "--enable-native-access=ALL-UNNAMED",
            "-cp",
            project.resolve("target/classes")
                + File.pathSeparator
                + project.resolve("target/test-classes"),
            ConstantsBeforeLoadProbe.class.getName());
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor()).as(output).isZero();
    assertThat(output.lines().toList())
        .as(output)
        .contains(
            "before: bindings ZX_OK=0 READ|MAP RESIZABLE ZX_ERR_BAD_HANDLE failed to get VMO size: ZX_ERR_INTERNAL"
                + " (-1) libzircon mapped: false",
            "after: resizable=true rights=" + ZxRights.DEFAULT_VMO.and(ZxRights.RESIZE));
  }
}
