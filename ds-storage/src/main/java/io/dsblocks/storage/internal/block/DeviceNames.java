package io.dsblocks.storage.internal.block;

import java.util.Objects;

/** Object keys of the block device layout and validation of device names. */
final class DeviceNames {
  private DeviceNames() {}

  static final String ROOT = "blockdev/";

  /**
   * Block contents of every device, keyed by the writing device's id and a per-device sequence
   * number. Kept outside any device's own prefix so that a clone can go on sharing blocks after the
   * device that wrote them is deleted.
   */
  static final String DATA_PREFIX = ROOT + "data/";

  /**
   * Clone family registry: one empty object per member device, {@code blockdev/.family/<family
   * id>/<name>}. Device names cannot start with '.', so it collides with no device.
   */
  static final String FAMILY_PREFIX = ROOT + ".family/";

  static final int MAX_NAME_LENGTH = 128;

  static String validate(String name, String argument) {
    Objects.requireNonNull(name, argument);
    if (name.isEmpty() || name.length() > MAX_NAME_LENGTH) {
      throw new IllegalArgumentException(
          argument
              + " must be 1 to "
              + MAX_NAME_LENGTH
              + " characters of [A-Za-z0-9._-] but was '"
              + name
              + "' ("
              + name.length()
              + " characters)");
    }
    if (name.charAt(0) == '.') {
      throw new IllegalArgumentException(
          argument + " must not start with '.' but was '" + name + "'");
    }
    // "data" would collide with the shared block prefix blockdev/data/.
    if (name.equals("data")) {
      throw new IllegalArgumentException(argument + " 'data' is reserved");
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean ok =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || c == '.'
              || c == '_'
              || c == '-';
      if (!ok) {
        throw new IllegalArgumentException(
            argument
                + " may only contain [A-Za-z0-9._-] but '"
                + name
                + "' has '"
                + c
                + "' at index "
                + i);
      }
    }
    return name;
  }

  static String manifestKey(String name) {
    return ROOT + name + "/manifest";
  }

  static String mapPrefix(String name) {
    return ROOT + name + "/map/";
  }

  static String mapKey(String name, long page) {
    return mapPrefix(name) + String.format("%012x", page);
  }

  static long pageOfMapKey(String name, String key) {
    return Long.parseLong(key.substring(mapPrefix(name).length()), 16);
  }

  static String familyPrefix(long familyId) {
    return FAMILY_PREFIX + String.format("%016x/", familyId);
  }

  static String familyKey(long familyId, String name) {
    return familyPrefix(familyId) + name;
  }

  static String dataKey(long deviceId, long seq) {
    return DATA_PREFIX + String.format("%016x/%016x", deviceId, seq);
  }
}
