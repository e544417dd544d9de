package io.dsblocks.storage.internal;

import io.dsblocks.storage.ObjectStore;
import java.util.Map;
import java.util.Objects;

/** Argument checks at the {@link ObjectStore} boundary, with messages naming the argument. */
final class Validation {
  private Validation() {}

  static void key(String key) {
    Objects.requireNonNull(key, "key");
    if (key.isEmpty()) {
      throw new IllegalArgumentException("key must not be empty");
    }
    text("key", key);
  }

  static void prefix(String name, String prefix) {
    Objects.requireNonNull(prefix, name);
    text(name, prefix);
  }

  /** No NUL (it separates key from version in the index), no unpaired surrogate, bounded. */
  private static void text(String name, String s) {
    int utf8 = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == 0) {
        throw new IllegalArgumentException(
            name + " must not contain NUL (U+0000), found at index " + i);
      }
      if (Character.isHighSurrogate(c)) {
        if (i + 1 == s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
          throw new IllegalArgumentException(
              name + " is not valid Unicode: unpaired surrogate at index " + i);
        }
        utf8 += 4;
        i++;
      } else if (Character.isLowSurrogate(c)) {
        throw new IllegalArgumentException(
            name + " is not valid Unicode: unpaired surrogate at index " + i);
      } else {
        utf8 += c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
      }
    }
    if (utf8 > ObjectStore.MAX_KEY_BYTES) {
      throw new IllegalArgumentException(
          name
              + " must be at most "
              + ObjectStore.MAX_KEY_BYTES
              + " bytes in UTF-8 but was "
              + utf8
              + " bytes");
    }
  }

  static void metadata(Map<String, String> metadata) {
    Objects.requireNonNull(metadata, "metadata");
    long total = 0;
    for (Map.Entry<String, String> e : metadata.entrySet()) {
      String k = Objects.requireNonNull(e.getKey(), "metadata key");
      String v = Objects.requireNonNull(e.getValue(), "metadata value for '" + k + "'");
      if (k.isEmpty()) {
        throw new IllegalArgumentException("metadata keys must not be empty");
      }
      total +=
          utf8Length("metadata key '" + k + "'", k)
              + utf8Length("metadata value of '" + k + "'", v);
    }
    if (total > ObjectStore.MAX_METADATA_BYTES) {
      throw new IllegalArgumentException(
          "metadata must be at most "
              + ObjectStore.MAX_METADATA_BYTES
              + " bytes in UTF-8 (keys plus values) but was "
              + total
              + " bytes");
    }
  }

  private static long utf8Length(String name, String s) {
    long n = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c)) {
        if (i + 1 == s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
          throw new IllegalArgumentException(
              name + " is not valid Unicode: unpaired surrogate at index " + i);
        }
        n += 4;
        i++;
      } else if (Character.isLowSurrogate(c)) {
        throw new IllegalArgumentException(
            name + " is not valid Unicode: unpaired surrogate at index " + i);
      } else {
        n += c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
      }
    }
    return n;
  }

  static void versionId(long versionId) {
    if (versionId <= 0) {
      throw new IllegalArgumentException("versionId must be > 0 but was " + versionId);
    }
  }
}
