package io.dsblocks.loadbalancer.internal.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Path normalization applied before auth and routing when auth is configured. */
class RequestPathsTest {

  @Test
  void normalTargetsAreReturnedAsTheSameInstance() {
    String uri = "/api/v1/users?id=7&x=../y";
    assertThat(RequestPaths.normalize(uri)).isSameAs(uri);
    assertThat(RequestPaths.normalize("/")).isEqualTo("/");
    assertThat(RequestPaths.normalize("*")).isEqualTo("*");
  }

  @Test
  void dotSegmentsAndRepeatedSlashesAreRemovedAndTheQueryKept() {
    assertThat(RequestPaths.normalize("/a/./b/../c?q=/../")).isEqualTo("/a/c?q=/../");
    assertThat(RequestPaths.normalize("/public/../admin/x")).isEqualTo("/admin/x");
    assertThat(RequestPaths.normalize("/../../etc")).isEqualTo("/etc");
    assertThat(RequestPaths.normalize("//a///b/")).isEqualTo("/a/b/");
    assertThat(RequestPaths.normalize("/a/b/.")).isEqualTo("/a/b/");
    assertThat(RequestPaths.normalize("/a/..")).isEqualTo("/");
    assertThat(RequestPaths.normalize("/.well-known/x")).isEqualTo("/.well-known/x");
    assertThat(RequestPaths.normalize("http://h:1//a/../b#f")).isEqualTo("http://h:1/b#f");
  }

  @Test
  void unreservedEscapesAreDecodedOthersUpperCased() {
    assertThat(RequestPaths.normalize("/%61dmin/%7e")).isEqualTo("/admin/~");
    assertThat(RequestPaths.normalize("/a%20b/%c3%a9")).isEqualTo("/a%20b/%C3%A9");
  }

  @Test
  void ambiguousTargetsAreRefused() {
    assertThat(RequestPaths.normalize("/a%2fb")).isNull();
    assertThat(RequestPaths.normalize("/a%2Fb")).isNull();
    assertThat(RequestPaths.normalize("/%2e%2e/admin")).isNull();
    assertThat(RequestPaths.normalize("/a%5cb")).isNull();
    assertThat(RequestPaths.normalize("/a\\b")).isNull();
    assertThat(RequestPaths.normalize("/a%zz")).isNull();
    assertThat(RequestPaths.normalize("/a%4")).isNull();
  }
}
