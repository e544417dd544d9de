package io.dsblocks.cache.tier;

import io.dsblocks.cache.Codec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** A non-String value type with its own binary codec, to show the tier stores any type. */
record Point(int x, long y, String label) {

  /** x (4 bytes), y (8 bytes), then the label as UTF-8. */
  static final Codec<Point> CODEC =
      new Codec<>() {
        @Override
        public byte[] encode(Point p) {
          byte[] label = p.label().getBytes(StandardCharsets.UTF_8);
          return ByteBuffer.allocate(12 + label.length)
              .putInt(p.x())
              .putLong(p.y())
              .put(label)
              .array();
        }

        @Override
        public Point decode(byte[] bytes) {
          ByteBuffer b = ByteBuffer.wrap(bytes);
          int x = b.getInt();
          long y = b.getLong();
          return new Point(x, y, new String(bytes, 12, bytes.length - 12, StandardCharsets.UTF_8));
        }
      };

  /** Long keys as 8 big-endian bytes. */
  static final Codec<Long> LONG_KEYS =
      new Codec<>() {
        @Override
        public byte[] encode(Long v) {
          return ByteBuffer.allocate(8).putLong(v).array();
        }

        @Override
        public Long decode(byte[] bytes) {
          return ByteBuffer.wrap(bytes).getLong();
        }
      };
}
